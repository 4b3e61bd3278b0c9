"""Backups of the whole portal: the database and the evidence files, in one archive, and their restore.

An archive (``.tar.gz``) holds:

- the database, taken online and consistent: SQLite through its backup
  API (which includes what is still in the write-ahead log; copying the
  file would miss a committed edit), PostgreSQL with ``pg_dump -Fc``;
- every file under ``MEDIA_ROOT`` (evidence uploads), byte for byte;
- ``manifest.json``: when, which database engine, the applied migrations,
  rows per table and a SHA-256 per file, checked again on restore.

Nothing goes through ``dumpdata``/``loaddata``, which would add history
entries and cut timestamps. Restore replaces the database and the media
folder with the archive's and checks both against the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from . import versions

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in Chinese."""


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int


def table_counts(using=connection) -> dict[str, int]:
    counts = {}
    with using.cursor() as cursor:
        for table in sorted(using.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {using.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_files(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under ``root``."""
    found = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def applied_migrations(using=connection) -> list[str]:
    with using.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def default_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"yingshang-{stamp}.tar.gz"


def create_backup(output: Path | None = None) -> BackupResult:
    output = Path(output or default_path())
    output.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        if vendor == "sqlite":
            member, dump = SQLITE_MEMBER, scratch / SQLITE_MEMBER
            _sqlite_copy(Path(connection.settings_dict["NAME"]), dump)
        elif vendor == "postgresql":
            member, dump = POSTGRES_MEMBER, scratch / POSTGRES_MEMBER
            _pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}")
        else:
            raise BackupError(f"不支持备份 {vendor} 数据库。")
        counts = table_counts()
        files = media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database": member,
            "migrations": applied_migrations(),
            "tables": counts,
            "media": files,
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            archive.add(dump, arcname=member)
            for name in files:
                archive.add(media_root / name, arcname=MEDIA_PREFIX + name)
        partial.replace(output)  # a backup interrupted half-way never looks complete
    return BackupResult(output, len(counts), sum(counts.values()), len(files))


def restore_backup(path: Path) -> BackupResult:
    path = Path(path)
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with-block below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from exc
    with archive, tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        manifest = _read_manifest(archive)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"备份来自 {manifest['vendor']} 数据库，当前使用的是 {connection.vendor}，不能直接恢复。")
        members = {m.name: m for m in archive.getmembers()}
        if manifest["database"] not in members:
            raise BackupError("备份文件不完整：缺少数据库部分。")
        for member in members.values():
            if not _safe_member(member):
                raise BackupError(f"备份文件含有不安全的路径 {member.name}，已拒绝。")
        archive.extractall(scratch, filter="data")
        new_media = scratch / "media"
        if media_files(new_media) != manifest["media"]:
            raise BackupError("备份中的材料文件与清单不符，备份可能已损坏；未作任何修改。")
        connections.close_all()
        if connection.vendor == "sqlite":
            _sqlite_copy(scratch / SQLITE_MEMBER, Path(connection.settings_dict["NAME"]))
        else:
            _pg(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(scratch / POSTGRES_MEMBER),
                dbname_flag=True,
            )
        _replace_media(new_media, Path(settings.MEDIA_ROOT))
    counts = table_counts()
    if counts != manifest["tables"]:
        expected = manifest["tables"]
        differing = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        raise BackupError(f"恢复后的行数与备份清单不符：{'、'.join(differing[:5])}")
    _new_versions()
    return BackupResult(path, len(counts), sum(counts.values()), len(manifest["media"]))


def describe(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            return _read_manifest(archive)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from exc


# -- helpers ----------------------------------------------------------------------


def _new_versions() -> None:
    """Drop the versions published to the shared cache: the restored version rows are the ones to serve.

    The restored rows carry older serials than those published before, which
    would otherwise outrank them; pages cached under the restored tokens
    were drawn from the very data restored.
    """
    from .caching import version_models

    versions.forget(version_models())


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the backup API: consistent, WAL included."""
    if not source.exists():
        raise BackupError(f"找不到数据库文件 {source}。")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg(program: str, *args: str, dbname_flag: bool = False) -> None:
    database = connection.settings_dict
    command = [
        program,
        f"--host={database.get('HOST') or 'localhost'}",
        f"--port={database.get('PORT') or 5432}",
        f"--username={database.get('USER') or 'postgres'}",
    ]
    command += [*args, f"--dbname={database['NAME']}"] if dbname_flag else [*args, database["NAME"]]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    if shutil.which(program) is None:
        raise BackupError(f"找不到 {program}：请安装与服务器版本相同的 PostgreSQL 客户端工具。")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{program} 失败：{result.stderr.strip()[-800:]}")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError("这不是本系统的备份文件（缺少 manifest.json）。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 无法识别。")
    return manifest


def _safe_member(member: tarfile.TarInfo) -> bool:
    name = Path(member.name)
    return (member.isfile() or member.isdir()) and not name.is_absolute() and ".." not in name.parts


def _replace_media(new: Path, root: Path) -> None:
    """Swap the media folder for the archive's; the old one is removed only once the new one is in place."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = root.with_name(root.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    if new.exists():
        shutil.copytree(new, staged)
    else:
        staged.mkdir()
    old = root.with_name(root.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        root.rename(old)
    staged.rename(root)
    shutil.rmtree(old, ignore_errors=True)
