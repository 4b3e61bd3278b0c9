"""Where the other rooms plug into the catalog's pages, so that the catalog imports none of them.

Search adds a case page's related cases and neighbours; the tracker where
the case has landed (``adoption``, with the template that shows it). Each registers a function in its AppConfig.ready();
the catalog's views call whatever is registered.
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
