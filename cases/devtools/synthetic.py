"""Realistic synthetic cases for benchmarks: the real notice's sentences, recombined.

Deterministic for a given seed. Synthetic notices are numbered from batch
1001 up and titled 【合成数据】, so they are never mistaken for real batches;
``delete_synthetic`` removes them again.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from cases.figures import sentences
from cases.models import (
    Agency,
    Case,
    CaseAgency,
    Metric,
    Notice,
    Region,
    Responsibility,
    Section,
    Theme,
    chinese_numeral,
)
from cases.search import schema as search_schema
from cases.search.indexing import facet_keys, index_document
from cases.search.models import CaseFacet, CaseSearch, CaseText, CaseWords, CatalogVersion

FIRST_SYNTHETIC_BATCH = 1001
SYNTHETIC_MARK = "【合成数据】"
DEPARTMENTS = [
    ("市场监督管理局", "amr"),
    ("自然资源和规划局", "nr"),
    ("营商环境建设局", "be"),
    ("人民法院", "court"),
    ("税务局", "tax"),
    ("住房和城乡建设局", "housing"),
    ("行政审批服务局", "approval"),
    ("医疗保障局", "medins"),
    ("发展和改革委员会", "drc"),
    ("人力资源和社会保障局", "hrss"),
]


@dataclass
class Corpus:
    """Pieces of the real cases to recombine."""

    titles: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    intro_sentences: list[str] = field(default_factory=list)
    measure_headings: list[str] = field(default_factory=list)
    outcome_headings: list[str] = field(default_factory=list)
    measure_sentences: list[str] = field(default_factory=list)
    outcome_sentences: list[str] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)

    @classmethod
    def from_database(cls) -> Corpus:
        corpus = cls()
        real = Case.objects.filter(batch__lt=FIRST_SYNTHETIC_BATCH).prefetch_related("sections", "metrics")
        for case in real:
            corpus.titles.append(case.title)
            if case.subtitle:
                corpus.subtitles.append(case.subtitle)
            corpus.intro_sentences += sentences(case.intro)
            for section in case.sections.all():
                measure = section.kind == Section.Kind.MEASURE
                if section.heading:
                    (corpus.measure_headings if measure else corpus.outcome_headings).append(section.heading)
                (corpus.measure_sentences if measure else corpus.outcome_sentences).extend(sentences(section.body))
            corpus.metrics += [m for m in case.metrics.all() if m.section_id]
        if not corpus.titles:
            raise ValueError("数据库中没有真实案例可供重组，请先运行 manage.py load_seed。")
        return corpus


def cn_label(n: int) -> str:
    return f"({chinese_numeral(n)})"


def delete_synthetic() -> int:
    notices = Notice.objects.filter(batch__gte=FIRST_SYNTHETIC_BATCH)
    cases = Case.objects.filter(notice__in=notices)
    count = cases.count()
    with transaction.atomic():
        cases.delete()
        notices.delete()
        Agency.objects.filter(slug__startswith="syn-").delete()
    return count


def synthetic_agencies() -> list[Agency]:
    taken = set(Agency.objects.values_list("name", flat=True))
    wanted = []
    for region in Region.objects.all():
        for name, code in DEPARTMENTS:
            slug = f"syn-{region.slug}-{code}"
            if f"{region.name}{name}" not in taken:
                level = Agency.Level.CITY if region.kind == Region.Kind.PREFECTURE_CITY else Agency.Level.COUNTY
                kind = Agency.Kind.COURT if code == "court" else Agency.Kind.LOCAL_DEPARTMENT
                wanted.append(Agency(name=f"{region.name}{name}", slug=slug, kind=kind, level=level, region=region))
    Agency.objects.bulk_create(wanted)
    # Aliases are part of a case's search document (cases.indexing.index_document).
    return list(Agency.objects.select_related("region").prefetch_related("aliases"))


def generate_cases(
    count: int,
    *,
    seed: int = 2023,
    per_batch: int = 25,
    chunk: int = 500,
    progress=None,
    defer_indexes: bool | None = None,
) -> int:
    """Create ``count`` synthetic cases in new batches, all or nothing. Returns how many were created.

    Everything happens in one transaction: a run that fails or is killed
    leaves the database as it was, search indexes included (PostgreSQL's
    DDL is transactional), and the catalog version moves only when the new
    cases are committed.
    """
    rng = random.Random(seed)
    corpus = Corpus.from_database()
    agencies = synthetic_agencies()
    themes = list(Theme.objects.all())
    created = 0
    with transaction.atomic():
        next_batch = max(
            FIRST_SYNTHETIC_BATCH, (Notice.objects.order_by("-batch").values_list("batch", flat=True).first() or 0) + 1
        )
        defer = count >= DEFER_GIN_FROM if defer_indexes is None else defer_indexes
        with _search_indexes_deferred(defer):
            while created < count:
                size = min(chunk, count - created)
                next_batch = _generate_chunk(rng, corpus, agencies, themes, size, next_batch, per_batch)
                created += size
                if progress:
                    progress(created)
        CatalogVersion.bump()
    # Fresh statistics: without them PostgreSQL plans the case page's small
    # lookups as parallel scans (10 ms of worker start-up for 146 rows).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return created


# Below this many new cases, maintaining the GIN indexes row by row is cheaper
# than rebuilding them.
DEFER_GIN_FROM = 5000


@contextmanager
def _search_indexes_deferred(defer: bool):
    """On PostgreSQL, drop the search table's GIN indexes for a large build and recreate them after.

    A 100,000-case build would spend most of its time updating the four GIN
    indexes of the tiers' n-grams row by row; one CREATE INDEX at the end is
    several times faster. This runs inside
    the build's transaction: if the build fails or the process is killed,
    the rollback restores the indexes with everything else (a DROP INDEX
    outside a transaction, recreated in a ``finally`` that SIGKILL skips,
    once lost them for good). Other sessions' searches wait for the build.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not defer:
        yield
        return
    assert connection.in_atomic_block, "indexes may only be dropped inside the build's transaction"
    tiers = search_schema.PG_TIERS
    with connection.cursor() as cursor:
        for tier in tiers:
            cursor.execute(f'DROP INDEX IF EXISTS "{search_schema.gin_index_name(tier)}"')
    yield
    with connection.cursor() as cursor:
        # Deferred foreign-key checks must run before the table can be indexed.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for tier in tiers:
            cursor.execute(search_schema.gin_index_sql(tier))


