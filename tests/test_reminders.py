# ruff: noqa: F811 - the tests take the imported fixture "world" as an argument
"""Reminders of the replication loop: before a date and once it is missed, a weekly digest, each sent once."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from asgiref.local import Local
from django.core import mail
from django.core.management import CommandError, call_command
from django.tasks import task_backends

from cases.tracker import reminders
from cases.tracker.models import MailPreference, SentReminder
from tests.test_adoption import world  # noqa: F401 - the tracker's fixture of accounts and reports
from tests.test_plans import _commits, approved_plan  # noqa: F401 - POSTs that commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(world):
    for who in ("haikou", "ledong", "yibao"):
        user = world["users"][who]
        user.email = f"{who}@example.gov.cn"
        user.save()
    return world


_capture = {}


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks):
    _capture["run"] = django_capture_on_commit_callbacks


def run_daily(on: date) -> str:
    """The daily command on ``on``, its transactions committed (the mail tasks are handed over on commit)."""
    out = StringIO()
    with (
        time_machine.travel(datetime(on.year, on.month, on.day, 8), tick=False),
        _capture["run"](execute=True),
    ):
        call_command("tracker_daily", stdout=out)
    return out.getvalue()


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_a_late_region_is_told_before_and_once_on_the_miss_however_often_the_command_runs(addresses):
    approved_plan(addresses)  # start by 2024-03-01, land by 2024-06-30, every region
    mail.outbox.clear()
    assert "到期前提醒 0 条" in run_daily(date(2024, 2, 22))  # 8 days before: nothing yet
    out = run_daily(date(2024, 2, 23))
    assert "逾期提醒 0 条，每周汇总 0 份" in out  # this week's digests went out yesterday
    before = to("ledong@example.gov.cn")
    assert len(before) == 1
    assert before[0].subject == "【营商环境示范案例库】乐东黎族自治县：案例4-1 7 天后到启动时限".replace("4-1 ", "4-1")
    assert "2024年3月1日" in before[0].body
    assert to("haikou@example.gov.cn") == []  # Haikou has started; its landing is months away
    run_daily(date(2024, 2, 23))
    run_daily(date(2024, 2, 24))
    assert len(to("ledong@example.gov.cn")) == 1  # the same date is reminded of once
    run_daily(date(2024, 3, 2))
    run_daily(date(2024, 3, 2))
    missed = to("ledong@example.gov.cn")[1:]
    assert [m.subject for m in missed] == ["【营商环境示范案例库】乐东黎族自治县：案例4-1逾期未启动"]
    assert "已列入督办清单" in missed[0].body


def test_the_responsible_unit_gets_one_digest_a_week(addresses):
    approved_plan(addresses)
    mail.outbox.clear()
    run_daily(date(2024, 3, 4))  # a Monday
    run_daily(date(2024, 3, 5))
    digests = to("yibao@example.gov.cn")
    assert len(digests) == 1
    assert digests[0].subject.startswith("【营商环境示范案例库】推广落实每周汇总：逾期 ")
    assert "4-1 推进“三医联动一张网”改革 · 三亚市：逾期未启动（2024-03-01）" in digests[0].body
    run_daily(date(2024, 3, 11))  # the next week
    assert len(to("yibao@example.gov.cn")) == 2


def test_each_kind_of_reminder_can_be_turned_off(addresses):
    approved_plan(addresses)
    MailPreference.objects.create(user=addresses["users"]["ledong"], deadlines=False)
    MailPreference.objects.create(user=addresses["users"]["yibao"], weekly_digest=False)
    mail.outbox.clear()
    run_daily(date(2024, 3, 4))
    assert to("ledong@example.gov.cn") == []
    assert to("yibao@example.gov.cn") == []


def test_a_bad_date_is_refused_in_chinese():
    with pytest.raises(CommandError, match="日期“２０２４-03-01”无效"):
        call_command("tracker_daily", "--date", "２０２４-03-01")
    with pytest.raises(CommandError, match="请按 YYYY-MM-DD 填写"):
        call_command("tracker_daily", "--date", "2024-02-30")


@pytest.fixture
def database_tasks(settings):
    """The production task backend (django-tasks-db) instead of the tests' immediate one."""

    def reset():
        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    reset()
    yield
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    reset()


def work(on: datetime) -> None:
    with time_machine.travel(on, tick=False):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--interval", "0", stdout=StringIO(), stderr=StringIO()
        )


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_a_mail_server_that_is_down_delays_mail_and_loses_none(addresses, database_tasks, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    approved_plan(addresses)
    mail.outbox.clear()
    real = reminders.send_mass_mail
    down = {"yes": True}

    def flaky(messages, fail_silently=False):
        if down["yes"]:
            raise ConnectionRefusedError("SMTP 服务器无响应")
        return real(messages, fail_silently=fail_silently)

    monkeypatch.setattr(reminders, "send_mass_mail", flaky)
    run_daily(date(2024, 3, 2))  # enqueued with the reminders' records, not sent by the command
    assert mail.outbox == []
    assert DBTaskResult.objects.count() > 0
    start = datetime(2024, 3, 2, 8, 0, 30)
    work(start)  # the server is down: every task is tried, and each enqueues itself again for later
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="FAILED").count() == 0
    down["yes"] = False
    work(start + timedelta(seconds=30))  # not yet due again
    assert mail.outbox == []
    work(start + timedelta(minutes=2))
    sent = len(mail.outbox)
    assert (
        sent
        == SentReminder.objects.exclude(recipients=0).aggregate(
            n=__import__("django.db.models").db.models.Sum("recipients")
        )["n"]
    )
    work(start + timedelta(hours=3))
    assert len(mail.outbox) == sent  # each message once


def test_the_mail_page_offers_every_kind_and_keeps_what_is_ticked(addresses):
    from django.test import Client

    client = Client()
    client.force_login(addresses["users"]["ledong"])
    page = client.get("/adoption/mail/").content.decode()
    for label in (
        "本单位报告被审核或收到意见时提醒我",
        "本市县的案例临近时限或逾期时提醒我",
        "每周汇总本单位负责推广的案例的逾期和临近时限情况",
        "发布新一批示范案例时提醒我",
    ):
        assert label in page
    client.post("/adoption/mail/", {"email": "ledong@example.gov.cn", "deadlines": "on"})
    preference = MailPreference.objects.get(user=addresses["users"]["ledong"])
    assert (preference.deadlines, preference.weekly_digest, preference.report_activity) == (True, False, False)
