"""The one place that decides a request's client address: sign-in limits, download limits and logs all ask here.

Behind ``PROXY_COUNT`` trusted proxies (``DJANGO_PROXY_COUNT``; nginx in
deploy/nginx.conf is one) each proxy appends the address it received the
request from to ``X-Forwarded-For``, so the client is the entry that many
places from the right; anything further left was written by the client and
is not trusted. Without proxies, or when the header is missing, short or
not an address, the client is ``REMOTE_ADDR``. django-axes reads it through
``AXES_CLIENT_IP_CALLABLE``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the configured number of trusted proxies report it; cached on the request."""
    cached = getattr(request, "_client_address", None)
    if cached is not None:
        return cached
    address = _from_proxies(request) or _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
    request._client_address = address
    return address


def _from_proxies(request: HttpRequest) -> str | None:
    count = settings.PROXY_COUNT
    if count <= 0:
        return None
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return None
    return _valid(hops[-count])


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE."""
    return client_address(request)
