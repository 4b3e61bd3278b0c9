"""Reassemble a notice, paragraph by paragraph, from what the database stores.

This is the proof that the catalog holds the notice word for word: the
paragraphs rendered here must equal the paragraphs of the source text.
"""

from __future__ import annotations

from django.db.models import Prefetch

from cases.models import Case, CaseAgency, Notice, Section, split_paragraphs

from .text import Item, ParsedAnnex, ParsedCase, ParsedNotice, paragraphs_with_lines, render_notice


def notice_as_parsed(notice: Notice) -> ParsedNotice:
    cases = (
        Case.objects.filter(notice=notice)
        .order_by("number")
        .prefetch_related(
            Prefetch("case_agencies", queryset=CaseAgency.objects.select_related("agency").order_by("position")),
            Prefetch("sections", queryset=Section.objects.order_by("kind", "position")),
        )
    )
    return ParsedNotice(
        batch=notice.batch,
        recipients=notice.recipients,
        body=split_paragraphs(notice.body),
        annexes=[ParsedAnnex(a.number, a.title, a.image_name) for a in notice.annexes.order_by("number")],
        issuer=notice.issuer,
        issued_on=notice.issued_on,
        publicity=notice.get_publicity_display(),
        meeting=notice.meeting,
        cases=[_case_as_parsed(case) for case in cases],
        printed=notice.printed_forms or {},
    )


def _case_as_parsed(case: Case) -> ParsedCase:
    def items(kind: str) -> list[Item]:
        return [Item(s.label, s.heading, s.body) for s in case.sections.all() if s.kind == kind]

    return ParsedCase(
        number=case.number,
        label=case.label,
        title=case.title,
        subtitle=case.subtitle,
        subtitle_separator=case.subtitle_separator,
        agencies=[link.agency.name for link in case.case_agencies.all()],
        intro=case.intro,
        measures_heading=case.measures_heading,
        measures=items(Section.Kind.MEASURE),
        outcomes_heading=case.outcomes_heading,
        outcomes=items(Section.Kind.OUTCOME),
    )


def stored_paragraphs(notice: Notice) -> list[str]:
    return render_notice(notice_as_parsed(notice))


def source_paragraphs(text: str) -> list[str]:
    return [paragraph for _, paragraph in paragraphs_with_lines(text)]
