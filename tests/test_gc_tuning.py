"""The worker freezes long-lived objects after its warm-up requests, and only then."""

import gc
import itertools

import pytest

from cases import gc_tuning


@pytest.fixture
def fresh_process(monkeypatch):
    monkeypatch.setattr(gc_tuning, "_served", itertools.count(1))
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.django_db
def test_objects_are_frozen_after_the_configured_requests(client, settings, fresh_process):
    settings.GC_FREEZE_AFTER_REQUESTS = (2,)
    client.get("/cases/")
    assert gc.get_freeze_count() == 0
    client.get("/cases/")
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # Django's URL resolvers, templates, models …
    client.get("/cases/")
    assert gc.get_freeze_count() <= frozen  # no second freeze (frozen objects freed by refcount leave it)


@pytest.mark.django_db
def test_no_freeze_when_the_setting_is_empty(client, settings, fresh_process):
    settings.GC_FREEZE_AFTER_REQUESTS = ()
    for _ in range(3):
        client.get("/cases/")
    assert gc.get_freeze_count() == 0
