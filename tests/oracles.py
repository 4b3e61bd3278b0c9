"""Brute-force oracles over the models: what search, facets, downloads and the API must show.

They read the catalog's own tables (cases, their parts, agencies, themes)
and never the derived search and facet tables, so they catch an index that
has fallen behind the database as well as a wrong query.
"""

from __future__ import annotations

import csv
import io
import math
import re

from django.db.models import Prefetch

from cases.models import Agency, Case, CaseAgency, Theme
from cases.search.models import CaseFacet, CaseSearch, CaseText, CaseWords, SynonymSet
from cases.search.query import SearchQuery
from cases.search.thesaurus import Thesaurus, general_synonyms
from cases.search.tokens import normalize
from cases.search.words import (
    FUNCTION_WORDS,
    Lexicon,
    Word,
    bounded,
    cut,
    parts_of,
    quoted_terms,
    seamed,
    words_of,
)

FACETS = ("theme", "batch", "kind", "level", "region", "agency", "has_baseline")


def _cases(published_only: bool):
    cases = Case.objects.select_related("notice").prefetch_related(
        "sections",
        "metrics",
        "themes",
        Prefetch("case_agencies", queryset=CaseAgency.objects.select_related("agency__region").order_by("position")),
        "case_agencies__agency__aliases",
    )
    return cases.published() if published_only else cases


def case_parts(case: Case) -> dict[str, list[str]]:
    """The texts of each ranking tier, straight from the models."""
    agencies = [link.agency for link in case.case_agencies.all()]
    sections = list(case.sections.all())
    metrics = list(case.metrics.all())
    headings = [s.heading for s in sections] + [m.label for m in metrics] + [a.name for a in agencies]
    headings += [alias.name for a in agencies for alias in a.aliases.all()] + [t.name for t in case.themes.all()]
    return {
        "title": [case.title, case.subtitle],
        "headings": headings,
        "intro": [case.intro],
        "body": [s.label + s.body for s in sections] + [m.printed for m in metrics],
    }


def case_texts(case: Case) -> dict[str, str]:
    """Each tier as one text: every whitespace-free run on a line of its own, so no word straddles two."""
    return {
        tier: "\n".join(run for text in texts for run in normalize(text).split())
        for tier, texts in case_parts(case).items()
    }


def thesaurus() -> Thesaurus:
    """The synonym sets and every agency's name with its aliases, read from the models."""
    groups = [(s.word_list, s.one_way) for s in SynonymSet.objects.order_by("pk")]
    for agency in Agency.objects.prefetch_related("aliases"):
        aliases = [a.name for a in agency.aliases.all()]
        if aliases:
            groups.append(([agency.name, *aliases], False))
    return Thesaurus.from_groups(groups)


WEIGHTS = {"title": 5.0, "headings": 3.0, "intro": 2.0, "body": 1.0}


def ranked_matches(text: str, *, published_only: bool) -> list[Case]:
    """What the list and the API must show for ``text``, in order, computed by brute force.

    Every word in any of its forms; when no case holds all words, those holding some, most words first
    (a single long word that matches nothing is split first); BM25F over the tiers, ties by newest batch
    and number.
    """
    words = ranked_words(text, published_only=published_only)
    return [case for case, _, _ in words]


def lexicon() -> Lexicon:
    """The catalog's own words, from the models: synonym words, names, aliases, themes, titles' quoted terms."""
    th = thesaurus()
    words = set(th.expansions) | {w for forms in th.expansions.values() for w in forms}
    for agency in Agency.objects.prefetch_related("aliases"):
        words |= {normalize(agency.name)} | {normalize(a.name) for a in agency.aliases.all()}
    words |= {normalize(name) for name in Theme.objects.values_list("name", flat=True)}
    for case in Case.objects.published():
        words |= {normalize(t) for t in quoted_terms(f"{case.title} {case.subtitle}")}
    return Lexicon.of(words)


