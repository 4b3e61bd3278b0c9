from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from cases.history import history_paused, record_baseline
from cases.models import Case, Notice
from cases.search import engine
from cases.tracker.models import TrackerVersion

SOURCE_TEXT_PATH: Path = settings.NOTICE_SOURCE_DIR / "notice-batch-4.txt"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many accounts; production's PBKDF2 rounds would cost seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def generous_download_limit(settings):
    """Tests download far more often than an official would; the limit itself is tested on its own."""
    settings.DOWNLOADS_PER_MINUTE = 100_000


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached facet counts must not leak from one test's database into another's."""
    cache.clear()
    engine.clear()
    yield
    cache.clear()
    engine.clear()


def load_seed() -> None:
    """Load the seed fixture the way operators do, with the history baseline editors revert to."""
    with history_paused():
        call_command("loaddata", "seed", verbosity=0)
    record_baseline("载入种子数据")


#: Rows each table held before the seed was loaded (what migrations create), by model.
_BEFORE_SEED: dict[type, set] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The seed is loaded once per session, committed, and every test's transaction rolls back to it.

    pytest-django runs the transactional tests (live servers, concurrency)
    after all the others; each of them ends by emptying the database, so
    ``seed`` loads it again for the next one that asks. A test that does not
    ask for the seed gets the database as migrations leave it
    (``catalog_as_asked``).
    """
    with django_db_blocker.unblock():
        models = apps.get_models(include_auto_created=True)
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        load_seed()
        for model in models:
            if model._base_manager.exclude(pk__in=before[model]).exists():
                _BEFORE_SEED[model] = before[model]


def empty_catalog() -> None:
    """Delete what the seed loaded (the catalog, its index and history), keeping what migrations made.

    Foreign keys are checked when the transaction ends, so the order of the deletes does not matter.
    """
    with transaction.atomic():
        for model, kept in _BEFORE_SEED.items():
            model._base_manager.exclude(pk__in=kept)._raw_delete(model._base_manager.db)


@pytest.fixture(autouse=True)
def catalog_as_asked(request):
    """A database test that does not ask for ``seed`` starts from an empty catalog, as it always has."""
    names = set(request.fixturenames)
    uses_db = request.node.get_closest_marker("django_db") or names & {"db", "transactional_db", "live_server"}
    if uses_db and "seed" not in names:
        request.getfixturevalue("_django_db_helper")
        empty_catalog()


@pytest.fixture
def seed(db, django_capture_on_commit_callbacks) -> Notice:
    """The whole seed fixture (fourth batch, 19 regions)."""
    notice = Notice.objects.filter(batch=4).first()
    if notice is None:
        # A transactional test emptied the database. The index is filled when
        # loaddata's transaction commits; inside a test's transaction that
        # moment is simulated by running the callbacks.
        with django_capture_on_commit_callbacks(execute=True):
            load_seed()
        TrackerVersion.state()  # the flush removed the row the migration made
        notice = Notice.objects.get(batch=4)
    return notice


@pytest.fixture
def source_text() -> str:
    return SOURCE_TEXT_PATH.read_text(encoding="utf-8")


@pytest.fixture
def case_4_8(seed) -> Case:
    return Case.objects.get(notice=seed, number=8)
