"""/healthz: is this process fit to serve? For the proxy's health checks and for monitoring.

Checks the database (a query), the cache (a write and a read of a key of its own), that every
migration is applied, that the search schema is intact (its indexes and,
on SQLite, the FTS triggers: cases.search.schema), and that the derived data
agrees with the data: no work a crash left undone after a commit
(cases.journal) and no published case missing from the search index. Answers 200 with
``{"status": "ok"}`` and each check's result, or 503 naming what failed.
Never cached; costs a few small queries.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from cases import journal
from cases.search import indexing, schema

_migrations_applied = False  # once true for this code, true until the process restarts with new code


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    # A key of this probe's own: probes running at once (several workers, several machines) never read each
    # other's value.
    value = uuid.uuid4().hex
    key = f"healthz:{value}"
    cache.set(key, value, 30)
    try:
        return "ok" if cache.get(key) == value else "缓存写入后读不到"
    finally:
        cache.delete(key)


def _migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"有 {len(plan)} 个迁移未执行（运行 manage.py migrate）"
        _migrations_applied = True
    return "ok"


def _derived_data() -> str:
    """Search and cached pages agree with the data: no work left undone after a commit, no published case unindexed."""
    problems = []
    if left := journal.overdue():
        problems.append(f"{left} 项提交后的索引或版本更新未完成")
    if unindexed := indexing.unindexed_published():
        problems.append(f"{unindexed} 个已发布案例不在检索索引中")
    return "ok" if not problems else "；".join(problems) + "（重启进程或运行 manage.py migrate 即补做）"


def _search_schema() -> str:
    # The structure only: checking SQLite's full-text indexes against their rows reads them whole (3 s at
    # 10,000 cases), which rebuild_search_index does when asked.
    report = schema.check(connection, contents=False)
    return "ok" if report.ok else "；".join(report.problems) + "（运行 manage.py rebuild_search_index）"


CHECKS = {
    "database": _database,
    "cache": _cache,
    "migrations": _migrations,
    "search_schema": _search_schema,
    "derived_data": _derived_data,
}


@never_cache
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure, it never raises one
            results[name] = f"{type(exc).__name__}: {exc}"[:300]
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503)
