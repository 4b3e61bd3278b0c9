"""Everything the case list page shows for one query string."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.safestring import SafeString

from cases.errors import ClearBadRequest, ClearNotFound, parse_positive_int
from cases.extensions import list_filters
from cases.models import Case

from . import fragments
from .facets import Chip, Facet, build_chips, build_facets, clear_filters_url
from .filters import CaseFilter, bound_case_filter
from .matching import QueryMatch
from .query import SearchQuery
from .snippets import Snippet, case_snippet, highlight, match_spans, section_passages
from .words import function_words_in

PAGE_SIZE = 20


@dataclass
class Result:
    case: Case
    title_html: SafeString
    snippet: Snippet | None
    subtitle_html: SafeString | str = ""
    matched_words: list[str] = field(default_factory=list)  # partial results: which words this case holds


@dataclass
class UnderstoodWord:
    word: str
    others: list[str]  # synonyms searched with it
    near: bool  # the others are near-synonyms from the general resource
    optional: bool
    found: bool


@dataclass
class CaseListing:
    filter: CaseFilter
    invalid: list[str]
    query: SearchQuery
    page: Page
    results: list[Result]
    facets: list[Facet]
    chips: list[Chip]
    clear_url: str
    download_query: str = ""
    match: QueryMatch | None = None
    suggestions: list[tuple[str, list[str]]] = field(default_factory=list)
    themes: list[tuple[str, str]] = field(default_factory=list)  # (name, slug): where to browse on no exact match
    cards: dict[int, fragments.Card] = field(default_factory=dict)  # each result's fixed part

    @property
    def results_html(self) -> SafeString:
        return fragments.results_html(self.results, self.cards)

    @property
    def facets_html(self) -> SafeString:
        return fragments.facets_html(self.facets)

    @property
    def understood(self) -> bool:
        """The typed terms were not found as they stand: these cases were found by their words."""
        return bool(self.match and self.match.understood)

    @property
    def understood_words(self) -> list[UnderstoodWord]:
        if not self.understood:
            return []
        return [
            UnderstoodWord(w.word, [f for f in w.forms if f != w.word], w.near, w.optional, bool(w.anywhere))
            for w in self.match.words
        ]

    @property
    def dropped_words(self) -> list[str]:
        """Words of the query that need not match (要, 哪些, 怎么 …), for the page's explanation."""
        if not self.understood:
            return []
        kept = {w.word for w in self.match.words}
        return [w for term in self.query.terms for w in function_words_in(term) if w not in kept]

    @property
    def document_limit(self) -> int:
        """The most cases the list's Word document holds (cases.search.downloads)."""
        return settings.DOCUMENT_MAX_CASES

    @property
    def list_filters(self) -> list:
        """Other rooms' filters, whose controls the page draws (cases.extensions.ListFilter)."""
        return list_filters

    @property
    def heading_filters(self) -> str:
        """The filters in words, for the page's heading: 批次：第四批；主题：政务服务."""
        return "；".join(f"{chip.facet_label}：{chip.label}" for chip in self.chips)

    @property
    def partial(self) -> bool:
        return bool(self.match and self.match.partial)

    @property
    def invalid_labels(self) -> list[str]:
        return [
            str(self.filter.filters[name].label) if name in self.filter.filters else "页码" for name in self.invalid
        ]


