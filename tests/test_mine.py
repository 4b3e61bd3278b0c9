# ruff: noqa: F811 - the tests take the imported fixture "world" as an argument
"""我的工作台: after signing in an official lands on their own unit's page, each item with its action."""

import re

import pytest
from django.test import Client

from cases.models import Case
from cases.tracker.models import AdoptionReport, ReviewComment
from tests.test_adoption import edit_url, world  # noqa: F401 - the tracker's fixture of accounts and reports

pytestmark = pytest.mark.django_db
PASSWORD = "pw-不重要-123"


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_signing_in_lands_on_the_officials_own_region(world):
    client = Client()
    response = client.post("/accounts/login/", {"username": "haikou", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/adoption/mine/"
    html = response.content.decode()
    assert "我的工作台：海口市" in html
    assert 'href="/adoption/regions/haikou/"' in html


def test_the_workspace_lists_what_the_region_has_to_do(client, world):
    client.force_login(world["users"]["haikou"])
    html = client.get("/adoption/mine/").content.decode()
    newest = section(html, "newest-heading")
    # 4-1 has Haikou's report (in progress): update it; every other case: write one.
    assert f'<a href="{edit_url(1, "region", "haikou")}">更新报告</a>' in newest
    assert f'<a href="{edit_url(2, "region", "haikou")}">填写报告</a>' in newest
    assert newest.count("填写报告") == Case.objects.published().count() - 1
    progress = section(html, "progress-heading")
    assert f"/adoption/reports/{world['haikou'].pk}/" in progress
    assert "推进中的报告（1）" in html
    unreported = section(html, "unreported-heading")
    assert "尚未填报的案例（7）" in html
    assert "/cases/4/1/" not in unreported
    assert "没有未读的审核意见。" in section(html, "commented-heading")
    assert "review-heading" not in html  # a region reviews nothing


def test_a_comment_stays_unread_until_the_unit_opens_its_report_whatever_else_happens(client, world):
    """Issue 20: an edit of the report, or a review, no longer hides the question the unit has to answer."""
    report = world["haikou"]
    ReviewComment.objects.create(report=report, author=world["users"]["yibao"], body="请补充落地时间。")
    client.force_login(world["users"]["haikou"])
    html = client.get("/adoption/mine/").content.decode()
    assert "有未读审核意见的报告（1）" in html
    assert f'/adoption/reports/{report.pk}/">查看意见</a>' in section(html, "commented-heading")
    assert html.index("commented-heading") < html.index("newest-heading")  # unread comments come first
    report.actions = "已补充落地时间。"
    report.save()
    assert "有未读审核意见的报告（1）" in client.get("/adoption/mine/").content.decode()
    # One of its officials opens the report: read.
    client.get(f"/adoption/reports/{report.pk}/")
    assert "有未读审核意见的报告（0）" in client.get("/adoption/mine/").content.decode()


def test_a_responsible_department_sees_the_reports_it_reviews(client, world):
    client.force_login(world["users"]["yibao"])
    html = client.get("/adoption/mine/").content.decode()
    assert "我的工作台：海南省医疗保障局" in html
    review = section(html, "review-heading")
    assert f'/adoption/reports/{world["haikou"].pk}/">审核</a>' in review
    assert f"/adoption/reports/{world['ledong_8'].pk}/" not in review  # not started, and not its case
    world["haikou"].reviewed = True
    world["haikou"].save()
    html = client.get("/adoption/mine/").content.decode()
    assert "待审核的报告（0）" in html


def test_the_office_sees_every_report_waiting_for_review(client, world):
    client.force_login(world["users"]["office"])
    html = client.get("/adoption/mine/").content.decode()
    assert "省营商环境建设办公室" in html
    assert re.search(r"待审核的报告（1）", html)


@pytest.mark.parametrize("role", ["plain", "editor"])
def test_an_account_without_a_unit_is_told_why_the_page_is_empty(client, world, role):
    client.force_login(world["users"][role])
    response = client.get("/adoption/mine/")
    assert response.status_code == 200
    assert "尚未关联市县或单位" in response.content.decode()
    # An editor is shown the way to the editors' admin; an account without staff rights is not.
    assert ('href="/admin/"' in response.content.decode()) is (role == "editor")


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/adoption/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/adoption/mine/")


def test_the_workspace_is_never_cached_for_another_user(client, world):
    client.force_login(world["users"]["haikou"])
    response = client.get("/adoption/mine/")
    assert "private" in response["Cache-Control"]
    other = Client()
    other.force_login(world["users"]["ledong"])
    assert "我的工作台：乐东黎族自治县" in other.get("/adoption/mine/").content.decode()


def test_the_lists_stay_bounded(client, world, settings):
    from cases.tracker import mine

    client.force_login(world["users"]["haikou"])
    from tests.factories import grow_catalog

    grow_catalog(extra_cases=mine.LIMIT + 5)
    html = client.get("/adoption/mine/").content.decode()
    unreported = section(html, "unreported-heading")
    assert unreported.count("<li>") == mine.LIMIT
    total = Case.objects.published().count() - AdoptionReport.objects.filter(region__slug="haikou").count()
    assert f"尚未填报的案例（{total}）" in html
    assert f"另有 {total - mine.LIMIT} 个" in unreported


def test_a_department_is_asked_only_about_the_cases_it_led_or_answers_for(client, world):
    """省医保局 led case 4-1 only: it is not asked to report on 9610 cross-border e-commerce (4-8)."""
    client.force_login(world["users"]["yibao"])
    html = client.get("/adoption/mine/").content.decode()
    assert "/adoption/cases/4/1/agency/hainan-healthcare-security/edit/" in html
    assert "/adoption/cases/4/8/agency/hainan-healthcare-security/edit/" not in html
    assert "9610" not in html
    # A case it chose to report on all the same stays on its list.
    from cases.models import Agency, Case
    from cases.tracker.models import AdoptionReport

    AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=8),
        agency=Agency.objects.get(slug="hainan-healthcare-security"),
        status="in_progress",
        started_on="2024-01-01",
    )
    assert (
        "/adoption/cases/4/8/agency/hainan-healthcare-security/edit/" in client.get("/adoption/mine/").content.decode()
    )


def test_a_city_is_asked_about_every_case(client, world):
    client.force_login(world["users"]["haikou"])
    html = client.get("/adoption/mine/").content.decode()
    for number in range(1, 9):
        assert f"/adoption/cases/4/{number}/region/haikou/edit/" in html
