"""A server process freezes long-lived objects after its warm-up requests, and only then."""

import gc

import pytest
from django.core.signals import request_finished

from portal.gc_tuning import WarmUpFreeze


@pytest.fixture
def freeze_after_second():
    gc.unfreeze()
    freezer = WarmUpFreeze(after=(2,))
    request_finished.connect(freezer.request_done, dispatch_uid="test-freeze")
    yield freezer
    request_finished.disconnect(dispatch_uid="test-freeze")
    gc.unfreeze()


@pytest.mark.django_db
def test_objects_are_frozen_after_the_configured_requests(client, freeze_after_second):
    client.get("/cases/")
    assert gc.get_freeze_count() == 0
    client.get("/cases/")
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # Django's URL resolvers, templates, models …
    client.get("/cases/")
    assert gc.get_freeze_count() <= frozen  # no second freeze (frozen objects freed by refcount leave it)


def test_no_freeze_without_configured_requests():
    gc.unfreeze()
    freezer = WarmUpFreeze(after=())
    for _ in range(3):
        freezer.request_done()
    assert gc.get_freeze_count() == 0
