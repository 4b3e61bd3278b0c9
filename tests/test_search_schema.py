"""The search schema is verified and repaired by rebuild_search_index, and survives a killed bulk load."""

import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from cases.search import schema as search_schema
from cases.search.models import CatalogVersion
from cases.search.tokens import codes
from tests.live import PROJECT, manage, server_env
from tests.oracles import search_oracle


def break_schema() -> list[str]:
    """Drop what a killed bulk load or a table rebuild would lose."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for tier in ("body", "title"):
                cursor.execute(f'DROP INDEX "{search_schema.gin_index_name(tier)}"')
            return [search_schema.gin_index_name("body"), search_schema.gin_index_name("title")]
        cursor.execute("DROP TRIGGER cases_casesearch_au")
        cursor.execute("DELETE FROM cases_casesearch_fts_body_data WHERE id > 10")  # damage the index itself
        return ["cases_casesearch_au"]


@pytest.mark.django_db
def test_a_healthy_schema_passes_the_check(seed):
    assert search_schema.check(connection).problems == []


@pytest.mark.django_db
def test_rebuild_search_index_puts_back_what_is_missing(seed, capsys):
    missing = break_schema()
    problems = search_schema.check(connection).problems
    assert problems
    assert all(any(name in p for p in problems) for name in missing)
    if connection.vendor == "sqlite":  # the damaged index is found when the contents are checked, not by a probe
        damaged = "全文检索表 cases_casesearch_fts_body 与检索表内容不一致"
        assert damaged in problems
        assert damaged not in search_schema.check(connection, contents=False).problems
    version = CatalogVersion.current()
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "已修复" in out
    assert "检索结构完好" in out
    assert search_schema.check(connection).ok
    assert CatalogVersion.current() != version
    from django.test import Client

    client = Client()
    for word in ("注销", "一张网", "公积金 不动产"):
        codes = [f"{r['batch']}-{r['number']}" for r in client.get("/api/cases/", {"q": word}).json()["results"]]
        assert codes == search_oracle(word), word


@pytest.mark.django_db
def test_compressed_search_text_is_reported_and_written_again_uncompressed(seed, capsys):
    """A long word is verified against the text: pglz decompression made that two and a half times slower."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's storage of the search text")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cases_casetext ALTER COLUMN body SET STORAGE EXTENDED")
        cursor.execute("UPDATE cases_casetext SET body = repeat(body, 3) || ''")  # long enough for pglz to keep
        cursor.execute("SELECT count(*) FROM cases_casetext WHERE pg_column_compression(body) IS NOT NULL")
        assert cursor.fetchone()[0] > 0
    assert any("body 列未设为 STORAGE EXTERNAL" in p for p in search_schema.check(connection).problems)
    call_command("rebuild_search_index")
    assert "已修复：设置 body 列 STORAGE EXTERNAL" in capsys.readouterr().out
    assert search_schema.check(connection).ok
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(pg_column_compression(body)) FROM cases_casetext")
        assert cursor.fetchone() == (8, 0)


