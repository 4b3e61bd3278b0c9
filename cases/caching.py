"""Anonymous pages cached per data version, answered with ETag/Last-Modified.

A page an anonymous official reads depends only on its URL and on the data:
the catalog (``catalog``: cases and their parts, agencies, themes, regions,
synonyms) and, for the tracker's pages, the reports (``tracker``). Each room
registers its version model (a token, when it changed and a serial;
search's CatalogVersion, the tracker's TrackerVersion), which every write
bumps when it commits. A cached page is keyed by the URL and the versions,
so any edit, import, publish or report makes exactly the pages that show
that data stale, at once, in every process: the versions are read on each
request, from the database, or with Redis (``REDIS_URL``) from where each
write publishes them when it commits (cases.versions says why that is safe).

A browser's repeat visit sends If-None-Match / If-Modified-Since and gets a
304 without the page being rendered or even read from the cache
(``django.views.decorators.http.condition``). Signed-in users are never
served a cached page and their pages are marked private. A response that
set a cookie, used a CSRF token or carried a message is never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, quote_etag
from django.utils.http import http_date
from django.utils.regex_helper import _lazy_re_compile
from django.utils.text import compress_string
from django.views.decorators.http import condition

from .versions import State, shared_rows, shares_versions, version_rows

#: name -> the version model of that data (a single row: token, changed_at), whose
#: ``state(using)`` classmethod answers when the row does not exist yet.
_versions: dict[str, type] = {}

ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")

#: Response headers kept with a cached page.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
#: Headers a view writes for a wrapper around the cache (a room's own notes on the page), kept with it too.
KEPT_PREFIX = "X-Page-"


def register_version(name: str, model: type) -> None:
    _versions[name] = model


def _today() -> State:
    """The calendar day as a version: pages that judge deadlines by today's date go stale at midnight."""
    day = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return State(f"day:{day.isoformat()}", midnight, 0)


#: name -> a version computed, not stored: "day" changes at local midnight.
_clocks: dict[str, Callable[[], State]] = {"day": _today}


def version_models() -> list[type]:
    return list(_versions.values())


def _read_states(request: HttpRequest, names: tuple[str, ...], memo_name: str, read) -> list[State] | None:
    memo = request.__dict__.setdefault(memo_name, {})
    for name in names:
        if name in _clocks and name not in memo:
            memo[name] = _clocks[name]()
    unread = [name for name in names if name not in memo and name in _versions]
    if unread:
        rows = read([_versions[name] for name in unread])
        for name in unread:
            model = _versions[name]
            memo[name] = rows[model] if rows[model] is not None else model.state(None)
    states = []
    for name in names:
        if memo.get(name) is None:
            return None
        states.append(memo[name])
    return states


def _states(request: HttpRequest, names: tuple[str, ...]) -> list[State] | None:
    """The versions a page depends on, as the shared cache publishes them (else the database); None when unknown.

    Read once per request, all in one round trip. With Redis a page served
    from the page cache costs no database round trip (cases.versions).
    """
    return _read_states(request, names, "_shared_versions", lambda models: shared_rows(models) or version_rows(models))


def _data_states(request: HttpRequest, names: tuple[str, ...]) -> list[State] | None:
    """The versions of the database this request reads its data from: what is rendered is stored under these only."""
    if not shares_versions():
        return _states(request, names)
    return _read_states(request, names, "_data_versions", version_rows)


