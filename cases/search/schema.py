"""The database objects search depends on, checked and repaired.

The catalog's migrations create them (cases 0002 and 0007); this module knows what they must look
like now, so that ``rebuild_search_index`` can verify the schema and put
back whatever is missing or broken (an index dropped by a killed bulk load,
a trigger lost when SQLite rebuilt the table), and the health check can
report it. The definitions are this module's own copy: migrations do not
import app code.

PostgreSQL: five generated tsvector columns on ``cases_casesearch``, a GIN
index on each (valid, not left half-built), and the narrow heap rows of
migration 0007. SQLite: the external-content FTS5 table and the three
triggers that keep it in step with ``cases_casesearch``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fts import SQLITE_FORWARD

TABLE = "cases_casesearch"
PG_GENERATED_COLUMNS = {
    "title_grams": "to_tsvector('simple', title_ngrams)",
    "headings_grams": "to_tsvector('simple', headings_ngrams)",
    "intro_grams": "to_tsvector('simple', intro_ngrams)",
    "grams": (
        "to_tsvector('simple', title_ngrams || ' ' || headings_ngrams || ' ' || intro_ngrams || ' ' || body_ngrams)"
    ),
    "document": (
        "to_tsvector('simple', title) || to_tsvector('simple', headings)"
        " || to_tsvector('simple', intro) || to_tsvector('simple', body)"
    ),
}
PG_TOAST_TARGET = "toast_tuple_target=128"
SQLITE_FTS_TABLE = "cases_casesearch_fts"
SQLITE_TRIGGERS = ["cases_casesearch_ai", "cases_casesearch_ad", "cases_casesearch_au"]


def gin_index_name(column: str) -> str:
    return f"{TABLE}_{column}_gin"


def gin_index_sql(column: str) -> str:
    return f'CREATE INDEX "{gin_index_name(column)}" ON {TABLE} USING gin ({column})'


@dataclass
class SchemaReport:
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(connection) -> SchemaReport:
    """What is missing or broken; nothing is changed."""
    if connection.vendor == "postgresql":
        return _check_postgresql(connection)
    if connection.vendor == "sqlite":
        return _check_sqlite(connection)
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


def _pg_state(cursor) -> tuple[set[str], dict[str, bool], list[str]]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attgenerated = 's' AND NOT attisdropped",
        [TABLE],
    )
    columns = {row[0] for row in cursor.fetchall()}
    cursor.execute(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass",
        [TABLE],
    )
    indexes = dict(cursor.fetchall())
    cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [TABLE])
    options = cursor.fetchone()[0] or []
    return columns, indexes, options


def _check_postgresql(connection) -> SchemaReport:
    report = SchemaReport()
    with connection.cursor() as cursor:
        columns, indexes, options = _pg_state(cursor)
    for column in PG_GENERATED_COLUMNS:
        if column not in columns:
            report.problems.append(f"检索表缺少生成列 {column}")
        name = gin_index_name(column)
        if name not in indexes:
            report.problems.append(f"检索表缺少 GIN 索引 {name}")
        elif not indexes[name]:
            report.problems.append(f"检索表的 GIN 索引 {name} 未建成（无效）")
    if PG_TOAST_TARGET not in options:
        report.problems.append("检索表未设置 toast_tuple_target=128")
    return report


def _repair_postgresql(cursor, report: SchemaReport) -> None:
    # Inside an outer transaction with deferred foreign-key checks pending,
    # PostgreSQL refuses to index the table until those checks have run.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    columns, indexes, options = _pg_state(cursor)
    for column, expression in PG_GENERATED_COLUMNS.items():
        if column not in columns:
            cursor.execute(
                f"ALTER TABLE {TABLE} ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({expression}) STORED"
            )
            report.repaired.append(f"补建生成列 {column}")
        name = gin_index_name(column)
        if indexes.get(name) is False:
            cursor.execute(f'DROP INDEX "{name}"')
        if not indexes.get(name):
            cursor.execute(gin_index_sql(column))
            report.repaired.append(f"重建 GIN 索引 {name}")
    if PG_TOAST_TARGET not in options:
        cursor.execute(f"ALTER TABLE {TABLE} SET ({PG_TOAST_TARGET.replace('=', ' = ')})")
        report.repaired.append("设置 toast_tuple_target=128")
    cursor.execute(f"ANALYZE {TABLE}")


# -- SQLite ----------------------------------------------------------------------


def _sqlite_objects(cursor) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
    return {row[0] for row in cursor.fetchall()}


def _check_sqlite(connection) -> SchemaReport:
    report = SchemaReport()
    with connection.cursor() as cursor:
        present = _sqlite_objects(cursor)
        if SQLITE_FTS_TABLE not in present:
            report.problems.append(f"缺少全文检索表 {SQLITE_FTS_TABLE}")
        for trigger in SQLITE_TRIGGERS:
            if trigger not in present:
                report.problems.append(f"缺少同步触发器 {trigger}")
        if SQLITE_FTS_TABLE in present:
            try:
                cursor.execute(
                    f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
                )
            except Exception:  # noqa: BLE001 - any failure means the index disagrees with its content
                report.problems.append(f"全文检索表 {SQLITE_FTS_TABLE} 与检索表内容不一致")
    return report


def _repair_sqlite(cursor, report: SchemaReport) -> None:
    present = _sqlite_objects(cursor)
    create_table, *create_triggers = SQLITE_FORWARD
    if SQLITE_FTS_TABLE not in present:
        cursor.execute(create_table)
        report.repaired.append(f"补建全文检索表 {SQLITE_FTS_TABLE}")
    for name, statement in zip(SQLITE_TRIGGERS, create_triggers, strict=True):
        if name not in present:
            cursor.execute(statement)
            report.repaired.append(f"补建触发器 {name}")
    cursor.execute(f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}) VALUES ('rebuild')")
    report.repaired.append(f"按检索表重建 {SQLITE_FTS_TABLE}")
