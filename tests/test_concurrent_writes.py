"""Officials saving at once on the embedded SQLite database: every save lands, no "database is locked".

A real gunicorn server (two processes, four threads each) on a SQLite file:
32 report saves start together while other visitors read pages, then saves
keep coming under read load. Every save must be answered with a redirect to
the saved report and every read with 200.
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live import Browser, manage, server_env, start_gunicorn

pytestmark = pytest.mark.slow

REGIONS = ["haikou", "sanya", "danzhou", "wenchang"]
PASSWORD = "并发测试-密码-123"
CREATE_OFFICIALS = f"""
from django.contrib.auth.models import User
from cases.tracker.models import OfficialProfile
from cases.models import Region
for slug in {REGIONS!r}:
    user = User.objects.create_user("official-" + slug, password={PASSWORD!r})
    OfficialProfile.objects.create(user=user, region=Region.objects.get(slug=slug))
"""


def report_data(case_number: int) -> dict:
    return {
        "version": "0",
        "status": "in_progress",
        "started_on": "2024-03-01",
        "actions": f"并发保存测试：案例{case_number}",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "20",
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-server")
    database = folder / "portal.sqlite3"
    env = server_env(f"sqlite:///{database}", folder / "media")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_seed", "-v", "0")
    manage(env, "shell", "-c", CREATE_OFFICIALS)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    server = start_gunicorn(env, folder / "gunicorn.log", workers=2, threads=4)
    yield server, database
    server.stop()


def test_32_simultaneous_report_saves_all_land(server):
    server, database = server
    browsers = {slug: Browser(server.url) for slug in REGIONS}
    for slug, browser in browsers.items():
        browser.sign_in(f"official-{slug}", PASSWORD)
    jobs = [(slug, case) for case in range(1, 9) for slug in REGIONS]  # 32 distinct reports
    tokens, versions = {}, {}
    for slug, case in jobs:  # every form is opened first, as officials would have it open
        path = f"/adoption/cases/4/{case}/region/{slug}/edit/"
        status, html = browsers[slug].get(path)
        assert status == 200
        tokens[(slug, case)] = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        versions[(slug, case)] = html.split('name="version" value="', 1)[1].split('"', 1)[0]
    start = threading.Barrier(len(jobs) + 4)
    stop_reading = threading.Event()

    def save(job):
        slug, case = job
        start.wait()
        data = {**report_data(case), "csrfmiddlewaretoken": tokens[job], "version": versions[job]}
        return browsers[slug].request("POST", f"/adoption/cases/4/{case}/region/{slug}/edit/", data)[0]

    def read(_):
        visitor, answers = Browser(server.url), []
        start.wait()
        while not stop_reading.is_set():
            for path in ("/cases/?q=注销", "/adoption/", "/cases/4/1/", "/api/cases/"):
                answers.append(visitor.get(path)[0])
        return answers

    with ThreadPoolExecutor(max_workers=len(jobs) + 4) as pool:
        readers = [pool.submit(read, n) for n in range(4)]
        saves = list(pool.map(save, jobs))
        stop_reading.set()
        reads = [status for reader in readers for status in reader.result()]
    assert saves == [302] * len(jobs), f"{saves.count(302)} of {len(jobs)} saves landed: {saves}"
    assert reads
    assert set(reads) == {200}, sorted(set(reads))
    with sqlite3.connect(database) as db:  # one report per job, whichever test ran first
        assert db.execute("SELECT count(*) FROM cases_adoptionreport").fetchone()[0] == len(jobs)
    assert "database is locked" not in server.log.read_text()


def test_saves_under_read_load_all_land(server):
    """Each region updates its reports again and again while visitors keep reading."""
    server, _ = server
    stop = threading.Event()

    def read(_):
        visitor, answers = Browser(server.url), []
        while not stop.is_set():
            answers.append(visitor.get("/adoption/")[0])
            answers.append(visitor.get("/cases/?q=数据")[0])
        return answers

    def edit(slug):
        browser, answers = Browser(server.url), []
        browser.sign_in(f"official-{slug}", PASSWORD)
        for case in range(1, 9):
            path = f"/adoption/cases/4/{case}/region/{slug}/edit/"
            status, html = browser.get(path)
            version = html.split('name="version" value="', 1)[1].split('"', 1)[0]
            answers.append(
                browser.post_form(path, {**report_data(case), "version": version, "actions": f"第二轮更新：{case}"})[0]
            )
        return answers

    with ThreadPoolExecutor(max_workers=10) as pool:
        readers = [pool.submit(read, n) for n in range(6)]
        saves = [status for answers in pool.map(edit, REGIONS) for status in answers]
        stop.set()
        reads = [status for reader in readers for status in reader.result()]
    assert saves == [302] * 32, saves
    assert set(reads) == {200}
