"""What officials searched for that the catalog did not answer as typed: counted for editors, nobody recorded.

The case list's page is cached (cases.caching), so its view runs only for
the first reader of a query. It names its outcome in a response header
(``X-Page-Search-Outcome``), kept with the cached page, and ``record_misses``
around the cache counts every search whose outcome is not a plain hit:

- 没有结果: nothing at all;
- 只有包含部分词语的案例: no case holds all the words;
- 原词未找到，按词语找到: the terms as typed stand nowhere; their words do.

Only the query text is kept (normalised, at most 50 characters), with a
count and the first and last day it was seen: no user, no address, no time
of day. Only a plain search counts (the first page, no filter), so a filter
that leaves nothing is not taken for a missing word. At most
``SearchMiss.KEEP`` rows are kept: the rarest and oldest go first.
"""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import unquote

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SearchMiss

# Kept with the cached page (cases.caching.KEPT_PREFIX), removed before the reader gets it.
OUTCOME_HEADER = "X-Page-Search-Outcome"
QUERY_HEADER = "X-Page-Search-Query"
RESULTS_HEADER = "X-Page-Search-Results"
#: Parameters a plain search may have; any other (a facet, a filter) means the search is not counted.
PLAIN = {"q", "sort", "page"}
PRUNE_EVERY = 100  # new rows between two prunes

log = logging.getLogger(__name__)


def outcome_of(listing) -> str | None:
    """SearchMiss's outcome for a listing, or None when the terms were found as typed (or no search)."""
    match = listing.match
    if match is None:
        return None
    if not listing.page.paginator.count:
        return SearchMiss.NOTHING
    if match.partial:
        return SearchMiss.PARTIAL
    if match.understood:
        return SearchMiss.UNDERSTOOD
    return None


def record_misses(view):
    """Count the plain searches whose outcome (the view's header, cached with the page) is a miss."""

    @wraps(view)
    def counted(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        outcome = response.get(OUTCOME_HEADER)
        query = unquote(response.get(QUERY_HEADER, ""))[:50]
        results = response.get(RESULTS_HEADER, "0")
        for header in (OUTCOME_HEADER, QUERY_HEADER, RESULTS_HEADER):  # for this wrapper only, not the reader
            if header in response:
                del response[header]
        plain = set(request.GET) <= PLAIN and request.GET.get("page", "1").strip() in ("", "1")
        if outcome and query and response.status_code == 200 and plain:
            record(query, outcome, int(results) if results.isdigit() else 0)
        return response

    return counted


def record(query: str, outcome: str, results: int) -> None:
    """One more search for ``query``; never fails the page it was counted from."""
    today = timezone.localdate()
    changes = {"searches": F("searches") + 1, "last_seen": today, "outcome": outcome, "results": results}
    try:
        with transaction.atomic():
            if SearchMiss.objects.filter(query=query).update(**changes):
                return
            try:
                with transaction.atomic():
                    row = SearchMiss.objects.create(query=query, outcome=outcome, results=results)
            except IntegrityError:  # another request created it first
                SearchMiss.objects.filter(query=query).update(**changes)
                return
            if row.pk % PRUNE_EVERY == 0:
                prune(keep=row.pk)
    except DatabaseError:
        log.warning("未能记录检索词", exc_info=True)


def prune(keep: int | None = None) -> None:
    """Keep at most SearchMiss.KEEP rows: the rarest, then the longest unseen, go; never ``keep``, just added."""
    extra = SearchMiss.objects.count() - SearchMiss.KEEP
    if extra > 0:
        rows = SearchMiss.objects.exclude(pk=keep).order_by("searches", "last_seen", "pk")
        SearchMiss.objects.filter(pk__in=list(rows.values_list("pk", flat=True)[:extra])).delete()
