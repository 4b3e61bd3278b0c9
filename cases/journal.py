"""Work a write owes its derived data, recorded in the write's own transaction so that no crash can lose it.

Search's index and facets, and the data versions that cached pages key on,
are derived from the catalog and the tracker. They are brought up to date
once the write commits (one reindex per case however many of its parts were
saved). Doing it *after* the commit leaves a gap: a process killed between
its commit and that work (kill -9, an out-of-memory kill, a deploy) would
leave published cases that search cannot find and pages cached under the old
version, for good.

So a write does not only remember the work in memory: ``record()`` writes
one ``PendingWork`` row per piece of work in the same transaction as the
data. The work runs, and its rows are deleted, in one transaction of its own
right after the commit (``drain``). If the process dies in between, the
rows are still there: every worker drains them when it starts (gunicorn's
``post_worker_init``), ``manage.py migrate`` drains them, and ``/healthz``
reports rows older than ``PENDING_WORK_GRACE_SECONDS`` until then. Rows of a
rolled-back transaction or savepoint vanish with it.

The rooms register what each kind of work means (``register``): search
reindexes cases ("reindex") and makes a new catalog version ("catalog"),
the tracker a new tracker version ("tracker"). Every piece of work is
idempotent: doing it twice costs time, never correctness.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

STATE_ATTR = "_pending_work_state"

#: kind -> what doing it means, given the keys recorded for it; in the order registered.
_handlers: dict[str, Callable[[set[str]], None]] = {}


class PendingWork(models.Model):
    """One piece of work a committed write still owes derived data (reindex a case, a new version)."""

    token = models.CharField(_("事务标识"), max_length=32)
    kind = models.CharField(_("类别"), max_length=40)
    key = models.CharField(_("对象"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        app_label = "cases"
        db_table = "cases_pendingwork"
        verbose_name = _("待补做的派生数据更新")
        verbose_name_plural = _("待补做的派生数据更新")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["token", "kind", "key"], name="pending_work_unique")]
        indexes = [models.Index(fields=["created_at"], name="pending_work_created")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


def register(kind: str, handler: Callable[[set[str]], None]) -> None:
    _handlers[kind] = handler


@dataclass
class _Transaction:
    token: str
    #: (kind, key) -> the savepoints open when its row was written; the row is known to exist while they still are.
    recorded: dict[tuple[str, str], tuple] = field(default_factory=dict)
    using: str = DEFAULT_DB_ALIAS
    done: bool = False

    def drain(self) -> None:
        """The on-commit callback: this transaction's work, done once."""
        self.done = True
        try:
            drain(token=self.token, using=self.using)
        except Exception:  # the data is committed; its rows stay, and the next start (or migrate) does the work
            logger.exception("Could not update derived data after a commit; left for the next start")


def record(kind: str, keys: Iterable[object] = ("",), *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Owe ``kind`` of work for ``keys``: written with the current transaction, done once it commits.

    Outside a transaction the write is already committed: the work is done at once.
    """
    keys = {str(key) for key in keys if key is not None}
    if not keys:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _handlers[kind](keys)
        return
    state = _current(connection)
    open_savepoints = tuple(connection.savepoint_ids)
    new = [key for key in sorted(keys) if not _known(state.recorded.get((kind, key)), open_savepoints)]
    if not new:
        return
    rows = [PendingWork(token=state.token, kind=kind, key=key) for key in new]
    PendingWork.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    for key in new:
        state.recorded[(kind, key)] = open_savepoints
    # A drain with these rows, dropped with them if their savepoint is rolled back; the first that runs does
    # all of the transaction's work, the others find none left.
    transaction.on_commit(state.drain, using=using)


def _known(written_under: tuple | None, open_savepoints: tuple) -> bool:
    """The row written under those savepoints still exists: none of them was left since (rolled back or not)."""
    return written_under is not None and open_savepoints[: len(written_under)] == written_under


def _current(connection) -> _Transaction:
    """This transaction's state; a new one once its work was done or none of its drains is due any more.

    (A commit or a rollback clears the due callbacks; so does rolling back the savepoints they were made in.)
    """
    state = getattr(connection, STATE_ATTR, None)
    if state is None or state.done or not any(entry[1] == state.drain for entry in connection.run_on_commit):
        state = _Transaction(token=uuid.uuid4().hex, using=connection.alias)
        setattr(connection, STATE_ATTR, state)
    return state


def drain(*, token: str | None = None, using: str = DEFAULT_DB_ALIAS) -> int:
    """Do the recorded work (of one transaction, or all of it) and delete its rows, in one transaction.

    Returns how many rows were done.
    """
    rows = PendingWork.objects.using(using).order_by("pk")
    if token is not None:
        rows = rows.filter(token=token)
    with transaction.atomic(using=using):
        pending = list(rows.values_list("pk", "kind", "key"))
        if not pending:
            return 0
        by_kind: dict[str, set[str]] = {}
        for _, kind, key in pending:
            by_kind.setdefault(kind, set()).add(key)
        for kind, handler in _handlers.items():
            if kind in by_kind:
                handler(by_kind.pop(kind))
        if by_kind:
            logger.warning("Pending work of unknown kinds dropped: %s", sorted(by_kind))
        PendingWork.objects.using(using).filter(pk__in=[pk for pk, _, _ in pending]).delete()
    return len(pending)


def overdue(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many rows have waited longer than a commit's own drain takes: work a crash left undone."""
    since = timezone.now() - timedelta(seconds=settings.PENDING_WORK_GRACE_SECONDS)
    return PendingWork.objects.using(using).filter(created_at__lt=since).count()
