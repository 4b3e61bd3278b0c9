"""Brute-force oracles over the models: what search, facets, downloads and the API must show.

They read the catalog's own tables (cases, their parts, agencies, themes)
and never the derived search and facet tables, so they catch an index that
has fallen behind the database as well as a wrong query.
"""

from __future__ import annotations

import csv
import io

from django.db.models import Prefetch

from cases.models import Case, CaseAgency, CaseFacet, CaseSearch
from cases.search import SearchQuery, normalize

FACETS = ("theme", "batch", "kind", "level", "region", "agency", "has_baseline")


def _cases(published_only: bool):
    cases = Case.objects.select_related("notice").prefetch_related(
        "sections", "metrics", "themes",
        Prefetch("case_agencies", queryset=CaseAgency.objects.select_related("agency__region").order_by("position")),
        "case_agencies__agency__aliases",
    )
    return cases.published() if published_only else cases


def case_texts(case: Case) -> dict[str, str]:
    """The text of each ranking tier, straight from the models."""
    agencies = [link.agency for link in case.case_agencies.all()]
    sections = list(case.sections.all())
    metrics = list(case.metrics.all())
    headings = [s.heading for s in sections] + [m.label for m in metrics] + [a.name for a in agencies]
    headings += [alias.name for a in agencies for alias in a.aliases.all()] + [t.name for t in case.themes.all()]
    parts = {
        "title": [case.title, case.subtitle],
        "headings": headings,
        "intro": [case.intro],
        "body": [s.label + s.body for s in sections] + [m.printed for m in metrics],
    }
    return {tier: "\n".join(normalize(t) for t in texts) for tier, texts in parts.items()}


def ranked_matches(text: str, *, published_only: bool) -> list[Case]:
    """Cases in which every term stands verbatim, ranked as cases.search documents."""
    terms = SearchQuery.parse(text).terms
    ranked = []
    for case in _cases(published_only):
        tiers = case_texts(case)
        if not all(any(term in part for part in tiers.values()) for term in terms):
            continue
        # A term may not straddle two parts; the index keeps them apart too.
        score = 1 + sum(weight for tier, weight in (("title", 8), ("headings", 4), ("intro", 2))
                        if all(term in tiers[tier] for term in terms))
        ranked.append(((-score, -case.batch, case.number), case))
    return [case for _, case in sorted(ranked, key=lambda pair: pair[0])]


def oracle(text: str) -> list[int]:
    """Case numbers (one batch) matching ``text`` in rank order, drafts included."""
    return [case.number for case in ranked_matches(text, published_only=False)]


def search_oracle(text: str) -> list[str]:
    """Codes (4-1) of the published cases matching ``text``, in the order the list and the API give."""
    return [case.code for case in ranked_matches(text, published_only=True)]


def facet_values(case: Case) -> dict[str, set[str]]:
    agencies = [link.agency for link in case.case_agencies.all()]
    return {
        "batch": {str(case.batch)},
        "theme": {t.slug for t in case.themes.all()},
        "kind": {a.kind for a in agencies},
        "level": {a.level for a in agencies},
        "region": {a.region.slug for a in agencies if a.region_id},
        "agency": {a.slug for a in agencies},
        "has_baseline": {"1"} if any(m.baseline_value is not None for m in case.metrics.all()) else set(),
    }


def facet_oracle() -> dict[str, dict[str, int]]:
    """Published cases per facet value, with no filter applied."""
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    for case in _cases(published_only=True):
        for facet, values in facet_values(case).items():
            for value in values:
                counts[facet][value] = counts[facet].get(value, 0) + 1
    return counts


def assert_derived_data_is_current() -> None:
    """The stored search rows and facet keys equal what a rebuild from the models writes now."""
    from cases.indexing import case_documents, case_facets

    cases = list(_cases(published_only=False).order_by("pk"))
    expected_docs = {d.case_id: (d.title, d.headings, d.intro, d.body) for d in case_documents(cases)}
    stored_docs = {row.case_id: (row.title, row.headings, row.intro, row.body) for row in CaseSearch.objects.all()}
    assert stored_docs == expected_docs, "the search index is behind the catalog"
    expected_keys = {(f.case_id, f.key) for f in case_facets(cases)}
    stored_keys = set(CaseFacet.objects.values_list("case_id", "key"))
    assert stored_keys == expected_keys, "the facet values are behind the catalog"


def api_codes(client, query: str = "") -> list[str]:
    codes, url = [], f"/api/cases/?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        data = response.json()
        codes += [f"{r['batch']}-{r['number']}" for r in data["results"]]
        url = data["next"]
    return codes


def download_codes(client, query: str = "") -> list[str]:
    response = client.get(f"/cases/download.csv?{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:]]


def shown_facets(client) -> dict[str, dict[str, int]]:
    listing = client.get("/cases/").context["listing"]
    return {facet.name: {o.value: o.count for o in facet.options if o.count} for facet in listing.facets}


def assert_catalog_consistent(client, queries: list[str]) -> None:
    """What search, facets, downloads and the API show equals the database, for each query."""
    from urllib.parse import urlencode

    assert_derived_data_is_current()
    for text in ["", *queries]:
        expected = search_oracle(text) if text else [c.code for c in _cases(True).order_by("-batch", "number")]
        query = urlencode({"q": text}) if text else ""
        assert api_codes(client, query) == expected, f"API for {text!r}"
        assert download_codes(client, query) == expected, f"download for {text!r}"
        listing = client.get(f"/cases/?{query}").context["listing"]
        assert listing.page.paginator.count == len(expected), f"list page count for {text!r}"
    shown, wanted = shown_facets(client), facet_oracle()
    for facet in FACETS:
        # The agency and batch facets show their largest options; each shown count must be exact.
        for value, count in shown[facet].items():
            assert wanted[facet].get(value) == count, (facet, value, count, wanted[facet].get(value))
        if facet not in ("agency", "batch"):
            assert shown[facet] == wanted[facet], facet