def _database(tmp_path):
    """A database of its own for a process the test will kill: a SQLite file or a fresh PostgreSQL database."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'kill.sqlite3'}", None
    import psycopg

    name = f"yingshang_kill_{uuid.uuid4().hex[:8]}"
    params = connection.get_connection_params()
    admin = psycopg.connect(
        host=params.get("host"), port=params.get("port"), user=params.get("user"), dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params.get('user')}@{params.get('host')}:{params.get('port') or 5432}/{name}"

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return url, drop


@pytest.mark.slow
def test_a_killed_bulk_load_leaves_the_database_and_its_indexes_as_they_were(tmp_path):
    url, drop = _database(tmp_path)
    try:
        env = server_env(url, tmp_path / "media")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_seed", "-v", "0")
        before = manage(env, "shell", "-c", STATE)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "generate_cases", "3000", "--chunk", "100", "--defer-indexes", "yes"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            seen.append(line)
            if line.strip().startswith("300/"):  # three chunks written, indexes dropped
                break
        else:
            process.kill()
            raise AssertionError("generate_cases printed no progress: " + "".join(seen))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        assert manage(env, "shell", "-c", STATE) == before
        assert "检索结构完好" in manage(env, "rebuild_search_index")
    finally:
        if drop:
            drop()


STATE = """
from django.db import connection
from cases.search import schema as search_schema
from cases.models import Case
from cases.search.models import CatalogVersion
print(Case.objects.count(), CatalogVersion.current(), search_schema.check(connection).problems)
"""


def test_the_migration_creates_the_function_the_code_expects():
    """Migrations keep their own copy of the n-gram function; the latest must be today's (the schema check compares).

    0006 went from four-character windows to six, 0009 from six to eight: each one's backward copy is the
    function the one before it made.
    """
    import importlib

    first = importlib.import_module("cases.search.migrations.0003_ngrams_in_indexes_only")
    six = importlib.import_module("cases.search.migrations.0006_six_character_ngrams")
    latest = importlib.import_module("cases.search.migrations.0009_eight_character_ngrams")
    assert latest.EIGHT_GRAMS == search_schema.PG_FUNCTION_BODY
    assert latest.SIX_GRAMS == six.SIX_GRAMS
    assert six.FOUR_GRAMS == first.FUNCTION_BODY
    assert latest.TIERS == six.TIERS == first.TIERS == search_schema.PG_TIERS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's n-gram function")
@pytest.mark.django_db
def test_a_changed_ngram_function_is_found_and_its_indexes_rebuilt(seed, capsys):
    """An index built with another function body holds other lexemes: the check says so and the repair rebuilds."""
    changed = search_schema.PG_FUNCTION_SQL.replace("lead(c, 3, '')", "lead(c, 2, '')")
    with connection.cursor() as cursor:
        cursor.execute(changed)
    assert any("已被改动" in p for p in search_schema.check(connection).problems)
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "重建检索函数" in out
    assert "重建 GIN 索引 cases_casetext_body_ngrams_gin" in out
    assert search_schema.check(connection).ok


def test_the_migration_creates_the_fts_tables_and_triggers_the_code_expects():
    """search 0008 keeps its own copy of the SQLite definitions; the schema check compares against cases.search.fts."""
    import importlib

    from cases.search import fts

    migration = importlib.import_module("cases.search.migrations.0008_fts_table_per_tier")
    tables, triggers = migration.PER_TIER[:4], migration.PER_TIER[4:7]
    assert tables == list(fts.TABLES.values())
    assert triggers == list(fts.TRIGGERS.values())
    assert migration.PER_TIER[7:] == [fts.rebuild_statement(name) for name in fts.TABLES]
    assert migration.SINGLE[0].split()[3] == fts.OLD_TABLE
    # The prefix index is a one-character word's query: "x" and the character's code.
    assert fts.CHARACTER_PREFIX == len(f"x{codes('证')[0]}") == 5


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tables")
@pytest.mark.django_db
def test_a_tier_table_of_another_definition_is_found_and_built_again(seed, capsys):
    """A body table without its prefix index answers the same, slower: the check compares each table's statement."""
    from cases.search import fts

    body = fts.fts_table("body")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {body}")
        cursor.execute(fts.TABLES[body].replace(f", prefix='{fts.CHARACTER_PREFIX}'", ""))
        cursor.execute(fts.rebuild_statement(body))
    assert search_schema.check(connection).problems == [f"全文检索表 {body} 的定义与程序不一致"]
    call_command("rebuild_search_index")
    assert f"补建全文检索表 {body}" in capsys.readouterr().out
    assert search_schema.check(connection).ok
    from django.test import Client

    for word in ("证", "注销", "一照通行"):
        found = [f"{r['batch']}-{r['number']}" for r in Client().get("/api/cases/", {"q": word}).json()["results"]]
        assert found == search_oracle(word), word


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tables")
@pytest.mark.django_db
def test_the_single_fts_table_of_before_and_its_triggers_are_found_and_replaced(
    seed, capsys, django_capture_on_commit_callbacks
):
    """A database put back from before search 0008: the old table, and triggers that feed it, not the tier tables."""
    import importlib

    from cases.search import fts

    old = importlib.import_module("cases.search.migrations.0008_fts_table_per_tier")
    with connection.cursor() as cursor:
        for trigger in fts.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
        cursor.execute(f"DROP TABLE {fts.fts_table('title')}")
        for statement in old.SINGLE:
            cursor.execute(statement)
    problems = search_schema.check(connection).problems
    assert f"缺少全文检索表 {fts.fts_table('title')}" in problems
    assert {f"同步触发器 {name} 与程序不一致" for name in fts.TRIGGERS} <= set(problems)
    assert any(fts.OLD_TABLE in p for p in problems)
    call_command("rebuild_search_index")
    assert "已修复" in capsys.readouterr().out
    assert search_schema.check(connection).ok
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = %s", [fts.OLD_TABLE])
        assert cursor.fetchall() == []
    # Every trigger feeds the four tables again: an edit is found in its tier at once, as the oracle finds it.
    from django.test import Client

    from cases.models import Case

    case = Case.objects.get(batch=4, number=3)
    case.title = f"{case.title}（鼹鼷试点）"
    with django_capture_on_commit_callbacks(execute=True):
        case.save()
    client = Client()
    found = [f"{r['batch']}-{r['number']}" for r in client.get("/api/cases/", {"q": "鼹鼷"}).json()["results"]]
    assert found == search_oracle("鼹鼷") == ["4-3"]
