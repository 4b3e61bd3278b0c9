"""Work owed after a commit is written with the data: savepoints rolled back or released never lose a row."""

import pytest
from django.db import transaction

from cases import journal
from cases.journal import PendingWork

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(monkeypatch):
    seen = []
    monkeypatch.setitem(journal._handlers, "test", lambda keys: seen.append(sorted(keys)))
    return seen


def rows() -> list[str]:
    return sorted(PendingWork.objects.filter(kind="test").values_list("key", flat=True))


def test_work_recorded_in_a_rolled_back_savepoint_is_recorded_again_when_owed_again(done):
    with transaction.atomic():
        try:
            with transaction.atomic():
                journal.record("test", [1])
                assert rows() == ["1"]
                raise RuntimeError
        except RuntimeError:
            pass
        assert rows() == []
        journal.record("test", [1, 2])
        assert rows() == ["1", "2"]
    assert done == []  # inside the test's own transaction nothing has committed


def test_work_recorded_in_a_released_savepoint_is_kept_once(done):
    with transaction.atomic():
        with transaction.atomic():
            journal.record("test", [7])
        journal.record("test", [7])
        journal.record("test", ["7"])
    assert rows() == ["7"]


def test_the_work_is_done_once_the_transaction_commits_and_its_rows_go(done, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        journal.record("test", [3, 1])
        journal.record("test", [2])
    assert done == [["1", "2", "3"]]
    assert rows() == []


def test_a_failing_piece_of_work_keeps_its_rows_for_the_next_start(monkeypatch, django_capture_on_commit_callbacks):
    def fails(keys):
        raise RuntimeError("index unavailable")

    monkeypatch.setitem(journal._handlers, "test", fails)
    with django_capture_on_commit_callbacks(execute=True):
        journal.record("test", [5])
    assert rows() == ["5"]
    monkeypatch.setitem(journal._handlers, "test", lambda keys: None)
    assert journal.drain() >= 1
    assert rows() == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_write_is_reindexed_at_once_and_owes_nothing(seed):
    """A save in autocommit (manage.py shell, a revert) is committed already: its work is done on the spot."""
    from cases.models import Case
    from cases.search.models import CaseText

    case = Case.objects.get(batch=4, number=3)
    case.title = "深化经营主体注销便利化改革（自动提交）"
    case.save()
    assert "自动提交" in CaseText.objects.get(case=case).title
    assert not PendingWork.objects.exists()


def test_migrate_does_the_work_a_crash_left(seed):
    """post_migrate drains the journal: what a process killed after its commit left undone is done."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from cases.apps import drain_after_migrate
    from cases.models import Case
    from cases.search.models import CaseSearch

    assert any(key[0] == "cases.journal" for key, *_ in post_migrate.receivers)  # connected in CasesConfig.ready
    case = Case.objects.get(batch=4, number=2)
    CaseSearch.objects.filter(case=case).delete()  # as if the reindex never ran
    PendingWork.objects.create(token="crashed", kind="reindex", key=str(case.pk))
    drain_after_migrate(sender=apps.get_app_config("cases"), using="default")
    assert CaseSearch.objects.filter(case=case).exists()
    assert not PendingWork.objects.exists()
