"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Without Chromium they are skipped with the reason; with REQUIRE_BROWSER=1
(as .ci/run sets it) a missing browser fails them instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.screens import DESKTOP

# Playwright's sync API runs an event loop in this thread; Django's live
# server tests then need this to touch the database from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def _chromium_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}; install Debian's chromium to run the browser tests"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (make test installs it)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def seeded_server(live_server, transactional_db):
    """The live server with the seed loaded (its search index is built when loaddata commits)."""
    call_command("loaddata", "seed", verbosity=0)
    return live_server


@pytest.fixture
def page(browser, seeded_server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = seeded_server.url
    yield page
    context.close()
