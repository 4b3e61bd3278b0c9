"""The case list: search, facets, chips and pages (cases.search.listing)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cases.caching import cached_page
from cases.extensions import list_filter_versions

from .listing import build_listing


@require_safe
@cached_page("catalog", also=list_filter_versions)  # filtered by where cases landed: the tracker too
def case_list(request: HttpRequest) -> HttpResponse:
    listing = build_listing(request.GET, request.path)
    return render(request, "search/case_list.html", {"listing": listing, "page": listing.page})
