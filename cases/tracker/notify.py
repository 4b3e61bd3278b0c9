"""Mail to officials: a report of theirs reviewed or commented on, and a new batch published (for those who opted in).

Sent as tasks (cases.tracker.reminders.send: with the write's transaction, by
the worker, retried while the mail server is down) through Django's mail (the
console by default, SMTP when DJANGO_EMAIL_HOST is set: portal/settings.py),
so a rolled-back write mails nobody and a request never waits for mail.
Nobody is mailed about what they did themselves, and an account without an
e-mail address is skipped. What each official receives is theirs to choose on 邮件提醒 (/adoption/mail/).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from .models import AdoptionReport, MailPreference
from .reminders import send, site


def _unit_officials(report: AdoptionReport):
    """The accounts of the report's region or department that want mail about their reports."""
    unit = Q(official__region=report.region_id) if report.region_id else Q(official__agency=report.agency_id)
    users = get_user_model().objects.filter(unit, is_active=True).exclude(email="")
    opted_out = MailPreference.objects.filter(report_activity=False).values("user")
    return users.exclude(pk__in=opted_out)


def report_activity(report: AdoptionReport, actor, what: str) -> None:
    """Tell the report's officials (not ``actor``) that ``what`` happened to it (审核 or a comment)."""
    recipients = [u.email for u in _unit_officials(report).exclude(pk=getattr(actor, "pk", None))]
    if not recipients:
        return
    unit = report.region.name if report.region_id else report.agency.name
    link = site() + reverse("adoption:report-detail", args=[report.pk])
    subject = f"【营商环境示范案例库】{unit}关于案例{report.case.code}的报告{what}"
    body = (
        f"{unit}填报的“{report.case.title}”推广落实报告{what}。\n\n"
        f"查看报告：{link}\n\n"
        f"不想再收到此类邮件，可在“邮件提醒”中关闭：{site()}{reverse('adoption:mail')}\n"
    )
    send([(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)])


def batch_published(notice) -> None:
    """Tell everyone who opted in that a new batch of cases is published (once, when its first case is)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, mail_preference__new_batches=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    link = site() + notice.get_absolute_url()
    subject = f"【营商环境示范案例库】{notice.batch_label}示范案例已发布"
    body = f"{notice.title}\n\n{notice.batch_label}示范案例已在案例库发布，欢迎学习借鉴：{link}\n"
    send([(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in users])
