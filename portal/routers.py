"""Reads to the replica, writes to the primary, and a request that writes reads the primary from then on.

Used when ``DATABASE_REPLICA_URL`` is set. A replica lags the primary by a
moment, so once a request has written, everything it reads after comes from
the primary (an editor who saves a case sees the saved case), as does
everything inside a transaction on the primary.
"""

from __future__ import annotations

import threading

from django.db import connections

_state = threading.local()


def pin_to_primary(value: bool = True) -> None:
    _state.pinned = value


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if getattr(_state, "pinned", False) or connections["default"].in_atomic_block:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PrimaryAfterWrite:
    """Middleware: every request starts unpinned; an unsafe method (POST, PUT, DELETE) reads the primary throughout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pin_to_primary(request.method not in ("GET", "HEAD", "OPTIONS"))
        try:
            return self.get_response(request)
        finally:
            pin_to_primary(False)
