"""Small factories for test data that the seed does not hold."""

from decimal import Decimal

from django.test import TestCase

from cases.models import Agency, Case, CaseAgency, Metric, Notice, Responsibility, Section, Theme


def make_notice(batch: int) -> Notice:
    return Notice.objects.create(
        batch=batch,
        title=f"测试第{batch}批通知",
        issuer="测试办公室",
        issued_on="2024-01-01",
        recipients="各单位:",
        body="测试正文。",
        publicity=Notice.Publicity.PUBLIC,
    )


def make_agency(name: str, slug: str) -> Agency:
    return Agency.objects.create(
        name=name, slug=slug, kind=Agency.Kind.PROVINCIAL_DEPARTMENT, level=Agency.Level.PROVINCIAL
    )


def make_case(
    notice: Notice,
    number: int,
    *,
    agencies: list[Agency],
    items: int = 3,
    theme: Theme | None = None,
    status: str = Case.Status.PUBLISHED,
) -> Case:
    """A case with ``items`` measures, outcomes and metrics, one responsibility per agency."""
    case = Case.objects.create(
        notice=notice,
        number=number,
        label=f"测试案例{number}",
        title=f"测试案例标题{number}",
        intro="导语包含10个数字。",
        status=status,
    )
    for position, agency in enumerate(agencies, start=1):
        CaseAgency.objects.create(case=case, agency=agency, position=position)
        Responsibility.objects.create(case=case, agency=agency, position=position)
    for position in range(1, items + 1):
        for kind in Section.Kind.values:
            section = Section.objects.create(
                case=case,
                kind=kind,
                position=position,
                label=f"({position})",
                heading=f"标题{position}",
                body=f"正文共{position}5件。",
            )
        Metric.objects.create(
            case=case,
            section=section,
            position=position,
            label="件数",
            value=Decimal(position * 10 + 5),
            unit="件",
            printed=f"{position}5件",
            source_text=section.body,
            is_key=position == 1,
        )
    if theme:
        case.themes.add(theme)
    return case


def grow_catalog(extra_cases: int = 12, items: int = 6) -> None:
    """Another batch with more cases, each with more items than the seed's."""
    # As in production, the index and facet rows are rebuilt when the change commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        notice = make_notice(batch=5)
        agencies = [make_agency(f"测试单位{i}", f"test-unit-{i}") for i in range(3)]
        theme = Theme.objects.first()
        for number in range(1, extra_cases + 1):
            make_case(notice, number, agencies=agencies, items=items, theme=theme)
