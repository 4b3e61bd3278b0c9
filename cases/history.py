"""History for bulk loads: pause it while loading, then record one baseline entry per object."""

from __future__ import annotations

from contextlib import contextmanager

from django.apps import apps
from django.test.utils import override_settings


@contextmanager
def history_paused():
    """Record nothing while bulk-loading (loaddata would log every themes assignment as a change)."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


def record_baseline(reason: str) -> int:
    """One "created" record for every catalog object that has none yet, so later edits show what changed."""
    written = 0
    for model in apps.get_models():
        manager = getattr(model, "history", None)
        if manager is None or model._meta.proxy or not hasattr(manager, "bulk_history_create"):
            continue
        recorded = set(manager.values_list("id", flat=True).distinct())
        missing = [obj for obj in model._default_manager.order_by("pk") if obj.pk not in recorded]
        if missing:
            written += len(manager.bulk_history_create(missing, default_change_reason=reason, batch_size=500))
    return written
