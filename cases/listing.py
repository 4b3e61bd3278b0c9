"""Everything the case list page shows for one query string."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.safestring import SafeString

from .facets import Chip, Facet, build_chips, build_facets, clear_filters_url
from .filters import CaseFilter, bound_case_filter
from .models import Case
from .search import SearchQuery
from .snippets import Snippet, case_snippet, highlight, match_spans

PAGE_SIZE = 20


@dataclass
class Result:
    case: Case
    title_html: SafeString
    snippet: Snippet | None


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

    @property
    def invalid_labels(self) -> list[str]:
        return [str(self.filter.filters[name].label) for name in self.invalid]


def page_number(data: QueryDict) -> int:
    try:
        return max(1, int(data.get("page", "1")))
    except ValueError:
        return 1


def build_listing(data: QueryDict, path: str) -> CaseListing:
    case_filter, invalid = bound_case_filter(data, Case.objects.for_list())
    query = case_filter.search_query
    cases = case_filter.qs.with_sections() if query else case_filter.qs
    page = Paginator(cases, PAGE_SIZE).get_page(page_number(data))
    results = [
        Result(case, highlight(case.title, match_spans(case.title, query.terms)), case_snippet(case, query))
        for case in page.object_list
    ]
    facets = build_facets(case_filter)
    return CaseListing(
        filter=case_filter, invalid=invalid, query=query, page=page, results=results, facets=facets,
        chips=build_chips(case_filter.data, facets, path), clear_url=clear_filters_url(case_filter.data, path),
    )
