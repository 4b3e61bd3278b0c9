"""The database objects search depends on, checked and repaired.

The migrations create them (cases 0002, search 0003); this module knows what they must look
like now, so that ``rebuild_search_index`` can verify the schema and put
back whatever is missing or broken (an index dropped by a killed bulk load,
a trigger lost when SQLite rebuilt the table, a function replaced by hand),
and the health check can report it. The definitions are this module's own
copy: migrations do not import app code.

PostgreSQL: the immutable function ``cases_search_ngrams`` and a GIN index
on it for each tier of ``cases_casetext`` (valid, not left half-built), with
that table's heap rows kept narrow and its text stored uncompressed (a long
word is verified against it). Nothing but the plain text is stored: the
n-gram vectors live only in the indexes. SQLite: an external-content FTS5
table for each tier and the three triggers that keep them in step with
``cases_casesearch``, each as cases.search.fts defines it (a trigger left
from the single table of before feeds a table that is gone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import fts

TEXT_TABLE = "cases_casetext"
PG_TIERS = ("title", "headings", "intro", "body")
PG_FUNCTION = "cases_search_ngrams"
# Every distinct character and 2- to 8-character window of each line (a run
# of non-space text, cases.search.tokens.plain_text), as the lexemes of a
# position-free tsvector: a word of up to eight characters is one lexeme,
# looked up exactly in the GIN index without reading any row (a
# one-character word too: as a prefix of every window it starts, 证 took 6 ms
# over the bodies at 10,000 cases, as its own lexeme 1.3).
# Eight, not six (search 0009): the thesaurus's forms run to eight characters
# (一照(证)通行, 住房公积金贷款, 工程建设项目审批), and a longer word must be
# verified against its text, which reads it from TOAST and searches it at
# ~8 µs a row: 一照通行 took 70 ms at 10,000 cases where a short word takes 5
# (bench/README.md). The indexes are about two thirds larger.
# A window that would cross a line break is cut at it (split_part), which
# gives a shorter window of the same line: never a lexeme that spans two lines.
# Characters are lexemes as they are (array_to_tsvector parses nothing), so no
# locale or text-search parser can split or fold them.
PG_FUNCTION_BODY = """
  SELECT coalesce(array_to_tsvector(array_remove(string_to_array(string_agg(
      split_part(c, E'\\n', 1) || ' ' || split_part(c || n1, E'\\n', 1) || ' ' || split_part(c || n1 || n2, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3, E'\\n', 1) || ' ' || split_part(c || n1 || n2 || n3 || n4, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5 || n6, E'\\n', 1)
      || ' ' || split_part(c || n1 || n2 || n3 || n4 || n5 || n6 || n7, E'\\n', 1), ' '), ' '), '')), ''::tsvector)
  FROM (
    SELECT c, lead(c, 1, '') OVER w AS n1, lead(c, 2, '') OVER w AS n2, lead(c, 3, '') OVER w AS n3,
      lead(c, 4, '') OVER w AS n4, lead(c, 5, '') OVER w AS n5, lead(c, 6, '') OVER w AS n6,
      lead(c, 7, '') OVER w AS n7
    FROM string_to_table(content, NULL) WITH ORDINALITY AS chars (c, i)
    WINDOW w AS (ORDER BY i)
  ) AS windows
