from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from pytest_django.plugin import blocking_manager_key

from cases.history import history_paused, record_baseline
from cases.models import Case, Notice
from cases.search import engine

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
#: What migrations wrote (the thesaurus, version rows …), serialized, for tables a flush empties.
_MIGRATION_ROWS: dict[type, str] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix(request) -> None:
    """Each pytest-xdist worker its own test database: ``…-gw0.sqlite3`` (still a ``.sqlite3`` file), ``…_gw0``."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if not worker:
        return
    for config in settings.DATABASES.values():
        name = config.get("TEST", {}).get("NAME")
        if name and name.endswith(".sqlite3"):
            config["TEST"]["NAME"] = f"{name.removesuffix('.sqlite3')}-{worker}.sqlite3"
        elif name or config["ENGINE"] != "django.db.backends.sqlite3":
            config.setdefault("TEST", {})["NAME"] = f"{name or 'test_' + config['NAME']}_{worker}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The seed is loaded once per session, committed, and every test's transaction rolls back to it.

    A transactional test (live servers, concurrency) ends by emptying every
    table; before the next test that runs in a transaction, what migrations
    wrote and the seed are written again (``pytest_runtest_setup``). A test
    that does not ask for the seed gets the database as migrations leave it
    (``catalog_as_asked``).
    """
    with django_db_blocker.unblock():
        models = apps.get_models(include_auto_created=True)
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        for model, pks in before.items():
            if pks:
                _MIGRATION_ROWS[model] = serializers.serialize("json", model._base_manager.order_by("pk"))
        load_seed()
        for model in models:
            if model._base_manager.exclude(pk__in=before[model]).exists():
                _BEFORE_SEED[model] = before[model]
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            _end_other_sessions()


def _end_other_sessions() -> None:
    """End any other session on this worker's own test database, so that it can be dropped.

    Under pytest-xdist a worker's run ended now and then with "database
    test_…_gw0 is being accessed by other users". What held it, found with
    ``gc`` after Django closed its pool: a second ``DatabaseWrapper`` for
    ``default``, made in the main thread by pytest-django's live server
    (``LiveServer.__init__`` walks ``connections.all()``) and left connected
    outside Django's reach. The database belongs to this worker alone, so
    nothing else can be using it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server starts after the test database is made, so it stops before the database is dropped.

    Under pytest-xdist a worker's first test may be a browser test; without
    this the server would be set up first and stopped last, after the drop.
    """
    return live_server


def migration_rows_again() -> None:
    """Write again what migrations wrote, in each table a flush left empty.

    The post-migrate signal refills some tables itself (content types,
    permissions); those are left as it made them.
    """
    with transaction.atomic(), connection.constraint_checks_disabled():
        for model, rows in _MIGRATION_ROWS.items():
            if not model._base_manager.exists():
                for obj in serializers.deserialize("json", rows):
                    obj.save()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get("transaction")))


def _uses_db(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(item.get_closest_marker("django_db") or names & {"db", "transactional_db", "live_server", "seed"})


#: A transactional test has emptied every table since the session state was last whole.
_flushed = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    global _flushed
    yield
    _flushed = _flushed or _transactional(item)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the next test in a transaction after a flush: the migrations' rows and the seed again, committed.

    pytest-django runs transactional tests after the others, but not under
    pytest-xdist's scheduling, so no test may rely on that order.
    """
    global _flushed
    if _flushed and _uses_db(item) and not _transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            migration_rows_again()
            if not Notice.objects.filter(batch=4).exists():
                load_seed()
        _flushed = False


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
    if _uses_db(request.node) and "seed" not in request.fixturenames:
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
        migration_rows_again()
        with django_capture_on_commit_callbacks(execute=True):
            load_seed()
        notice = Notice.objects.get(batch=4)
    return notice


@pytest.fixture
def source_text() -> str:
    return SOURCE_TEXT_PATH.read_text(encoding="utf-8")


@pytest.fixture
def case_4_8(seed) -> Case:
    return Case.objects.get(notice=seed, number=8)
