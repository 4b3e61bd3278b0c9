"""Publishing and withdrawing cases: one service for the admin's actions and for imports.

``Case.save`` stamps the first publication; this changes the status of
many cases at once, in one transaction, with the reason recorded in each
case's history (and the search index following when it commits).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import Case


def set_status(cases: Iterable[Case], status: str, *, reason: str | None = None, user=None) -> int:
    """Publish or withdraw ``cases``; returns how many changed (those already in ``status`` are left alone)."""
    changed = 0
    with transaction.atomic():
        for case in cases:
            if case.status == status:
                continue
            case.status = status
            case._change_reason = reason or str(Case.Status(status).label)
            if user is not None:
                case._history_user = user
            case.save()
            changed += 1
    return changed