def ranked_words(text: str, *, published_only: bool) -> list[tuple[Case, int, float]]:
    th = thesaurus()
    query = SearchQuery.parse(text)
    terms = list(query.terms)
    cases = list(_cases(published_only))
    texts = {case.pk: case_texts(case) for case in cases}
    published = [c for c in cases if c.is_published] if not published_only else cases

    def holds(case, forms):
        return any(form in part for form in forms for part in texts[case.pk].values())

    def word_forms(words):
        return [(w,) if w in query.quoted else th.forms(w) for w in words]

    forms = word_forms(terms)
    optional = [False] * len(terms)
    hits = [c for c in cases if all(holds(c, f) for f in forms)]
    partial = False
    each_stands = all(any(holds(c, f) for c in published) for f in forms)
    understood = not hits and bool(terms) and not each_stands
    if not hits and terms and each_stands:
        hits = [c for c in cases if any(holds(c, f) for f in forms)]
        partial = bool(hits)
        required = forms
    elif not hits and terms:
        # Understood as words: cut, function words dropped, single characters optional.
        words: list[str] = []
        optional = []
        known = lexicon()
        for term in terms:
            for word in [Word(term)] if term in query.quoted else words_of(term, known):
                if word.text not in words:
                    words.append(word.text)
                    optional.append(word.optional)
        if all(optional):
            words, optional = [], []

        def empty(word, word_forms_, opt):
            # Found in no published case (the catalog index holds only those), in any of its forms.
            return not opt and word not in query.quoted and not any(holds(c, word_forms_) for c in published)

        general = general_synonyms()
        forms = word_forms(words)
        listed = zip(words, forms, optional, strict=True)
        near = {w: general[w] for w, f, o in listed if empty(w, f, o) and general.get(w)}
        forms = [(*f, *near[w]) if w in near else f for w, f in zip(words, forms, strict=True)]
        if any(
            empty(w, f, o) and [p.text for p in parts_of(w)] != [w]
            for w, f, o in zip(words, forms, optional, strict=True)
        ):
            parts: dict[str, bool] = {}
            for w, f, o in zip(words, forms, optional, strict=True):
                for piece in parts_of(w) if empty(w, f, o) else [Word(w, o)]:
                    parts.setdefault(piece.text, piece.optional)
            words, optional = list(parts), list(parts.values())
            forms = [(*f, *near[w]) if w in near else f for w, f in zip(words, word_forms(words), strict=True)]
        required = [f for f, opt in zip(forms, optional, strict=True) if not opt] or forms
        hits = [c for c in cases if all(holds(c, f) for f in required)] if forms else []
        if not hits and forms:
            hits = [c for c in cases if any(holds(c, f) for f in required)]
            partial = bool(hits)
        if not hits:
            # The last resort: the query's Chinese characters, not function words, at most eight.
            pieces = [p for t in terms if t not in query.quoted for p in cut(t) if p not in FUNCTION_WORDS]
            chars = [c for p in pieces for c in p if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"]
            chars = [c for c in dict.fromkeys(chars) if c not in FUNCTION_WORDS][:8]
            forms = required = [(c,) for c in chars]
            hits = [c for c in cases if any(holds(c, f) for f in required)]
            partial = bool(hits)
    else:
        required = forms
    # Corpus statistics over the published cases, as the catalog index keeps them.
    n = len(published)
    averages = {tier: sum(len(texts[c.pk][tier]) for c in published) / max(n, 1) for tier in WEIGHTS}
    frequencies = [sum(1 for c in published if holds(c, f)) for f in forms]
    ranked = []
    for case in hits:
        score = 0.0
        seams = seamed("\n".join(t for t in texts[case.pk].values() if t))
        for word_forms_, df in zip(forms, frequencies, strict=True):
            weighted = 0.0
            total = 0
            for tier, weight in WEIGHTS.items():
                count = sum(texts[case.pk][tier].count(form) for form in word_forms_)
                total += count
                if count:
                    weighted += weight * count / (0.25 + 0.75 * len(texts[case.pk][tier]) / (averages[tier] or 1))
            if total and understood:
                on_boundaries = sum(seams.count(form) for form in word_forms_)
                on_boundaries += sum(seams.count(bounded(form)) for form in word_forms_ if bounded(form))
                on_boundaries = min(on_boundaries, total)
                weighted *= (on_boundaries + 0.2 * (total - on_boundaries)) / total
            if weighted:
                score += math.log(1 + (max(n, 1) - df + 0.5) / (df + 0.5)) * weighted / (1.2 + weighted)
        matched = sum(1 for f in required if holds(case, f))
        ranked.append((case, matched if partial else 0, round(score, 6)))
    ranked.sort(key=lambda item: (-item[1], -item[2], -item[0].batch, item[0].number))
    return ranked


def oracle(text: str) -> list[int]:
    """Case numbers (one batch) shown for ``text`` in rank order, drafts included."""
    return [case.number for case in ranked_matches(text, published_only=False)]


def search_oracle(text: str) -> list[str]:
    """Codes (4-1) of the published cases shown for ``text``, in the order the list and the API give."""
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
    from cases.search.indexing import case_documents, case_facets

    cases = list(_cases(published_only=False).order_by("pk"))
    documents = case_documents(cases)
    expected_docs = {d.case_id: (d.title, d.headings, d.intro, d.body) for d, _, _ in documents}
    stored_docs = {row.case_id: (row.title, row.headings, row.intro, row.body) for row in CaseSearch.objects.all()}
    assert stored_docs == expected_docs, "the search index is behind the catalog"
    fields = (
        "title",
        "headings",
        "intro",
        "body",
        "title_length",
        "headings_length",
        "intro_length",
        "body_length",
    )
    expected_texts = {t.case_id: tuple(getattr(t, f) for f in fields) for _, t, _ in documents}
    stored_texts = {row.case_id: tuple(getattr(row, f) for f in fields) for row in CaseText.objects.all()}
    assert stored_texts == expected_texts, "the ranking text is behind the catalog"
    expected_words = {w.case_id: w.words for _, _, w in documents}
    assert dict(CaseWords.objects.values_list("case_id", "words")) == expected_words, "the words are behind"
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


FACET_OPTION = re.compile(
    r'name="(?P<facet>[a-z_]+)" value="(?P<value>[^"]*)"[^>]*>\s*'
    r'<label[^>]*>[^<]*<span class="count">(?P<count>\d+)</span>'
)
RESULT_COUNT = re.compile(r'<p class="result-count" role="status">[^<\d]*(\d+)')


def shown_facets(client) -> dict[str, dict[str, int]]:
    """The facet counts as the page shows them (read from the HTML: a page served from the cache has no context)."""
    html = client.get("/cases/").content.decode()
    shown: dict[str, dict[str, int]] = {}
    for match in FACET_OPTION.finditer(html):
        if count := int(match["count"]):
            shown.setdefault(match["facet"], {})[match["value"]] = count
    return shown


def shown_count(client, query: str) -> int:
    html = client.get(f"/cases/?{query}").content.decode()
    return int(RESULT_COUNT.search(html)[1])


def assert_catalog_consistent(client, queries: list[str]) -> None:
    """What search, facets, downloads and the API show equals the database, for each query."""
    from urllib.parse import urlencode

    assert_derived_data_is_current()
    for text in ["", *queries]:
        expected = search_oracle(text) if text else [c.code for c in _cases(True).order_by("-batch", "number")]
        query = urlencode({"q": text}) if text else ""
        assert api_codes(client, query) == expected, f"API for {text!r}"
        assert download_codes(client, query) == expected, f"download for {text!r}"
        assert shown_count(client, query) == len(expected), f"list page count for {text!r}"
    shown, wanted = shown_facets(client), facet_oracle()
    for facet in FACETS:
        # The agency and batch facets show their largest options; each shown count must be exact.
        shown.setdefault(facet, {})
        for value, count in shown[facet].items():
            assert wanted[facet].get(value) == count, (facet, value, count, wanted[facet].get(value))
        if facet not in ("agency", "batch"):
            assert shown[facet] == wanted[facet], facet
