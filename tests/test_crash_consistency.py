"""A process killed right after its write commits leaves nothing for search, caches or /healthz to disagree about.

The write's derived-data work (reindex, new versions) is recorded in its own
transaction (cases.journal). These tests kill the writing process with
SIGKILL at the first moment after the commit, before that work, then look
from a new process: the work is still owed, /healthz says so, and the next
start (gunicorn's worker start) does it; ``manage.py migrate`` doing it too is
tested in-process (tests/test_journal.py).
"""

import json
import subprocess
import sys

import pytest

from tests.live import PROJECT, manage, scratch_database, server_env

pytestmark = pytest.mark.slow

# Imports the notice as a sixth batch, published; the first on-commit callback kills the process.
IMPORT_AND_DIE = r"""
import os, signal
from django.db import transaction
from cases.notices.importer import import_notice
from django.conf import settings

text = (settings.NOTICE_SOURCE_DIR / "notice-batch-4.txt").read_text("utf-8")
text = text.replace("第四批", "第六批").replace("2023年9月19日", "2025年3月1日")
with transaction.atomic():
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    import_notice(text, source_name="第六批.txt", publish=True)
print("not killed")
"""

LOOK = r"""
import json
from django.test import Client
from cases.journal import PendingWork
from cases.models import Case

client = Client()
health = client.get("/healthz")
print(json.dumps({
    "cases": Case.objects.published().filter(batch=6).count(),
    "api": client.get("/api/cases/?batch=6").json()["count"],
    "search": client.get("/api/cases/?q=海口市&batch=6").json()["count"],
    "page": client.get("/cases/6/1/").status_code,
    "pending": PendingWork.objects.count(),
    "health": health.status_code,
    "derived": health.json()["checks"]["derived_data"],
}))
"""


def look(env) -> dict:
    return json.loads(manage(env, "shell", "-c", LOOK).strip().splitlines()[-1])


@pytest.fixture
def crashed(tmp_path):
    with scratch_database(tmp_path, "crash") as url:
        env = server_env(url, tmp_path / "media", DJANGO_DEBUG="1", PENDING_WORK_GRACE_SECONDS="0")
        env["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_seed", "-v", "0")
        died = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", IMPORT_AND_DIE],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert died.returncode == -9, died.stdout + died.stderr
        yield env


def test_a_kill_right_after_an_import_commits_is_reported_then_repaired_when_a_worker_starts(crashed):
    after_crash = look(crashed)
    # The import committed: its cases and pages exist …
    assert after_crash["cases"] == 8
    assert after_crash["page"] == 200
    # … the work it owes is recorded, and /healthz says the instance disagrees with its data.
    assert after_crash["pending"] > 0
    assert after_crash["health"] == 503
    assert "提交后的索引或版本更新未完成" in after_crash["derived"]
    # A gunicorn worker starting (deploy/gunicorn.conf.py's hook) does the work before it serves.
    hooks = PROJECT / "deploy" / "gunicorn.conf.py"
    run_hook = (
        "import runpy, logging\n"
        f"hooks = runpy.run_path({str(hooks)!r})\n"
        "class Worker: log = logging.getLogger('worker')\n"
        "hooks['post_worker_init'](Worker())\n"
    )
    manage(crashed, "shell", "-c", run_hook)
    repaired = look(crashed)
    assert repaired | {"search": None} == {
        "cases": 8,
        "api": 8,
        "search": None,
        "page": 200,
        "pending": 0,
        "health": 200,
        "derived": "ok",
    }
    assert repaired["search"] >= 1
