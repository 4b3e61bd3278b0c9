"""The data versions (search's CatalogVersion, the tracker's TrackerVersion): bumped by writes, read by requests.

A version model has a single row (id 1): a random token, when it changed,
and a serial that every bump increments in the database, so that serials
follow the order in which bumps commit.

Where versions are read from:

- the database, one plain statement for every version a page shows (the
  default, and always where a page's data is read);
- the shared cache, when it is Redis (``REDIS_URL``): each bump publishes
  the committed version there once it commits, and a published version is
  replaced only by a higher serial, so publications that arrive out of
  order never step back. An anonymous page served from the page cache then
  costs no database round trip at all. The published copy expires after
  ``VERSION_SHARED_SECONDS``, after which the next reader reads the
  database and publishes again: that bounds how long a version can be
  missed when a process dies between its commit and its publication. A
  page is only ever stored under the versions of the database its data was
  read from (cases.caching reads them there before rendering), so a lagging
  replica or a late publication can delay a page, never store old data
  under a new version.

Kept apart from cases.caching so that models can use it without importing
the request-handling side.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

logger = logging.getLogger(__name__)


class State(NamedTuple):
    token: str
    changed_at: datetime
    serial: int


def version_rows(models: Iterable[type], using: str | None = None) -> dict[type, State | None]:
    """Each version model's State from the database: one plain SQL statement per database.

    Skips the ORM's query building (a third of a cached page's time when it
    was a queryset) and reads every version a page depends on in one round
    trip (a case page shows the catalog and the tracker). Without ``using``
    each is read where the request reads its data (the replica, when
    portal.routers sends reads there).
    """
    by_alias: dict[str, list[type]] = {}
    for model in models:
        by_alias.setdefault(using or router.db_for_read(model), []).append(model)
    found: dict[type, State | None] = {}
    for alias, group in by_alias.items():
        connection = connections[alias]
        tables = [connection.ops.quote_name(model._meta.db_table) for model in group]
        statement = " UNION ALL ".join(
            f"SELECT {index}, token, changed_at, serial FROM {table} WHERE id = 1"  # noqa: S608 -- the models' own tables
            for index, table in enumerate(tables)
        )
        with connection.cursor() as cursor:
            cursor.execute(statement)
            rows = {index: State(token, _aware(changed), serial) for index, token, changed, serial in cursor.fetchall()}
        found.update((model, rows.get(index)) for index, model in enumerate(group))
    return found


def version_row(model, using: str | None = None) -> State | None:
    """One version model's State; None before its row exists."""
    return version_rows([model], using)[model]


def bump(model) -> None:
    """A new version of ``model``'s data: a new token, now, the next serial; published once it commits."""
    alias = router.db_for_write(model)
    values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    if not model.objects.using(alias).filter(pk=1).update(serial=F("serial") + 1, **values):
        try:
            with transaction.atomic(using=alias):
                model.objects.using(alias).create(pk=1, serial=1, **values)
        except IntegrityError:  # made at the same moment by another process
            model.objects.using(alias).filter(pk=1).update(serial=F("serial") + 1, **values)
    transaction.on_commit(lambda: publish([model]), using=alias)


# ---------------------------------------------------------------- the shared copy


#: Replaces the published version only by a higher serial; sets how long it is trusted.
_PUBLISH = """
local current = redis.call('GET', KEYS[1])
if current then
  local serial = tonumber(string.match(current, '^(%d+)|'))
  if serial and serial >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


def _client():
    """The Redis client of the shared cache, or None when versions are read from the database only."""
    from django.core.cache import cache

    versions_client = getattr(cache, "versions_client", None)
    return versions_client() if versions_client is not None else None


def shares_versions() -> bool:
    """Whether versions are published in the shared cache (it is Redis)."""
    return _client() is not None


def _key(model) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:version:{model._meta.label_lower}"


def _encode(state: State) -> str:
    return f"{state.serial}|{state.token}|{state.changed_at.isoformat()}"


def _decode(value: bytes) -> State | None:
    try:
        serial, token, changed = value.decode().split("|", 2)
        return State(token, _aware(changed), int(serial))
    except (UnicodeDecodeError, ValueError, TypeError):
        return None


def publish(models: Iterable[type]) -> dict[type, State | None]:
    """Publish each model's committed version, read from the primary, to the shared cache; returns what it read."""
    client = _client()
    if client is None:
        return {}
    by_write_alias: dict[str, list[type]] = {}
    for model in models:
        by_write_alias.setdefault(router.db_for_write(model), []).append(model)
    milliseconds = int(settings.VERSION_SHARED_SECONDS * 1000)
    found: dict[type, State | None] = {}
    for alias, group in by_write_alias.items():
        found.update(version_rows(group, using=alias))
    for model, state in found.items():
        if state is None:
            continue
        try:
            client.eval(_PUBLISH, 1, _key(model), state.serial, _encode(state), milliseconds)
        except Exception:  # Redis away: readers fall back to the database
            logger.warning("Could not publish the %s version to the shared cache", model._meta.label, exc_info=True)
    return found


def forget(models: Iterable[type]) -> None:
    """Drop the published versions (after a restore put older serials into the database)."""
    client = _client()
    if client is not None:
        client.delete(*[_key(model) for model in models])


def shared_rows(models: Iterable[type]) -> dict[type, State | None] | None:
    """Each model's published version, publishing from the database those that are missing; None without Redis."""
    client = _client()
    if client is None:
        return None
    models = list(models)
    try:
        values = client.mget([_key(model) for model in models])
    except Exception:
        logger.warning("Could not read the versions from the shared cache", exc_info=True)
        return None
    found = {model: _decode(value) if value is not None else None for model, value in zip(models, values, strict=True)}
    missing = [model for model, state in found.items() if state is None]
    if missing:
        found.update(publish(missing))
    return found


def _aware(changed) -> datetime:
    if isinstance(changed, str):  # SQLite hands back the stored text
        changed = parse_datetime(changed)
    if timezone.is_naive(changed):
        changed = timezone.make_aware(changed, UTC)
    return changed
