"""Where the other rooms plug into the catalog's pages, so that the catalog imports none of them.

Search adds a case page's related cases and neighbours; the tracker where
the case has landed (``adoption``, with the template that shows it). Each registers a function in its AppConfig.ready();
the catalog's views call whatever is registered. The comparison of cases
(cases.compare) takes rows the same way: the tracker adds where each landed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# (request, case, visible cases queryset) -> extra context for the case page
CasePageContext = Callable[..., dict]
case_page_context: list[CasePageContext] = []


def register_case_page_context(provider: CasePageContext) -> CasePageContext:
    if provider not in case_page_context:
        case_page_context.append(provider)
    return provider


def case_page_extras(request, case, visible) -> dict:
    context: dict = {"related_cases": [], "previous_case": None, "next_case": None}
    for provider in case_page_context:
        context.update(provider(request, case, visible))
    return context


# (cases) -> rows of the comparison table: (heading, one list of lines per case, in the cases' order)
ComparisonRows = Callable[[list], list[tuple[str, list[list[str]]]]]
comparison_rows: list[ComparisonRows] = []


def register_comparison_rows(provider: ComparisonRows) -> ComparisonRows:
    if provider not in comparison_rows:
        comparison_rows.append(provider)
    return provider


def comparison_extras(cases: list) -> list[tuple[str, list[list[str]]]]:
    rows: list[tuple[str, list[list[str]]]] = []
    for provider in comparison_rows:
        rows.extend(provider(cases))
    return rows


@dataclass(frozen=True)
class ListFilter:
    """A filter of the case list (page, API, downloads) that another room answers from its own data.

    ``filters()`` gives django-filter filters by parameter name (each reads
    its value only: ``method="keep"``); ``apply(values)`` takes the cleaned
    values of those parameters and returns None when the filter is not in
    use, else ("only" | "except", case ids); ``describe(values)`` names it in
    words for the page's heading and its chip; the list's cached pages then
    also depend on ``version``. ``template`` draws its controls on the list.
    """

    params: tuple[str, ...]
    version: str
    filters: Callable[[], dict]
    apply: Callable[[dict], tuple[str, Iterable[int]] | None]
    describe: Callable[[dict], str]
    template: str


list_filters: list[ListFilter] = []


def register_list_filter(list_filter: ListFilter) -> ListFilter:
    if all(existing.params != list_filter.params for existing in list_filters):
        list_filters.append(list_filter)
    return list_filter


def list_filter_versions(request) -> tuple[str, ...]:
    """The versions a case list request depends on beyond the catalog (cases.caching.cached_page's ``also``)."""
    return tuple(f.version for f in list_filters if any(request.GET.get(param) for param in f.params))
