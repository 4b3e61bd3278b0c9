# ruff: noqa: F811 - the tests take the imported fixture "world" as an argument
"""Staying informed: mail when a report is reviewed or commented on, when a new batch is published; a region's feed."""

import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.test import TestCase

from cases.models import Case
from cases.publishing import set_status
from cases.tracker.models import MailPreference
from tests.test_adoption import world  # noqa: F401 - the tracker's fixture of accounts and reports

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def committed(callback):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return callback()


def test_a_comment_mails_the_reports_officials_not_the_commenter(client, world):
    world["users"]["haikou"].email = "haikou@example.gov.cn"
    world["users"]["haikou"].save()
    world["users"]["yibao"].email = "yibao@example.gov.cn"
    world["users"]["yibao"].save()
    client.force_login(world["users"]["yibao"])
    report = world["haikou"]
    committed(lambda: client.post(f"/adoption/reports/{report.pk}/comment/", {"body": "请补充落地时间。"}))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["haikou@example.gov.cn"]
    assert "海口市关于案例4-1的报告收到新的审核意见" in message.subject
    assert f"/adoption/reports/{report.pk}/" in message.body


def test_a_review_mails_them_too_and_an_opt_out_is_respected(client, world):
    haikou = world["users"]["haikou"]
    haikou.email = "haikou@example.gov.cn"
    haikou.save()
    client.force_login(world["users"]["office"])
    committed(lambda: client.post(f"/adoption/reports/{world['haikou'].pk}/review/"))
    assert [m.subject for m in mail.outbox] == ["【营商环境示范案例库】海口市关于案例4-1的报告已审核"]
    MailPreference.objects.create(user=haikou, report_activity=False)
    mail.outbox.clear()
    committed(lambda: client.post(f"/adoption/reports/{world['haikou'].pk}/comment/", {"body": "好。"}))
    assert mail.outbox == []


def test_nothing_is_mailed_when_the_write_is_rolled_back(client, world):
    from django.db import transaction

    from cases.tracker import services

    world["users"]["haikou"].email = "haikou@example.gov.cn"
    world["users"]["haikou"].save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        try:
            with transaction.atomic():
                services.add_comment(world["haikou"], world["users"]["yibao"], {"body": "会被撤销"})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert mail.outbox == []


def test_a_new_batch_is_mailed_once_to_those_who_opted_in(client, world):
    office = world["users"]["office"]
    office.email = "office@example.gov.cn"
    office.save()
    MailPreference.objects.create(user=office, new_batches=True)
    MailPreference.objects.create(user=world["users"]["haikou"], new_batches=False)
    cases = list(Case.objects.filter(batch=4))
    committed(lambda: set_status(cases, Case.Status.DRAFT))
    Case.objects.filter(batch=4).update(published_at=None)
    cases = list(Case.objects.filter(batch=4))
    committed(lambda: set_status(cases, Case.Status.PUBLISHED))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["office@example.gov.cn"]
    assert "第四批示范案例已发布" in mail.outbox[0].subject
    mail.outbox.clear()
    committed(lambda: set_status(cases[:1], Case.Status.DRAFT))
    committed(lambda: set_status(list(Case.objects.filter(pk=cases[0].pk)), Case.Status.PUBLISHED))
    assert mail.outbox == []  # republished, not new


def test_an_official_chooses_what_to_receive(client, world):
    client.force_login(world["users"]["ledong"])
    response = client.post("/adoption/mail/", {"email": "ledong@example.gov.cn", "new_batches": "on"})
    assert response.status_code == 302
    preference = MailPreference.objects.get(user=world["users"]["ledong"])
    assert (preference.new_batches, preference.report_activity) == (True, False)
    world["users"]["ledong"].refresh_from_db()
    assert world["users"]["ledong"].email == "ledong@example.gov.cn"
    bad = client.post("/adoption/mail/", {"email": "不是邮箱"})
    assert bad.status_code == 400
    assert "请填写有效的电子邮件地址" in bad.content.decode()
    assert "Email" not in bad.content.decode()
    assert client.get("/adoption/mail/").status_code == 200


def test_a_regions_feed_lists_its_reports_newest_first(client, world):
    response = client.get("/adoption/regions/haikou/feed.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "海口市推广落实示范案例的进展"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["第四批案例1：推进中"]
    assert world["haikou"].notes not in response.content.decode()  # internal notes stay private
    assert client.get("/adoption/regions/atlantis/feed.atom").status_code == 404
    page = client.get("/adoption/regions/haikou/").content.decode()
    assert 'rel="alternate" type="application/atom+xml" title="海口市推广落实进展（Atom 订阅）"' in page


def test_markup_typed_into_a_report_reaches_feed_readers_as_text(client, world):
    import html

    from cases.tracker.models import AdoptionReport

    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    AdoptionReport.objects.filter(pk=world["haikou"].pk).update(actions=f"做法{payload}")
    feed = ET.fromstring(client.get("/adoption/regions/haikou/feed.atom").content)
    (summary,) = [e.findtext(f"{ATOM}summary") for e in feed.findall(f"{ATOM}entry")]
    assert "<" not in summary
    assert html.unescape(summary).endswith(f"做法{payload}")
