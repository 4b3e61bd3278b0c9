"""Keep the derived data in step with the catalog: the search index and facet values.

Saves of a case or any of its parts schedule the case for reindexing when the
transaction commits, once per case however many parts were saved (an admin
save of a case with twenty inlines reindexes it once; so does loaddata). The
schedule is written in the saving transaction itself (cases.journal), so no
crash between the commit and the reindex can leave a case unsearchable.

``QuerySet.update()`` sends no signal and so reindexes nothing: code that
changes searched text that way must call ``schedule_reindex`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Prefetch

from cases import journal
from cases.models import Agency, Case, CaseAgency

from .models import CaseFacet, CaseSearch, CaseText, CaseWords, CatalogVersion
from .tokens import index_tokens, plain_text
from .words import seamed


def build_document(
    case_id: int, *, title: str, subtitle: str, headings: list[str], intro: str, bodies: list[str]
) -> tuple[CaseSearch, CaseText, CaseWords]:
    """One case's index rows from its texts, in the tiers search ranks by: tokens, the plain text, its words.

    The bigram tokens are SQLite's (FTS5 reads them); PostgreSQL indexes the
    plain text itself, so its token columns stay empty.
    """
    document = CaseSearch(case_id=case_id, title="", headings="", intro="", body="")
    if connection.vendor == "sqlite":
        document.title = index_tokens(title, subtitle)
        document.headings = index_tokens(*headings)
        document.intro = index_tokens(intro)
        document.body = index_tokens(*bodies)
    text = CaseText(
        case_id=case_id,
        title=plain_text(title, subtitle),
        headings=plain_text(*headings),
        intro=plain_text(intro),
        body=plain_text(*bodies),
    )
    for tier in ("title", "headings", "intro", "body"):
        setattr(text, f"{tier}_length", len(getattr(text, tier)))
    words = CaseWords(
        case_id=case_id, words=seamed("\n".join(t for t in (text.title, text.headings, text.intro, text.body) if t))
    )
    return document, text, words


def facet_keys(*, batch: int, agencies: Iterable[Agency], theme_slugs: Iterable[str], has_baseline: bool) -> set[str]:
    """The facet values of one case, as CaseFacet keys; regions come from ``agency.region`` (select it)."""
    keys = {f"batch:{batch}"} | {f"theme:{slug}" for slug in theme_slugs}
    for agency in agencies:
        keys |= {f"kind:{agency.kind}", f"level:{agency.level}", f"agency:{agency.slug}"}
        if agency.region_id:
            keys.add(f"region:{agency.region.slug}")
    if has_baseline:
        keys.add("baseline:1")
    return keys


def case_facets(cases: Iterable[Case]) -> list[CaseFacet]:
    rows = []
    for case in cases:
        keys = facet_keys(
            batch=case.batch,
            agencies=[link.agency for link in case.case_agencies.all()],
            theme_slugs=[t.slug for t in case.themes.all()],
            has_baseline=any(m.baseline_value is not None for m in case.metrics.all()),
        )
        rows += [CaseFacet(case_id=case.pk, key=key) for key in sorted(keys)]
    return rows


def index_document(
    case_id: int, *, title: str, subtitle: str, intro: str, sections, metrics, agencies, theme_names
) -> tuple[CaseSearch, CaseText, CaseWords]:
    """The one definition of a case's search document, for every writer (reindexing and synthetic cases).

    ``sections`` have label, heading and body; ``metrics`` label and printed;
    ``agencies`` name and (prefetched) aliases, which count as headings.
    """
    sections, metrics, agencies = list(sections), list(metrics), list(agencies)
    headings = [s.heading for s in sections] + [m.label for m in metrics]
    headings += [a.name for a in agencies] + [alias.name for a in agencies for alias in a.aliases.all()]
    headings += list(theme_names)
    bodies = [f"{s.label}{s.body}" for s in sections] + [m.printed for m in metrics]
    return build_document(case_id, title=title, subtitle=subtitle, headings=headings, intro=intro, bodies=bodies)


def case_documents(cases: Iterable[Case]) -> list[tuple[CaseSearch, CaseText, CaseWords]]:
    return [
        index_document(
            case.pk,
            title=case.title,
            subtitle=case.subtitle,
            intro=case.intro,
            sections=case.sections.all(),
            metrics=case.metrics.all(),
            agencies=[link.agency for link in case.case_agencies.all()],
            theme_names=[t.name for t in case.themes.all()],
        )
        for case in cases
    ]


def reindex_cases(case_ids: Iterable[int] | None = None, *, chunk: int = 500) -> int:
    """Rebuild the search and facet rows of these cases (all cases when None). Returns how many were written."""
    cases = Case.objects.order_by("pk")
    derived = [CaseSearch.objects.all(), CaseText.objects.all(), CaseWords.objects.all(), CaseFacet.objects.all()]
    if case_ids is not None:
        ids = list(case_ids)
        cases = cases.filter(pk__in=ids)
        derived = [rows.filter(case_id__in=ids) for rows in derived]
    cases = cases.prefetch_related(
        Prefetch("case_agencies", queryset=CaseAgency.objects.select_related("agency__region").order_by("position")),
        "case_agencies__agency__aliases",
        "sections",
        "metrics",
        "themes",
    )
    written = 0
    with transaction.atomic():
        for rows in derived:
            rows.delete()
        batch: list[Case] = []
        for case in cases.iterator(chunk_size=chunk):
            batch.append(case)
            if len(batch) == chunk:
                written += _write(batch)
                batch = []
        written += _write(batch)
        CatalogVersion.bump()
    return written


def _write(cases: list[Case]) -> int:
    CaseFacet.objects.bulk_create(case_facets(cases))
    documents = case_documents(cases)
    CaseText.objects.bulk_create([text for _, text, _ in documents])
    CaseWords.objects.bulk_create([words for _, _, words in documents])
    return len(CaseSearch.objects.bulk_create([search for search, _, _ in documents]))


def schedule_reindex(case_ids: Iterable[int]) -> None:
    """Reindex these cases once the change that touched them is committed, once per case per transaction.

    The cases are recorded in the change's own transaction (cases.journal), so
    a process that dies right after the commit leaves them to be reindexed at
    the next start instead of unsearchable. Outside a transaction (autocommit:
    a save in ``manage.py shell``, simple-history's revert view) the change
    is already committed, so the cases are reindexed at once.
    """
    journal.record("reindex", {pk for pk in case_ids if pk is not None})


def reindex_recorded(keys: set[str]) -> None:
    """cases.journal's "reindex" work: the recorded case ids."""
    reindex_cases(sorted(int(key) for key in keys))


def unindexed_published() -> int:
    """How many published cases have no search index row (0 unless a crash or a bypassing write left them).

    Asked by every health probe: the usual answer (none) costs one EXISTS, which stops at the first row.
    """
    missing = Case.objects.published().filter(search_index__isnull=True)
    return missing.count() if missing.exists() else 0


def cases_of_agency(agency: Agency) -> list[int]:
    return list(CaseAgency.objects.filter(agency=agency).values_list("case_id", flat=True))


def refresh_stale_index(**kwargs) -> None:
    """post_migrate receiver: rebuild the index once when it is incomplete.

    Each tier's plain text (CaseText, for ranking) came with later
    migrations; cases indexed before it have none. A case without its index
    row, or a catalog without a version, is rebuilt too (an interrupted
    load). Runs after every ``migrate`` and costs two counts when all is well;
    does nothing while search's own tables are not there yet (a migrate to an
    earlier state).
    """
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    if not {CaseSearch._meta.db_table, CaseText._meta.db_table, Case._meta.db_table} <= present:
        return
    cases = Case.objects.count()
    if (
        CaseSearch.objects.count() != cases
        or CaseText.objects.count() != cases
        or CaseWords.objects.count() != cases  # indexed before the words came (search.0005)
        or (cases and not CatalogVersion.objects.exists())
    ):
        reindex_cases()
