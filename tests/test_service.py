"""The portal as a production service: headers, health, logs, compression, download limits, deploy settings."""

import gzip
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client

from cases.search import schema
from portal.observability import JsonFormatter

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
PUBLIC_PAGES = ["/", "/cases/", "/cases/?q=注销", "/cases/4/8/", "/agencies/", "/responsibilities/", "/notices/4/"]
PUBLIC_PAGES += ["/adoption/", "/adoption/rankings/", "/adoption/cases/4/1/", "/adoption/regions/haikou/"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_sends_the_security_headers_and_no_inline_code(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200, url
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    # The policy allows no inline script or style: the pages must have none.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), url
    assert not re.search(r"\son[a-z]+=", html), url


def test_the_admin_policy_loosens_only_style_attributes_and_one_hashed_handler(admin_client):
    """What the admin's add-ons write inline is allowed there, and nothing else (the browser test loads them)."""
    admin_policy = admin_client.get("/admin/")["Content-Security-Policy"]
    public_policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    extra = {d.strip() for d in admin_policy.split(";")} - {d.strip() for d in public_policy.split(";")}
    assert {d.split()[0] for d in extra} == {"style-src-attr", "script-src-attr"}
    assert "script-src 'self'" in admin_policy
    assert "'unsafe-inline'" not in next(d for d in extra if d.startswith("script-src-attr"))


def test_every_response_carries_a_request_id_and_keeps_a_sane_one_from_the_proxy(client, seed):
    made = client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/", headers={"x-request-id": "nginx-abc123def"})["X-Request-ID"] == "nginx-abc123def"
    assert client.get("/", headers={"x-request-id": "<script>"})["X-Request-ID"] != "<script>"


def test_each_request_is_one_json_log_line_with_its_id(client, seed, caplog):
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        response = client.get("/cases/4/8/")
    (record,) = [r for r in caplog.records if r.name == "portal.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response["X-Request-ID"]
    assert line["path"] == "/cases/4/8/"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["level"] == "INFO"


def test_an_error_log_line_has_its_stack_trace():
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Internal Server Error: /x/"
    assert "ValueError: 坏了" in line["traceback"]


def test_healthz_reports_each_check(client, seed):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok", "search_schema": "ok", "derived_data": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_fails_with_the_reason_when_the_search_schema_is_broken(client, seed):
    if connection.vendor == "sqlite":
        statement = f"DROP TRIGGER {schema.SQLITE_TRIGGERS[0]}"
    else:
        statement = f"DROP INDEX {schema.gin_index_name('body')}"
    with connection.cursor() as cursor:
        cursor.execute(statement)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == "ok"
    assert "rebuild_search_index" in body["checks"]["search_schema"]


def test_healthz_checks_the_search_structure_not_the_whole_index(client, seed):
    """A probe comes every few seconds: FTS5's integrity-check reads each index whole (3 s at 10,000 cases).

    A damaged index is found by ``rebuild_search_index``, which reads it (tests/test_search_schema.py).
    """
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get("/healthz").json()["checks"]["search_schema"] == "ok"
    assert statements
    assert [sql for sql in statements if "integrity-check" in sql] == []


def test_healthz_fails_when_a_migration_is_not_applied(client, seed, monkeypatch):
    from portal import health

    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [("a", False)], raising=True)
    body = client.get("/healthz").json()
    assert body["checks"]["migrations"].startswith("有 1 个迁移未执行")


def test_html_and_json_are_compressed(client, seed):
    for url in ("/cases/", "/api/cases/"):
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip", url
        plain = client.get(url).content
        assert gzip.decompress(response.content) == plain
        # At least half the bytes saved, after the random padding of Django's BREACH mitigation.
        assert len(response.content) * 2 < len(plain)


def test_anonymous_downloads_have_a_lower_row_cap_than_signed_in_ones(client, seed, settings):
    settings.DOWNLOAD_MAX_ROWS_ANONYMOUS = 5
    refused = client.get("/cases/download.csv")
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "符合条件的有 8 条，超过一次下载的上限 5 条" in text
    assert "登录后每次最多可下载 5000 条" in text
    assert client.get("/cases/download.csv?q=注销").status_code == 200
    official = Client()
    official.force_login(User.objects.create_user("official", password="x" * 12))
    assert official.get("/cases/download.csv").status_code == 200


def test_downloads_are_rate_limited_per_address_in_chinese(client, seed, settings):
    settings.DOWNLOADS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/cases/metrics.csv").status_code == 200
    refused = client.get("/cases/metrics.xlsx")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "每分钟最多下载 3 次" in refused.content.decode()
    # Another address is not affected.
    assert client.get("/agencies/download.csv", REMOTE_ADDR="10.1.2.3").status_code == 200
    # A signed-in official is counted by account, not with the office's shared address.
    official = Client()
    official.force_login(User.objects.create_user("official", password="x" * 12))
    assert official.get("/cases/metrics.csv").status_code == 200


def production_env(folder: Path, **extra: str) -> dict[str, str]:
    """deploy/production.env.example as the environment, with the machine's PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_"))}
    for line in (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env["DATABASE_URL"] = f"sqlite:///{folder / 'deploy-check.sqlite3'}"
    env.pop("REDIS_URL", None)
    return {**env, **extra}


def test_check_deploy_gives_no_warning_with_the_documented_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_example_names_every_variable_the_settings_read():
    settings_source = (ROOT / "portal" / "settings.py").read_text(encoding="utf-8")
    gunicorn_source = (ROOT / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8")
    read = set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z_]+)"', settings_source + gunicorn_source))
    read |= set(re.findall(r'environ\["([A-Z_]+)"\]', settings_source + gunicorn_source))
    read |= set(re.findall(r'env_flag\("([A-Z_]+)"', settings_source))
    example = (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read - documented == set()
    # Each variable has a comment line right above it.
    lines = example.splitlines()
    for at, line in enumerate(lines):
        if re.match(r"^#?\s*[A-Z_]+=", line):
            assert lines[at - 1].startswith("#"), line


def test_evidence_files_go_through_the_configured_storage_not_the_local_folder(client, seed, settings, tmp_path):
    """STORAGES["default"] decides where evidence lives: an S3 store (django-storages) is configuration alone."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cases.models import Case, Region
    from cases.tracker.models import AdoptionReport, Evidence, OfficialProfile

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    report = AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=1), region=Region.objects.get(slug="haikou"), status="not_started"
    )
    evidence = Evidence(report=report, title="方案", original_name="方案.pdf", size=9)
    evidence.file.save("方案.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    assert default_storage.exists(evidence.file.name)
    assert not (tmp_path / "media").exists()  # nothing written to the local folder
    user = User.objects.create_user("haikou-official")
    OfficialProfile.objects.create(user=user, region=report.region)
    client.force_login(user)
    response = client.get(f"/adoption/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response.getvalue() == b"%PDF-1.4\n"


def test_the_redis_cache_reuses_one_client_and_works(settings):
    """portal.cache.RedisCache: Django's backend, without a new redis-py client per operation."""
    from tests.test_two_instances import REDIS_URL, redis_or_skip

    redis_or_skip()
    from portal.cache import RedisCache

    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-client-reuse", "TIMEOUT": 60})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    cache.set("k", {"页": "内容"})
    assert cache.get("k") == {"页": "内容"}
    assert cache._cache.get_client("k") is client
    cache.delete("k")


def test_the_replica_router_reads_from_the_replica_until_the_request_writes(rf, monkeypatch):
    from cases.models import Case
    from portal.routers import PrimaryAfterWrite, PrimaryReplicaRouter, pin_to_primary

    # A request in autocommit, not inside the test's transaction.
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    router = PrimaryReplicaRouter()
    pin_to_primary(False)
    assert router.db_for_read(Case) == "replica"
    assert router.db_for_write(Case) == "default"
    assert router.db_for_read(Case) == "default"  # once this request has written
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True
    seen = {}

    def view(request):
        seen[request.method] = router.db_for_read(Case)
        return HttpResponse()

    middleware = PrimaryAfterWrite(view)
    middleware(rf.get("/"))
    middleware(rf.post("/"))
    assert seen == {"GET": "replica", "POST": "default"}  # a POST reads the primary throughout
    assert router.db_for_read(Case) == "replica"  # and the next request starts unpinned


class RecordingRouter:
    reads: list = []

    def db_for_read(self, model, **hints):
        self.reads.append(model._meta.label)
        return "default"


def test_the_page_cache_reads_the_versions_where_the_request_reads_its_data(client, seed, settings):
    """With a replica, a page is never cached under a version newer than the data it was drawn from."""
    settings.DATABASE_ROUTERS = ["tests.test_service.RecordingRouter"]
    RecordingRouter.reads.clear()
    assert client.get("/adoption/").status_code == 200
    assert {"search.CatalogVersion", "tracker.TrackerVersion"} <= set(RecordingRouter.reads)


def test_healthz_probes_at_the_same_moment_do_not_fail_each_other(client, seed, monkeypatch):
    """A second probe runs between the first one's write and read (as with 8 probes on a shared Redis)."""
    from django.core.cache import cache

    from portal import health

    real_get, nested = cache.get, []

    def get_with_a_probe_in_between(key, *args, **kwargs):
        if not nested:
            nested.append(None)
            nested[0] = health._cache()
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get_with_a_probe_in_between)
    assert health._cache() == "ok"
    assert nested == ["ok"]


def test_static_files_carry_the_security_headers_too(settings):
    """whitenoise answers before the view middleware: the frame and content-type rules must still apply."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/portal.css")  # a new client builds the middleware with these settings
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    response.close()


def test_the_download_limit_holds_across_server_processes_without_redis(client, seed, settings, monkeypatch):
    """Under `make run` (no Redis) each gunicorn worker has its own memory: the counts must not live there."""
    from django.core.cache.backends.locmem import LocMemCache

    from cases import ratelimit

    settings.DOWNLOADS_PER_MINUTE = 5
    answers = []
    for worker in range(10):  # each request served by another process, with a cache of its own
        monkeypatch.setattr(ratelimit, "cache", LocMemCache(f"worker-{worker}", {}))
        answers.append(client.get("/cases/metrics.csv", REMOTE_ADDR="10.7.7.7").status_code)
    assert answers == [200] * 5 + [429] * 5


def test_with_a_shared_cache_the_counts_live_there(client, seed, settings, monkeypatch):
    from cases import ratelimit
    from cases.ratelimit import RateCount

    settings.DOWNLOADS_PER_MINUTE = 2
    monkeypatch.setattr(ratelimit, "shared_cache", lambda: True)
    answers = [client.get("/cases/metrics.csv", REMOTE_ADDR="10.8.8.8").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert not RateCount.objects.exists()


def test_a_window_that_is_over_opens_a_new_one(client, seed, settings):
    from datetime import timedelta

    from django.utils import timezone

    from cases.ratelimit import RateCount

    settings.DOWNLOADS_PER_MINUTE = 1
    assert client.get("/cases/metrics.csv", REMOTE_ADDR="10.5.5.5").status_code == 200
    assert client.get("/cases/metrics.csv", REMOTE_ADDR="10.5.5.5").status_code == 429
    RateCount.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/cases/metrics.csv", REMOTE_ADDR="10.5.5.5").status_code == 200