class CountedPaginator(Paginator):
    """A paginator told its count, which the filter computes from the index without the case table."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def page_number(data: QueryDict, *, strict: bool = True) -> int | None:
    """The page asked for; absent means 1.

    Anything but a positive integer is a clear 400 (``strict``, the API), or
    None (the list page, which shows page 1 and says it ignored the value).
    """
    raw = data.get("page", "")
    if raw.strip() == "":
        return 1
    number = parse_positive_int(raw)
    if number is None and strict:
        raise ClearBadRequest(f"页码“{raw[:20]}”无效：页码应为正整数，如 1、2、3。")
    return number


def paginate_cases(case_filter: CaseFilter, per_page: int, number: int, *, cases=None) -> Page:
    """The page of cases asked for, in the filter's order, with ``relevance`` when searching.

    The order is decided in-process (cases.search.engine); only this page's cases
    are loaded from the database (``cases``: with what the page shows of them,
    by default cards' relations). A page beyond the last is a clear 404.
    """
    ranked = case_filter.ranked()
    paginator = CountedPaginator(ranked, per_page, count=len(ranked))
    if number > paginator.num_pages:
        raise ClearNotFound(f"没有第 {number} 页：符合条件的案例共 {paginator.count} 个，{paginator.num_pages} 页。")
    page = paginator.page(number)
    rows = list(page.object_list)
    unscored = [pk for pk, score in rows if score is None]
    if unscored and case_filter.query_match() is not None:  # beyond the ranked window, or another sort
        scores = case_filter.scores_of(unscored)
        rows = [(pk, scores.get(pk, score) if score is None else score) for pk, score in rows]
    cases = Case.objects.for_list() if cases is None else cases
    loaded = cases.in_bulk([pk for pk, _ in rows])
    page.object_list = []
    for pk, score in rows:
        if pk in loaded:
            case = loaded[pk]
            case.relevance = score
            page.object_list.append(case)
    return page


def build_listing(data: QueryDict, path: str) -> CaseListing:
    case_filter, invalid = bound_case_filter(data)
    query = case_filter.search_query
    number = page_number(data, strict=False)
    if number is None:
        invalid.append("page")
    # The cases' own columns only: each card's relations are drawn once per catalog version (fragments.cards).
    page = paginate_cases(case_filter, PAGE_SIZE, number or 1, cases=Case.objects.all())
    cards = fragments.cards(case_filter.catalog(), page.object_list)
    match = case_filter.query_match()
    results = _results(case_filter, match, page.object_list)
    facets = build_facets(case_filter)
    suggestions, themes = [], []
    if match is not None and (match.partial or match.understood or not page.paginator.count):
        labels = case_filter.catalog().labels("theme")
        themes = [(name, slug) for slug, name in labels.items()]
    if match is not None and (match.partial or not page.paginator.count):
        suggester = case_filter.catalog().suggester
        words = [w for w in match.missing if w not in match.query.quoted] or [
            w.word for w in match.words if not w.optional
        ]
        thesaurus = case_filter.catalog().thesaurus
        for word in words:
            # Near misses of any form: 企业注消 → 经营主体注销 (the form the notice prints).
            forms = thesaurus.forms(word)
            near = [s for form in forms for s in suggester.near(form, fuzzy=False)]
            near += [s for form in forms for s in suggester.near(form)]
            near = list(dict.fromkeys(near))[:5]
            if near:
                suggestions.append((word, near))
    return CaseListing(
        filter=case_filter,
        invalid=invalid,
        query=query,
        page=page,
        results=results,
        facets=facets,
        chips=build_chips(case_filter.data, facets, path) + _other_room_chips(case_filter, path),
        clear_url=clear_filters_url(case_filter.data, path),
        download_query=_without_page(data),
        match=match,
        suggestions=suggestions,
        themes=themes,
        cards=cards,
    )


def _other_room_chips(case_filter: CaseFilter, path: str) -> list[Chip]:
    """A chip for each other room's filter in use (valid values only), removing all of its parameters."""
    chips = []
    for list_filter, words in case_filter.other_rooms_in_use():
        remaining = case_filter.data.copy()
        for param in (*list_filter.params, "page"):
            remaining.pop(param, None)
        query = remaining.urlencode()
        chips.append(Chip("推广落实", words, f"{path}?{query}" if query else path))
    return chips


def _results(case_filter: CaseFilter, match: QueryMatch | None, cases: list[Case]) -> list[Result]:
    if match is None:
        return [Result(case, highlight(case.title, []), None, case.subtitle) for case in cases]
    forms = [f for word in match.words for f in word.forms]
    sections = section_passages([case.pk for case in cases])
    index = case_filter.catalog()
    results = []
    for case in cases:
        result = Result(
            case,
            highlight(case.title, match_spans(case.title, forms)),
            case_snippet(case, match.forms, sections.get(case.pk, [])),
            highlight(case.subtitle, match_spans(case.subtitle, forms)) if case.subtitle else "",
        )
        if match.partial:
            result.matched_words = match.words_of(index.position[case.pk])
        results.append(result)
    return results


def _without_page(data: QueryDict) -> str:
    kept = data.copy()
    kept.pop("page", None)
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else ""
