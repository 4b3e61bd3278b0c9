"""A real server process for tests that need one: its own database file or URL, gunicorn, plain HTTP clients.

The test client runs views in the test's own thread and transaction, so it
cannot show what several processes writing at once do to a database. These
helpers prepare a database with ``manage.py``, start gunicorn on a free port
against it, and talk to it over HTTP like a browser (cookies, CSRF token).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def server_env(database_url: str, media: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "test-secret-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_MEDIA_ROOT": str(media),
            "DJANGO_STATIC_ROOT": str(media.parent / "static"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    handle: object = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.handle is not None:
            self.handle.close()


def start_gunicorn(env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 4) -> Server:
    port = free_port()
    handle = log.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        cwd=PROJECT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port, log, handle)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/accounts/login/", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise AssertionError(f"gunicorn did not answer:\n{log.read_text()}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """One signed-in (or anonymous) visitor: cookies, CSRF tokens, no automatic redirects."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, data: dict | None = None, timeout: float = 60) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + urllib.parse.quote(path, safe="/?=&%:+"), data=body, method=method)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict) -> tuple[int, str]:
        """GET the page for its CSRF token, then POST ``data`` with it."""
        status, html = self.get(path)
        assert status == 200, (path, status, html[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": token[1]})

    def sign_in(self, username: str, password: str) -> None:
        status, _ = self.post_form("/accounts/login/", {"username": username, "password": password})
        assert status == 302, f"sign-in of {username} answered {status}"


@contextmanager
def scratch_database(folder: Path, purpose: str) -> Iterator[str]:
    """The URL of a new, empty database of the suite's own kind, dropped afterwards.

    For tests that run ``manage.py`` in another process against a database
    they may replace whole (backups) or build at an old migration (upgrades).
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        yield f"sqlite:///{folder / f'{purpose}.sqlite3'}"
        return
    import psycopg

    name = f"yingshang_{purpose}_{uuid.uuid4().hex[:8]}"
    params = connection.get_connection_params()
    host, port, user = params.get("host"), params.get("port") or 5432, params.get("user")
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://{user}@{host}:{port}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


EVERY_TABLE = r"""
import json
from django.db import connection
out = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        columns = [c[0] for c in cursor.description]
        out[table] = sorted(json.dumps(dict(zip(columns, [str(v) for v in row])), ensure_ascii=False, sort_keys=True)
                            for row in cursor.fetchall())
print(json.dumps(out, ensure_ascii=False))
"""


def every_table(env: dict[str, str]) -> dict[str, list[str]]:
    """Every row of every table of the database ``env`` points at, as sorted JSON objects per table."""
    return json.loads(manage(env, "shell", "-c", EVERY_TABLE).strip().splitlines()[-1])