def _anonymous_read(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated and "messages" not in request.COOKIES


def _tag(request: HttpRequest, states) -> str:
    # The host is part of the key: feeds and the API write absolute links from it, and ALLOWED_HOSTS
    # does not look at the port, so a foreign Host must never choose the links the next reader gets.
    parts = [state.token for state in states] + [request.get_host(), request.get_full_path()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def cached_page(*names: str, seconds: int | None = None, also: Callable[[HttpRequest], tuple[str, ...]] | None = None):
    """Cache an anonymous GET of the decorated view per URL and per version of ``names`` ("catalog", "tracker").

    ``also(request)`` names more versions a particular request depends on (a
    case list filtered by where cases have landed depends on the tracker).
    """

    def names_for(request) -> tuple[str, ...]:
        if also is None:
            return names
        return names + tuple(name for name in also(request) if name not in names)

    def etag(request, *args, **kwargs):
        if not _anonymous_read(request):
            return None
        states = _states(request, names_for(request))
        return None if states is None else _tag(request, states)

    def last_modified(request, *args, **kwargs):
        if not _anonymous_read(request):
            return None
        states = _states(request, names_for(request))
        return None if states is None else _settled_change(states)

    def decorator(view):
        conditional = condition(etag_func=etag, last_modified_func=last_modified)

        @wraps(view)
        def serve(request, *args, **kwargs):
            if not _anonymous_read(request):
                response = view(request, *args, **kwargs)
                if request.user.is_authenticated:
                    patch_cache_control(response, private=True, no_cache=True)
                return response
            depends = names_for(request)
            states = _states(request, depends)
            if states is None:
                return view(request, *args, **kwargs)
            response = _stored_response(request, states)
            if response is None:
                response = _render_and_keep(request, view, args, kwargs, depends, seconds)
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            return response

        return conditional(serve)

    return decorator


def _render_and_keep(request, view, args, kwargs, names, seconds) -> HttpResponse:
    """Render a page that is not stored and store it under the versions of the database it is drawn from.

    Those are read before rendering, so the page holds at least that data: a
    replica that lags, or a version published late, can never put old data
    under a newer version's key. The ETag and Last-Modified name them too.
    """
    states = _data_states(request, names)
    if states is None:
        return view(request, *args, **kwargs)
    response = _stored_response(request, states)
    if response is None:
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            headers = {h: v for h, v in response.items() if h in KEPT_HEADERS or h.startswith(KEPT_PREFIX)}
            stored = {"content": response.content, "gzip": _compressed(response.content), "headers": headers}
            _keep_page(_page_key(request, states), stored, seconds or settings.PAGE_CACHE_SECONDS)
    if response.status_code == 200 and not response.has_header("ETag"):
        response["ETag"] = quote_etag(_tag(request, states))
    if (settled := _settled_change(states)) is not None:
        response["Last-Modified"] = http_date(int(settled.timestamp()))
    return response


def _page_key(request: HttpRequest, states: list[State]) -> str:
    return f"page:{_tag(request, states)}"


def _stored_response(request: HttpRequest, states: list[State]) -> HttpResponse | None:
    """The page stored under these versions, answered as the reader asks (gzipped or not); None when not stored."""
    stored = _read_page(_page_key(request, states))
    return None if stored is None else _from_cache(request, stored, states)


def _last_changed(states: list[State]) -> datetime:
    return max(state.changed_at for state in states)


def _settled_change(states: list[State]) -> datetime | None:
    """When the data last changed, for Last-Modified / If-Modified-Since; None while that second is not over.

    HTTP dates count whole seconds: a page drawn after one edit and before a
    second edit in the same second would carry the same date as the page
    after it, and If-Modified-Since would answer 304 with the older page.
    Until the second of the last change has passed, no date is sent (the
    ETag, which names the versions themselves, still answers revalidations).
    """
    changed = _last_changed(states)
    return changed if int(timezone.now().timestamp()) > int(changed.timestamp()) else None


def versioned(request: HttpRequest, name: str, key: str, compute: Callable[[], object]):
    """``compute()`` once per version of ``name``, shared by every process through the cache.

    For figures a page shows to everyone (the home page's counts), so that no
    request scans the catalog to draw them: the value is keyed by the
    version's token as the database the request reads from has it (read once
    per request), so the first read after an edit computes it afresh.
    """
    states = _data_states(request, (name,))
    if states is None:
        return compute()
    return cache.get_or_set(f"data:{name}:{states[0].token}:{key}", compute, settings.PAGE_CACHE_SECONDS)


def _local_pages():
    """The process's own copies of pages, in front of the shared cache (None when the cache is local already)."""
    return caches["pages"] if "pages" in settings.CACHES else None


def _read_page(key: str) -> dict | None:
    """A stored page: from this process's memory, else from the shared cache (and then kept locally too).

    The key holds the versions of the data the page shows, so a local copy
    can never be stale: after an edit the key itself is new. Reading it
    locally saves the shared cache's round trip on every request.
    """
    local = _local_pages()
    stored = local.get(key) if local is not None else None
    if stored is None:
        stored = cache.get(key)
        if stored is not None and local is not None:
            local.set(key, stored)
    return stored


def _keep_page(key: str, stored: dict, seconds: int) -> None:
    cache.set(key, stored, seconds)
    if (local := _local_pages()) is not None:
        local.set(key, stored, seconds)


def _compressed(content: bytes) -> bytes | None:
    """The page gzipped once, when it is stored (None when compressing does not pay).

    Django's GZipMiddleware would compress it again on every request. The
    random padding of its BREACH mitigation is then the same for every reader
    of this page, which is safe: a cached page carries no secret (no CSRF
    token, no session data), so there is nothing for BREACH to guess.
    """
    if len(content) < 200:
        return None
    compressed = compress_string(content)
    return compressed if len(compressed) < len(content) else None


def _from_cache(request: HttpRequest, stored: dict, states) -> HttpResponse:
    if stored.get("gzip") and ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(stored["gzip"])
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f'W/"{_tag(request, states)}"'  # as GZipMiddleware marks what it compresses
    else:
        response = HttpResponse(stored["content"])
    for header, value in stored["headers"].items():
        response[header] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A page that is the same for every anonymous reader: no cookie set, no CSRF token, not too large."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES
    )
