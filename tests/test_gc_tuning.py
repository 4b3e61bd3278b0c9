"""A server process freezes long-lived objects after its warm-up requests, and only then."""

import gc
import threading

import pytest
from django.core.signals import request_finished

from portal.gc_tuning import WarmUpFreeze


@pytest.fixture
def freeze_after_second():
    gc.unfreeze()
    freezer = WarmUpFreeze(after=(2,))
    test_thread = threading.current_thread()

    def this_tests_request_done(**kwargs):  # not a live server's request in another thread
        if threading.current_thread() is test_thread:
            freezer.request_done()

    request_finished.connect(this_tests_request_done, dispatch_uid="test-freeze", weak=False)
    yield freezer
    request_finished.disconnect(dispatch_uid="test-freeze")
    gc.unfreeze()


@pytest.mark.django_db
def test_objects_are_frozen_after_the_configured_requests(client, freeze_after_second):
    # What this freezer did is asked of the freezer, and it counts this test's requests
    # only: the process-wide freeze count once read 375 after the first request in CI,
    # moved by something outside this test.
    client.get("/cases/")
    assert freeze_after_second.frozen_after == []
    client.get("/cases/")
    assert freeze_after_second.frozen_after == [2]
    assert gc.get_freeze_count() > 1000  # Django's URL resolvers, templates, models …
    client.get("/cases/")
    assert freeze_after_second.frozen_after == [2]  # no second freeze


def test_no_freeze_without_configured_requests():
    gc.unfreeze()
    freezer = WarmUpFreeze(after=())
    for _ in range(3):
        freezer.request_done()
    assert freezer.frozen_after == []
