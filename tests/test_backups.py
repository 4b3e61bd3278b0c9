"""make backup / make restore: a round trip gives back every table, row for row, and every file, byte for byte."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import PROJECT, every_table, manage, scratch_database, server_env

pytestmark = pytest.mark.slow

PREPARE = """
from datetime import date
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from cases.models import Case, Region
from cases.tracker.models import AdoptionReport, Evidence, OfficialProfile
user = User.objects.create_user("backup-official", password="备份-测试-口令-1")
OfficialProfile.objects.create(user=user, region=Region.objects.get(slug="haikou"))
haikou = Region.objects.get(slug="haikou")
report = AdoptionReport.objects.create(case=Case.objects.get(batch=4, number=2), region=haikou,
                                       status="in_progress", started_on=date(2024, 1, 5), actions="备份前的报告。")
evidence = Evidence(report=report, title="方案", original_name="方案.pdf", size=13)
evidence.file.save("方案.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
"""
EDIT = """
from cases.models import Case
case = Case.objects.get(batch=4, number=3)
case.title = case.title + "（备份前最后一次修改）"
case.save()
"""
DAMAGE = """
from cases.models import Case
from cases.tracker.models import AdoptionReport
AdoptionReport.objects.all().delete()
Case.objects.filter(batch=4, number=5).update(title="被误改的标题")
"""


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def database_url(tmp_path):
    """A database of the suite's kind, of its own: the round trip replaces it whole."""
    with scratch_database(tmp_path, "backup") as url:
        yield url


def test_a_backup_and_restore_round_trip_gives_back_every_table_and_file(tmp_path, database_url):
    media = tmp_path / "media"
    env = server_env(database_url, media)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_seed", "-v", "0")
    manage(env, "shell", "-c", PREPARE)
    keeper = None
    if database_url.startswith("sqlite"):
        # An open reader keeps the last edit in the write-ahead log: copying the file would miss it.
        keeper = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        keeper.execute("SELECT count(*) FROM cases_case").fetchone()
    manage(env, "shell", "-c", EDIT)
    if keeper is not None:
        wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
        assert wal.exists(), "the edit should still be in the WAL"
        assert wal.stat().st_size > 0, "the edit should still be in the WAL"
    before_tables, before_files = every_table(env), files(media)
    assert before_files, "the evidence file should exist"
    archive = tmp_path / "backup.tar.gz"
    assert "已备份到" in manage(env, "backup", "--output", str(archive))
    if keeper is not None:
        keeper.close()

    manage(env, "shell", "-c", DAMAGE)
    (media / "stray.txt").write_text("不在备份中的文件")
    next(p for p in media.rglob("*.pdf")).write_bytes(b"damaged")
    assert every_table(env) != before_tables

    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=PROJECT,
        env=env,
        input="no\n",
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "已取消" in refused.stderr
    assert "已恢复" in manage(env, "restore", str(archive), "--yes")
    after = every_table(env)
    assert after == before_tables, [t for t in before_tables if after.get(t) != before_tables[t]]
    assert files(media) == before_files
    titles = after["cases_case"]
    assert any("（备份前最后一次修改）" in row for row in titles)


def test_a_damaged_or_foreign_archive_is_refused_and_changes_nothing(tmp_path, database_url):
    media = tmp_path / "media"
    env = server_env(database_url, media)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_seed", "-v", "0")
    before = every_table(env)
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(junk), "--yes"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "无法读取备份文件" in result.stderr
    assert every_table(env) == before
