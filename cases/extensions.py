"""Where the other rooms plug into the catalog's pages, so that the catalog imports none of them.

Search adds a case page's related cases and neighbours; the tracker where
the case has landed (``adoption``, with the template that shows it). Each registers a function in its AppConfig.ready();
the catalog's views call whatever is registered. The comparison of cases
(cases.compare) takes rows the same way: the tracker adds where each landed.
"""

from __future__ import annotations

from collections.abc import Callable

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