def _generate_chunk(rng, corpus, agencies, themes, size, next_batch, per_batch) -> int:
    notices = []
    for offset in range((size + per_batch - 1) // per_batch):
        batch = next_batch + offset
        notices.append(
            Notice(
                batch=batch,
                title=f"{SYNTHETIC_MARK}关于推广第{batch}批优化营商环境示范案例的通知",
                issuer="合成数据生成器",
                issued_on=date(2024, 1, 1) + timedelta(days=batch % 700),
                recipients="各市、县、自治县党委和人民政府:",
                body=f"{SYNTHETIC_MARK}本批案例由真实案例的句子重组而成，仅用于性能测试。",
                publicity=Notice.Publicity.PUBLIC,
                title_in_source=False,
            )
        )
    Notice.objects.bulk_create(notices)
    now = timezone.now()
    cases, plans = [], []
    for index in range(size):
        notice = notices[index // per_batch]
        plan = _plan_case(rng, corpus, agencies, themes)
        plans.append(plan)
        number = index % per_batch + 1
        cases.append(
            Case(
                notice=notice,
                number=number,
                batch=notice.batch,
                label=f"优化营商环境示范案例{number}",
                title=plan["title"],
                subtitle=plan["subtitle"],
                intro=plan["intro"],
                measures_heading="一、主要做法",
                outcomes_heading="二、亮点及成效",
                status=Case.Status.PUBLISHED,
                published_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    Case.objects.bulk_create(cases)
    links, responsibilities, sections, theme_links = [], [], [], []
    for case, plan in zip(cases, plans, strict=True):
        for position, agency in enumerate(plan["agencies"], start=1):
            links.append(CaseAgency(case=case, agency=agency, position=position))
            responsibilities.append(Responsibility(case=case, agency=agency, position=position))
        for kind, items in ((Section.Kind.MEASURE, plan["measures"]), (Section.Kind.OUTCOME, plan["outcomes"])):
            for position, (heading, body) in enumerate(items, start=1):
                sections.append(
                    Section(
                        case=case, kind=kind, position=position, label=cn_label(position), heading=heading, body=body
                    )
                )
        theme_links += [Case.themes.through(case=case, theme=theme) for theme in plan["themes"]]
    CaseAgency.objects.bulk_create(links)
    Responsibility.objects.bulk_create(responsibilities)
    Section.objects.bulk_create(sections)
    Case.themes.through.objects.bulk_create(theme_links)
    by_case: dict[int, list[Section]] = {}
    for section in sections:
        by_case.setdefault(section.case_id, []).append(section)
    metrics, docs, facets = [], [], []
    for case, plan in zip(cases, plans, strict=True):
        case_sections = by_case[case.pk]
        for position, (section_index, real) in enumerate(plan["metrics"], start=1):
            metrics.append(
                Metric(
                    case=case,
                    section=case_sections[section_index],
                    position=position,
                    label=real.label,
                    value=real.value,
                    upper_value=real.upper_value,
                    unit=real.unit,
                    printed=real.printed,
                    approximate=real.approximate,
                    baseline_printed=real.baseline_printed,
                    baseline_value=real.baseline_value,
                    baseline_unit=real.baseline_unit,
                    period=real.period,
                    source_text=real.source_text,
                    is_key=position == 1,
                )
            )
        docs.append(
            index_document(
                case.pk,
                title=case.title,
                subtitle=case.subtitle,
                intro=case.intro,
                sections=case_sections,
                metrics=[m for _, m in plan["metrics"]],
                agencies=plan["agencies"],
                theme_names=[t.name for t in plan["themes"]],
            )
        )
        keys = facet_keys(
            batch=case.batch,
            agencies=plan["agencies"],
            theme_slugs=[t.slug for t in plan["themes"]],
            has_baseline=any(m.baseline_value is not None for _, m in plan["metrics"]),
        )
        facets += [CaseFacet(case=case, key=key) for key in sorted(keys)]
    Metric.objects.bulk_create(metrics)
    CaseSearch.objects.bulk_create([search for search, _, _ in docs])
    CaseText.objects.bulk_create([text for _, text, _ in docs])
    CaseWords.objects.bulk_create([words for _, _, words in docs])
    CaseFacet.objects.bulk_create(facets)
    return next_batch + len(notices)


def _plan_case(rng: random.Random, corpus: Corpus, agencies: list[Agency], themes: list[Theme]) -> dict:
    lead = rng.sample(agencies, rng.randint(1, 3))
    region_names = [a.region.short_name for a in lead if a.region_id]
    prefix = region_names[0] if region_names else ""
    measures = [
        (rng.choice(corpus.measure_headings), "".join(rng.sample(corpus.measure_sentences, rng.randint(2, 5))))
        for _ in range(rng.randint(3, 4))
    ]
    outcomes = [
        (rng.choice(corpus.outcome_headings), "".join(rng.sample(corpus.outcome_sentences, rng.randint(2, 4))))
        for _ in range(rng.randint(3, 4))
    ]
    picked = []
    for real in rng.sample(corpus.metrics, rng.randint(3, 8)):
        # Put the metric's source sentence into an outcome so the metric validates.
        index = len(measures) + rng.randrange(len(outcomes))
        heading, body = outcomes[index - len(measures)]
        outcomes[index - len(measures)] = (heading, body + real.source_text)
        picked.append((index, real))
    return {
        "title": f"{prefix}{rng.choice(corpus.titles)}",
        "subtitle": rng.choice(corpus.subtitles) if rng.random() < 0.8 else "",
        "intro": "".join(rng.sample(corpus.intro_sentences, rng.randint(2, 3))),
        "agencies": lead,
        "measures": measures,
        "outcomes": outcomes,
        "metrics": picked,
        # In the catalog's theme order, as a rebuilt search document lists them.
        "themes": sorted(rng.sample(themes, rng.randint(1, 2)), key=lambda t: (t.position, t.name)),
    }
