"""Two portal instances against one database and one Redis: what one writes, the other shows at once.

The supported production shape is several identical processes on several
machines. Here two gunicorn instances on different ports share the suite's
kind of database (a scratch PostgreSQL database in the PostgreSQL run, a
scratch SQLite file otherwise) and the local Redis. An editor changes,
withdraws and republishes a case through one; an anonymous official reads
through the other, whose page cache and catalog index were warm with the old
data. A report saved through one is refused as a conflict when a stale form
is saved through the other.

Redis must be running (``.ci/run`` starts it); without it the test is
skipped, unless REQUIRE_REDIS=1 (as in CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest

from tests.forms import form_data
from tests.live import Browser, manage, scratch_database, server_env, start_gunicorn
from tests.oracles import FACET_OPTION, RESULT_COUNT

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "两台实例-测试口令-2026"
NEW_WORD = "鼹鼷鼶鼸"  # characters that stand nowhere in the seed, so not even its characters match

pytestmark = pytest.mark.slow

SETUP = f"""
from django.contrib.auth.models import User
from cases.models import Case, Region
from cases.tracker.models import OfficialProfile
User.objects.create_superuser("chief", password="{PASSWORD}")
for name in ("haikou-a", "haikou-b"):
    user = User.objects.create_user(name, password="{PASSWORD}")
    OfficialProfile.objects.create(user=user, region=Region.objects.get(slug="haikou"))
print(Case.objects.get(batch=4, number=1).pk)
"""


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not running at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not running at {REDIS_URL} (set REQUIRE_REDIS=1 to fail instead)")
    return redis.Redis.from_url(REDIS_URL)


def listing(reader: Browser, query: str = "") -> tuple[int, dict[str, dict[str, int]]]:
    status, html = reader.get(f"/cases/?{query}")
    assert status == 200, html[:300]
    facets: dict[str, dict[str, int]] = {}
    for match in FACET_OPTION.finditer(html):
        facets.setdefault(match["facet"], {})[match["value"]] = int(match["count"])
    return int(RESULT_COUNT.search(html)[1]), facets


def api(reader: Browser, path: str) -> dict:
    import json

    status, body = reader.get(path)
    assert status == 200, body[:300]
    return json.loads(body)


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    """Two gunicorn instances on one scratch database and one Redis, shared by this module's tests.

    Starting them takes most of a test's time. The tests touch different
    data (a case's title and publication; a region's report), so they can share.
    """
    tmp_path = tmp_path_factory.mktemp("two-instances")
    store = redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    with scratch_database(tmp_path, "instances") as url:
        env = server_env(url, tmp_path / "media", REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
        manage(env, "migrate", "--noinput")
        manage(env, "load_seed")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        case_pk = int(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        one = start_gunicorn(env, tmp_path / "one.log", workers=1, threads=2)
        try:
            other = start_gunicorn(env, tmp_path / "other.log", workers=1, threads=2)
            try:
                yield one, other, case_pk
            finally:
                other.stop()
        finally:
            one.stop()
            for key in store.scan_iter(f"{prefix}:*"):
                store.delete(key)


def test_an_edit_through_one_instance_shows_at_once_through_the_other(two_instances):
    one, other, case_pk = two_instances
    reader = Browser(other.url)  # an anonymous official on the second instance
    # Warm the second instance's pages, index and caches with the catalog as loaded.
    count, facets = listing(reader)
    assert count == 8
    original = api(reader, "/api/cases/4/1/")["title"]
    assert original in reader.get("/cases/4/1/")[1]
    assert listing(reader, f"q={NEW_WORD}")[0] == 0
    assert api(reader, f"/api/cases/?q={NEW_WORD}")["count"] == 0

    editor = Browser(one.url)
    editor.sign_in("chief", PASSWORD)
    url = f"/admin/cases/case/{case_pk}/change/"
    status, html = editor.get(url)
    assert status == 200
    data = form_data(html, "case_form")
    title = data["title"][0]
    data["title"] = [f"{title}（{NEW_WORD}）"]
    status, body = editor.request("POST", url, data)
    assert status == 302, body[:500]

    # Read through the other instance, at once: page, search, API.
    status, page = reader.get("/cases/4/1/")
    assert status == 200
    assert NEW_WORD in page
    assert listing(reader, f"q={NEW_WORD}")[0] == 1
    assert [r["number"] for r in api(reader, f"/api/cases/?q={NEW_WORD}")["results"]] == [1]
    assert NEW_WORD in api(reader, "/api/cases/4/1/")["title"]

    # Withdrawn through the first: gone from the second's list, facets, API and page.
    status, _ = editor.post_form("/admin/cases/case/", {"action": "withdraw_cases", "_selected_action": [str(case_pk)]})
    assert status == 302
    count, withdrawn = listing(reader)
    assert count == 7
    assert withdrawn["batch"]["4"] == facets["batch"]["4"] - 1
    assert sum(withdrawn["theme"].values()) < sum(facets["theme"].values())
    assert api(reader, "/api/cases/")["count"] == 7
    assert reader.get("/cases/4/1/")[0] == 404
    assert listing(reader, f"q={NEW_WORD}")[0] == 0

    # Published again: back everywhere, with the same facet counts as at first.
    status, _ = editor.post_form("/admin/cases/case/", {"action": "publish_cases", "_selected_action": [str(case_pk)]})
    assert status == 302
    assert listing(reader) == (8, facets)
    assert reader.get("/cases/4/1/")[0] == 200


def test_a_report_saved_through_one_instance_is_a_conflict_for_a_stale_form_on_the_other(two_instances):
    one, other, _ = two_instances
    path = "/adoption/cases/4/1/region/haikou/edit/"
    reader = Browser(other.url)
    assert 'aria-label="海口市：未启动"' in reader.get("/adoption/?batch=4")[1]
    first, second = Browser(one.url), Browser(other.url)
    first.sign_in("haikou-a", PASSWORD)
    second.sign_in("haikou-b", PASSWORD)
    forms = []
    for browser in (first, second):
        status, html = browser.get(path)
        assert status == 200
        forms.append(form_data(html, "report-form"))
    for data, words in zip(forms, ("第一台实例保存的做法。", "第二台实例后保存的做法。"), strict=True):
        data.update({"status": ["in_progress"], "started_on": ["2024-01-02"], "actions": [words]})
    status, body = first.request("POST", path, forms[0])
    assert status == 302, body[:500]
    status, body = second.request("POST", path, forms[1])
    assert status == 409, body[:500]
    assert "本次修改没有保存" in body
    # The other instance's anonymous pages show the first save at once, and only it.
    matrix = reader.get("/adoption/?batch=4")[1]
    assert 'aria-label="海口市：推进中"' in matrix
    report = re.search(r'href="(/adoption/reports/\d+/)" aria-label="海口市：推进中"', matrix)[1]
    shown = reader.get(report)[1]
    assert "第一台实例保存的做法。" in shown
    assert "第二台实例后保存的做法。" not in shown
