"""Clear answers to bad requests: Chinese messages meant for the reader, as HTML or, under /api/, as JSON.

A view raises ``ClearNotFound`` or ``ClearBadRequest`` with a message
written for the official who followed the link; other 404s and 400s (an
unknown URL, Django's own checks) get the generic page. Numbers in URLs and
query strings are parsed here, one way for every page: ASCII digits after
Unicode normalisation (full-width ４ is 4), at most nine of them, so that no
overlong or exotic number reaches the database.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

INTEGER = re.compile(r"[0-9]{1,9}")
MAX_SMALL_INTEGER = 32767  # batch and case numbers are PositiveSmallIntegerField
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")  # what a slug in a query string may be before the database sees it


class ClearNotFound(Http404):
    """A 404 whose message is written for the reader."""


class ClearBadRequest(BadRequest):
    """A 400 whose message is written for the reader."""


def parse_positive_int(text: str | None, *, maximum: int = 999_999_999) -> int | None:
    """The positive integer ``text`` spells (full-width digits allowed), or None for anything else."""
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", str(text)).strip()
    if not INTEGER.fullmatch(folded):
        return None
    number = int(folded)
    return number if 1 <= number <= maximum else None


class PositiveIntConverter:
    """Path converter for batch, case and record numbers: 1 to 9 ASCII digits, else the URL does not match."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number < 1:
            raise ValueError("not a positive number")
        return number

    def to_url(self, value) -> str:
        return str(value)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _message(exception, clear_type, default: str) -> str:
    if isinstance(exception, clear_type) and exception.args and isinstance(exception.args[0], str):
        return exception.args[0]
    return default


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    message = _message(exception, ClearNotFound, "您要找的页面不存在，可能是网址有误，或者案例编号不对。")
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=404, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("404.html", {"message": message}, request=request), status=404)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    message = _message(exception, ClearBadRequest, "网址中的参数无效，无法识别。")
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)


def too_many_requests(request: HttpRequest, per_minute: int) -> HttpResponse:
    """429 with the limit in words and Retry-After, for rate-limited downloads."""
    message = f"下载过于频繁：同一地址每分钟最多下载 {per_minute} 次。请一分钟后再试。"
    if _wants_json(request):
        response = JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        context = {"message": message, "title": "请稍后再试"}
        response = HttpResponse(render_to_string("400.html", context, request=request), status=429)
    response["Retry-After"] = "60"
    return response
