from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from cases.history import history_paused, record_baseline
from cases.models import Case, Notice
from cases.search import engine

SOURCE_TEXT_PATH: Path = settings.NOTICE_SOURCE_DIR / "notice-batch-4.txt"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many accounts; production's PBKDF2 rounds would cost seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached facet counts must not leak from one test's database into another's."""
    cache.clear()
    engine.clear()
    yield
    cache.clear()
    engine.clear()


@pytest.fixture
def seed(db, django_capture_on_commit_callbacks) -> Notice:
    """The whole seed fixture (fourth batch, 19 regions), loaded the way operators load it.

    The search index is filled when loaddata's transaction commits; inside a
    test's transaction that moment is simulated by running the callbacks.
    """
    with django_capture_on_commit_callbacks(execute=True), history_paused():
        call_command("loaddata", "seed", verbosity=0)
    record_baseline("载入种子数据")
    return Notice.objects.get(batch=4)


@pytest.fixture
def source_text() -> str:
    return SOURCE_TEXT_PATH.read_text(encoding="utf-8")


@pytest.fixture
def case_4_8(seed) -> Case:
    return Case.objects.get(notice=seed, number=8)