"""
PG_FUNCTION_SQL = (
    f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}(content text) RETURNS tsvector"
    f" LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body${PG_FUNCTION_BODY}$body$"
)
PG_TOAST_TARGET = "toast_tuple_target=128"
# Each tier's text out of line and uncompressed: a long word is verified with
# strpos against it, and pglz decompression was most of that cost (search 0007).
PG_STORAGE = "EXTERNAL"
SQLITE_FTS_TABLES = list(fts.TABLES)
SQLITE_TRIGGERS = list(fts.TRIGGERS)


def ngrams_expression(tier: str) -> str:
    """The indexed expression; a query must spell it the same way for PostgreSQL to use the index."""
    return f"{PG_FUNCTION}({tier})"


def gin_index_name(tier: str) -> str:
    return f"{TEXT_TABLE}_{tier}_ngrams_gin"


def gin_index_sql(tier: str) -> str:
    return f'CREATE INDEX "{gin_index_name(tier)}" ON {TEXT_TABLE} USING gin ({ngrams_expression(tier)})'


@dataclass
class SchemaReport:
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(connection, *, contents: bool = True) -> SchemaReport:
    """What is missing or broken; nothing is changed.

    ``contents``: SQLite also checks each FTS5 table's index against the
    rows it mirrors (FTS5's integrity-check), which reads the whole index:
    3 s at 10,000 cases. ``rebuild_search_index`` asks for it; /healthz,
    asked every few seconds, checks the structure only (portal.health).
    """
    if connection.vendor == "postgresql":
        return _check_postgresql(connection)
    if connection.vendor == "sqlite":
        return _check_sqlite(connection, contents=contents)
    return SchemaReport()


def repair(connection) -> SchemaReport:
    """Put back what ``check`` finds missing; returns what was done. Run it inside a transaction."""
    report = check(connection)
    if report.ok:
        return report
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _repair_postgresql(cursor, report)
        else:
            _repair_sqlite(cursor, report)
    report.problems = check(connection).problems
    return report


# -- PostgreSQL ------------------------------------------------------------------


@dataclass
class _PgState:
    function: str | None  # its body, None when it is missing
    indexes: dict[str, bool]  # name: valid
    options: list[str]
    storage: dict[str, str]  # tier: attstorage ('e' external, 'x' extended ...)


def _pg_state(cursor) -> _PgState:
    cursor.execute(
        "SELECT prosrc FROM pg_proc WHERE proname = %s AND pronamespace = current_schema()::regnamespace"
        " AND provolatile = 'i'",
        [PG_FUNCTION],
    )
    row = cursor.fetchone()
    cursor.execute(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass",
        [TEXT_TABLE],
    )
    indexes = dict(cursor.fetchall())
    cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [TEXT_TABLE])
    options = cursor.fetchone()[0] or []
    cursor.execute(
        "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attname = ANY(%s)",
        [TEXT_TABLE, list(PG_TIERS)],
    )
    storage = dict(cursor.fetchall())
    return _PgState(row[0] if row else None, indexes, options, storage)


def _stored_otherwise(state: _PgState) -> list[str]:
    return [tier for tier in PG_TIERS if state.storage.get(tier) != PG_STORAGE[0].lower()]


def _check_postgresql(connection) -> SchemaReport:
    report = SchemaReport()
    with connection.cursor() as cursor:
        state = _pg_state(cursor)
    if state.function is None:
        report.problems.append(f"缺少检索函数 {PG_FUNCTION}")
    elif state.function != PG_FUNCTION_BODY:
        report.problems.append(f"检索函数 {PG_FUNCTION} 已被改动，与程序不一致")
    for tier in PG_TIERS:
        name = gin_index_name(tier)
        if name not in state.indexes:
            report.problems.append(f"检索文本表缺少 GIN 索引 {name}")
        elif not state.indexes[name]:
            report.problems.append(f"检索文本表的 GIN 索引 {name} 未建成（无效）")
    if PG_TOAST_TARGET not in state.options:
        report.problems.append(f"检索文本表未设置 {PG_TOAST_TARGET}")
    if stored := _stored_otherwise(state):
        report.problems.append(f"检索文本表的 {'、'.join(stored)} 列未设为 STORAGE {PG_STORAGE}（不压缩）")
    return report


def _repair_postgresql(cursor, report: SchemaReport) -> None:
    # Inside an outer transaction with deferred foreign-key checks pending,
    # PostgreSQL refuses to index the table until those checks have run.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    state = _pg_state(cursor)
    stale = state.function != PG_FUNCTION_BODY
    if stale:
        cursor.execute(PG_FUNCTION_SQL)
        report.repaired.append(f"重建检索函数 {PG_FUNCTION}")
    for tier in PG_TIERS:
        name = gin_index_name(tier)
        present = state.indexes.get(name)
        # An index built with another version of the function holds other
        # lexemes: build it again with this one.
        if present is not None and (stale or not present):
            cursor.execute(f'DROP INDEX "{name}"')
            present = None
        if present is None:
            cursor.execute(gin_index_sql(tier))
            report.repaired.append(f"重建 GIN 索引 {name}")
    if PG_TOAST_TARGET not in state.options:
        cursor.execute(f"ALTER TABLE {TEXT_TABLE} SET ({PG_TOAST_TARGET.replace('=', ' = ')})")
        report.repaired.append(f"设置 {PG_TOAST_TARGET}")
    if stored := _stored_otherwise(state):
        # Applies to text written from now on; rebuild_search_index then writes every row again.
        columns = ", ".join(f"ALTER COLUMN {tier} SET STORAGE {PG_STORAGE}" for tier in stored)
        cursor.execute(f"ALTER TABLE {TEXT_TABLE} {columns}")
        report.repaired.append(f"设置 {'、'.join(stored)} 列 STORAGE {PG_STORAGE}")
    cursor.execute(f"ANALYZE {TEXT_TABLE}")


# -- SQLite ----------------------------------------------------------------------


def _sqlite_objects(cursor) -> dict[str, str]:
    """Tables and triggers by name, with the statement that created each."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
    return {name: sql or "" for name, sql in cursor.fetchall()}


def _same_statement(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _stale(present: dict[str, str], definitions: dict[str, str]) -> list[str]:
    """Those of ``definitions`` present with another statement (a table without its prefix index, an old trigger)."""
    return [name for name, sql in definitions.items() if name in present and not _same_statement(present[name], sql)]


def _check_sqlite(connection, *, contents: bool) -> SchemaReport:
    report = SchemaReport()
    with connection.cursor() as cursor:
        present = _sqlite_objects(cursor)
        stale_tables = _stale(present, fts.TABLES)
        for table in SQLITE_FTS_TABLES:
            if table not in present:
                report.problems.append(f"缺少全文检索表 {table}")
                continue
            if table in stale_tables:
                report.problems.append(f"全文检索表 {table} 的定义与程序不一致")
                continue
            if not contents:
                continue
            try:
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            except Exception:  # noqa: BLE001 - any failure means the index disagrees with its content
                report.problems.append(f"全文检索表 {table} 与检索表内容不一致")
        for trigger in SQLITE_TRIGGERS:
            if trigger not in present:
                report.problems.append(f"缺少同步触发器 {trigger}")
        for trigger in _stale(present, fts.TRIGGERS):
            report.problems.append(f"同步触发器 {trigger} 与程序不一致")
        if fts.OLD_TABLE in present:
            report.problems.append(f"旧的全文检索表 {fts.OLD_TABLE} 仍在（已由每个层级一张表代替）")
    return report


def _repair_sqlite(cursor, report: SchemaReport) -> None:
    present = _sqlite_objects(cursor)
    for name in _stale(present, fts.TRIGGERS):
        cursor.execute(f"DROP TRIGGER {name}")
        del present[name]
    for name in _stale(present, fts.TABLES):
        cursor.execute(f"DROP TABLE {name}")
        del present[name]
    if fts.OLD_TABLE in present:
        cursor.execute(f"DROP TABLE {fts.OLD_TABLE}")
        report.repaired.append(f"删除旧的全文检索表 {fts.OLD_TABLE}")
    for name, statement in fts.TABLES.items():
        if name not in present:
            cursor.execute(statement)
            report.repaired.append(f"补建全文检索表 {name}")
    for name, statement in fts.TRIGGERS.items():
        if name not in present:
            cursor.execute(statement)
            report.repaired.append(f"补建触发器 {name}")
    for name in fts.TABLES:
        cursor.execute(fts.rebuild_statement(name))
        report.repaired.append(f"按检索表重建 {name}")
