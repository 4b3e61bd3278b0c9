"""Settings come from the environment; production fails fast when a required value is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = "import portal.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.LANGUAGE_CODE, s.TIME_ZONE)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_off_without_allowed_hosts_refuses_to_start():
    result = load_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_the_default_is_sqlite_in_chinese_and_shanghai_time():
    result = load_settings()
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "zh-hans", "Asia/Shanghai"]


def test_a_postgres_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert result.stdout.split()[1] == "django.db.backends.postgresql"


def test_tests_use_a_database_file_so_no_connection_is_shared_between_threads(db):
    """An in-memory SQLite database is one connection the live server's threads share; a request thread ending
    after its server stopped then closed it from a thread that no longer shared it, an error that surfaced in
    whichever test ran next. A file gives every thread its own connection."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL connections are per thread already")
    assert not connection.is_in_memory_db()
    assert connection.settings_dict["NAME"].endswith(".sqlite3")
    errors = []

    def other_thread():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
            connections.close_all()  # what a live server's request thread does when it ends
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert errors == []
    with connection.cursor() as cursor:  # this thread's connection is its own, still open
        cursor.execute("SELECT 1")
