"""Mail that survives an outage, and the daily reminders of the replication loop.

Every mail of the tracker (a report reviewed or commented on, a new batch,
a deadline near or missed, the weekly digest) is a task of Django's tasks
framework (``deliver``). With the database backend (django-tasks-db, the
default outside tests) the task is a row written in the same transaction as
the write it tells of: a rolled-back write mails nobody, a crash after the
commit loses nothing, and a request never waits for a mail server. The
worker (``manage.py db_worker``) sends it; while the mail server is down,
the task enqueues itself again with a growing delay (1 minute, doubling, at
most an hour), so mail is late, never lost.

``daily()`` (``manage.py tracker_daily``, once a day) enqueues the day's
reminders from the approved plans: to a region's officials when a start or
landing date is within ``REMIND_BEFORE_DAYS`` and again once it is missed,
and once a week to each responsible unit a digest of its cases' overdue and
due-soon cells. Each reminder is recorded by a key (``SentReminder``) in the
same transaction as its task: running the command twice, or two at once,
sends nothing twice. Every official can turn each kind off on 邮件提醒.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task, task_backends
from django.urls import reverse
from django.utils import timezone

from cases.documents import chinese_date
from cases.models import Case, Region, Responsibility

from . import deadlines, stats
from .models import MailPreference, PromotionPlan, SentReminder

logger = logging.getLogger(__name__)

#: A reminder goes out when a date the cell owes is this many days away, or nearer.
REMIND_BEFORE_DAYS = 7
#: The longest wait between two tries while the mail server is down.
MAX_RETRY_SECONDS = 3600

Message = tuple[str, str, str, list[str]]


def site() -> str:
    return getattr(settings, "PORTAL_URL", "").rstrip("/")


@task()
def deliver(messages: list[list], attempt: int = 1) -> int:
    """Send ``messages`` ([subject, body, from, [recipients]] each); if the server fails, try again later."""
    try:
        send_mass_mail([(m[0], m[1], m[2], list(m[3])) for m in messages], fail_silently=False)
    except Exception:
        backend = task_backends[deliver.backend]
        if not backend.supports_defer:  # the immediate backend (tests): the failure is the task's result
            raise
        delay = min(60 * 2 ** (attempt - 1), MAX_RETRY_SECONDS)
        logger.warning("Mail server failed (try %d); trying %d messages again in %d s", attempt, len(messages), delay)
        deliver.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(messages, attempt + 1)
        return 0
    return len(messages)


def send(messages: list[Message]) -> None:
    """Hand ``messages`` to the worker: with the current write when the task backend shares its database.

    A backend outside the database (the immediate one in tests) is handed
    the mail once the write commits, so a rolled-back write mails nobody.
    """
    if not messages:
        return
    payload = [[subject, body, sender, list(to)] for subject, body, sender, to in messages]
    if _transactional():
        deliver.enqueue(payload)
    else:
        transaction.on_commit(lambda: _enqueue_logged(payload))


def _transactional() -> bool:
    return task_backends[deliver.backend].__class__.__module__.startswith("django_tasks_db")


def _enqueue_logged(payload) -> None:
    try:
        deliver.enqueue(payload)
    except Exception:  # the write has committed; a failed mail must not turn it into an error page
        logger.exception("Could not send %d notification mails", len(payload))


# ------------------------------------------------------------------ the daily run


def _officials(unit: Q, preference: str):
    """Active accounts of a unit, with an address, that have not turned ``preference`` off."""
    opted_out = MailPreference.objects.filter(**{preference: False}).values("user")
    return get_user_model().objects.filter(unit, is_active=True).exclude(email="").exclude(pk__in=opted_out)


@dataclass
class DailyRun:
    before: int = 0
    missed: int = 0
    digests: int = 0
    skipped: int = 0  # already sent on an earlier run
    #: (unit, preference) -> addresses: read once per unit in a run, not once per cell.
    addresses: dict = field(default_factory=dict)

    def recipients(self, unit: tuple[str, int], preference: str) -> list[str]:
        key = (unit, preference)
        if key not in self.addresses:
            kind, pk = unit
            where = Q(official__region_id=pk) if kind == "region" else Q(official__agency_id=pk)
            self.addresses[key] = list(_officials(where, preference).values_list("email", flat=True))
        return self.addresses[key]


def daily(on: date | None = None) -> DailyRun:
    """Enqueue the reminders due on ``on`` (today) that no earlier run has enqueued."""
    on = on or deadlines.today()
    run = DailyRun()
    cases = {
        c.pk: c
        for c in Case.objects.published().filter(plans__status=PromotionPlan.Status.APPROVED).select_related("notice")
    }
    regions = list(Region.objects.all())
    digest: dict[int, list[tuple[Case, stats.Cell]]] = defaultdict(list)
    responsible: dict[int, list[int]] = defaultdict(list)
    for case_id, agency_id in Responsibility.objects.filter(case_id__in=cases).values_list("case_id", "agency_id"):
        responsible[case_id].append(agency_id)
    for case_id, cell in stats.planned_cells(list(cases), regions, on):
        case = cases[case_id]
        if cell.overdue or cell.deadline == deadlines.DUE_SOON:
            for agency_id in responsible[case_id]:
                digest[agency_id].append((case, cell))
        if cell.overdue:
            kind = "start" if cell.deadline == deadlines.LATE_START else "land"
            key = f"missed:{case.pk}:{cell.region.pk}:{kind}:{cell.missed_on.isoformat()}"
            _remind(run, "missed", key, ("region", cell.region.pk), "deadlines", _missed(case, cell))
        elif cell.next_due and cell.status != "landed" and (cell.next_due - on).days <= REMIND_BEFORE_DAYS:
            kind = "start" if cell.next_kind == "启动" else "land"
            key = f"before:{case.pk}:{cell.region.pk}:{kind}:{cell.next_due.isoformat()}"
            _remind(run, "before", key, ("region", cell.region.pk), "deadlines", _before(case, cell, on))
    year, week, _ = on.isocalendar()
    for agency_id, items in digest.items():
        key = f"digest:{agency_id}:{year}-W{week:02d}"
        _remind(run, "digests", key, ("agency", agency_id), "weekly_digest", _digest(items, on))
    return run


def _remind(run: DailyRun, counter: str, key: str, unit: tuple, preference: str, message: tuple[str, str]) -> None:
    """Record ``key`` and enqueue its mail in one transaction; a key recorded before sends nothing."""
    with transaction.atomic():
        recipients = run.recipients(unit, preference)
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=key, recipients=len(recipients))
        except IntegrityError:
            run.skipped += 1
            return
        subject, body = message
        send([(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients])
    setattr(run, counter, getattr(run, counter) + 1)


def _footer() -> str:
    return f"\n不想再收到此类邮件，可在“邮件提醒”中关闭：{site()}{reverse('adoption:mail')}\n"


def _before(case: Case, cell: stats.Cell, on: date) -> tuple[str, str]:
    days = (cell.next_due - on).days
    when = "今天" if days == 0 else f"{days} 天后"
    subject = f"【营商环境示范案例库】{cell.region.name}：案例{case.code}{when}到{cell.next_kind}时限"
    body = (
        f"按经批准的推广工作方案，{cell.region.name}推广“{case.title}”的{cell.next_kind}时限是"
        f"{chinese_date(cell.next_due)}（{when}）。目前状态：{cell.label}。\n\n"
        f"填写或更新报告：{site()}{reverse('adoption:mine')}\n"
        f"推广工作方案：{site()}{reverse('adoption:plan', args=[case.batch, case.number])}\n" + _footer()
    )
    return subject, body


def _missed(case: Case, cell: stats.Cell) -> tuple[str, str]:
    subject = f"【营商环境示范案例库】{cell.region.name}：案例{case.code}{cell.deadline_label}"
    body = (
        f"按经批准的推广工作方案，{cell.region.name}推广“{case.title}”的时限是{chinese_date(cell.missed_on)}，"
        f"目前状态为“{cell.label}”，已{cell.deadline_label}，已列入督办清单。\n\n"
        f"请尽快填写或更新报告：{site()}{reverse('adoption:mine')}\n" + _footer()
    )
    return subject, body


def _digest(items: list[tuple[Case, stats.Cell]], on: date) -> tuple[str, str]:
    overdue = [(case, cell) for case, cell in items if cell.overdue]
    soon = [(case, cell) for case, cell in items if not cell.overdue]
    lines = [
        f"截至{chinese_date(on)}，本单位负责推广的案例中：逾期 {len(overdue)} 项，"
        f"{deadlines.DUE_SOON_DAYS} 天内到期 {len(soon)} 项。",
        "",
    ]
    for title, group in (("逾期", overdue), ("即将到期", soon)):
        if group:
            lines.append(f"{title}：")
            for case, cell in sorted(group, key=lambda item: (item[0].batch, item[0].number, item[1].region.position)):
                date_ = cell.missed_on if cell.overdue else cell.next_due
                lines.append(
                    f"  {case.code} {case.title} · {cell.region.name}：{cell.deadline_label}（{date_:%Y-%m-%d}）"
                )
            lines.append("")
    lines.append(f"督办清单：{site()}{reverse('adoption:overdue')}")
    subject = f"【营商环境示范案例库】推广落实每周汇总：逾期 {len(overdue)} 项"
    return subject, "\n".join(lines) + "\n" + _footer()
