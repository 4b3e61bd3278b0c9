"""The case list: search, facets, chips and pages (cases.search.listing)."""

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cases.caching import cached_page
from cases.extensions import list_filter_versions

from .listing import build_listing
from .misses import OUTCOME_HEADER, QUERY_HEADER, RESULTS_HEADER, outcome_of, record_misses


@require_safe
@record_misses  # outside the cache: every search counts, not only the first reader's
@cached_page("catalog", also=list_filter_versions)  # filtered by where cases landed: the tracker too
def case_list(request: HttpRequest) -> HttpResponse:
    listing = build_listing(request.GET, request.path)
    response = render(request, "search/case_list.html", {"listing": listing, "page": listing.page})
    if outcome := outcome_of(listing):
        response[OUTCOME_HEADER] = outcome
        # The query as search read it (normalised, at most 50 characters), percent-encoded: headers are Latin-1.
        response[QUERY_HEADER] = quote(listing.query.display[:50])
        response[RESULTS_HEADER] = str(listing.page.paginator.count)
    return response
