"""Requests counted per client and minute, in a store every server process shares.

With Redis (``REDIS_URL``) the counts live in the shared cache, whose
increments are atomic. Without it the cache is each process's own memory,
and a limit of 10 a minute would mean 10 per gunicorn worker: the counts
then live in the database instead (``RateCount``), incremented by one
UPDATE, which both SQLite and PostgreSQL apply atomically. A window opens
with a client's first request and lasts a minute (as the cache's expiry
does); rows of windows that are over are deleted as new ones are made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .client import client_address
from .errors import too_many_requests

WINDOW_SECONDS = 60


class RateCount(models.Model):
    """How many requests one client made to one scope in one minute (when the cache is not shared)."""

    key = models.CharField(_("计数键"), max_length=200, unique=True)
    count = models.PositiveIntegerField(_("次数"), default=0)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        app_label = "cases"
        db_table = "cases_ratecount"
        verbose_name = _("访问频率计数")
        verbose_name_plural = _("访问频率计数")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


def shared_cache() -> bool:
    """Whether the default cache is one store for every process (Redis), so counts can live there."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def count_request(key: str) -> int:
    """Count one request under ``key``; returns the count in its window, which opens with its first request."""
    key = f"rate:{key}"
    if shared_cache():
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
            return 1
    return _count_in_database(key)


def _count_in_database(key: str) -> int:
    now = timezone.now()
    window = {"count": 1, "expires_at": now + timedelta(seconds=WINDOW_SECONDS)}
    rows = RateCount.objects.filter(key=key)
    with transaction.atomic():
        if rows.filter(expires_at__gt=now).update(count=F("count") + 1) or rows.update(**window):
            pass
        else:
            RateCount.objects.filter(expires_at__lt=now).delete()  # windows that are over, of any client
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, **window)
            except IntegrityError:  # made at the same moment by another process
                rows.update(count=F("count") + 1)
        return rows.values_list("count", flat=True).get()


def rate_limited(scope: str, per_minute: int | Callable[[], int]):
    """Refuse (429, in Chinese) more than ``per_minute`` requests a minute to ``scope`` from one client.

    Anonymous readers are counted by address (cases.client: the proxy's
    X-Forwarded-For when the portal is behind one); signed-in users by
    account, so an office behind one address is not limited as one person.
    """

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            limit = per_minute() if callable(per_minute) else per_minute
            who = f"user:{request.user.pk}" if request.user.is_authenticated else client_address(request)
            if count_request(f"{scope}:{who}") > limit:
                return too_many_requests(request, limit)
            return view(request, *args, **kwargs)

        return limited

    return decorator
