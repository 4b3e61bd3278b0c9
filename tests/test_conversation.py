# ruff: noqa: F811 - the tests take the imported fixture "world" as an argument
"""A report's conversation: comments, answers and reviews with who (unit and name) and when; never lost."""

import pytest
from django.test import Client

from cases.tracker.models import AdoptionReport, ReviewComment
from tests.test_adoption import world  # noqa: F401 - the tracker's fixture of accounts and reports

pytestmark = pytest.mark.django_db


def signed_in(world, who: str) -> Client:
    client = Client()
    client.force_login(world["users"][who])
    return client


def test_a_review_after_a_comment_keeps_the_question_unread_and_the_report_unchanged(world):
    """The walk the issue reports: 省医保局 asks for evidence, then marks the report reviewed."""
    report = world["haikou"]
    before = AdoptionReport.objects.get(pk=report.pk).updated_at
    reviewer = signed_in(world, "yibao")
    assert reviewer.post(f"/adoption/reports/{report.pk}/comment/", {"body": "请补充佐证材料。"}).status_code == 302
    assert reviewer.post(f"/adoption/reports/{report.pk}/review/").status_code == 302
    report.refresh_from_db()
    assert report.reviewed
    assert report.updated_at == before  # reviewing is an entry in the conversation, not an edit
    kinds = list(report.comments.values_list("kind", "author_unit"))
    assert kinds == [("comment", "海南省医疗保障局"), ("reviewed", "海南省医疗保障局")]
    haikou = signed_in(world, "haikou")
    assert "有未读审核意见的报告（1）" in haikou.get("/adoption/mine/").content.decode()
    page = haikou.get(f"/adoption/reports/{report.pk}/").content.decode()
    conversation = page.split('id="conversation"', 1)[1]
    assert "海南省医疗保障局 yibao" in conversation  # the unit, then the person
    assert "请补充佐证材料。" in conversation
    assert "标记为已审核" in conversation
    assert "报告单位未读" in conversation  # as it was when this visit began …
    assert "有未读审核意见的报告（0）" in haikou.get("/adoption/mine/").content.decode()  # … read now
    comment = report.comments.get(kind="comment")
    assert comment.read_by == world["users"]["haikou"]


def test_the_unit_answers_in_the_thread_and_the_answer_reads_what_it_answers(world):
    report = world["haikou"]
    ReviewComment.objects.create(
        report=report, author=world["users"]["yibao"], author_unit="海南省医疗保障局", body="落地时间？"
    )
    haikou = signed_in(world, "haikou")
    assert haikou.post(f"/adoption/reports/{report.pk}/answer/", {"body": "已于3月落地。"}).status_code == 302
    answer = report.comments.get(kind="answer")
    assert (answer.author_unit, answer.body) == ("海口市", "已于3月落地。")
    assert not report.comments.filter(kind="comment", read_at__isnull=True).exists()
    assert haikou.post(f"/adoption/reports/{report.pk}/answer/", {"body": "  "}).status_code == 302
    assert report.comments.filter(kind="answer").count() == 1  # an empty answer writes nothing


@pytest.mark.parametrize("who", ["ledong", "yibao", "office", "editor", "plain"])
def test_only_the_reporting_units_officials_answer_and_their_opening_alone_reads(world, who):
    report = world["haikou"]
    ReviewComment.objects.create(report=report, author=world["users"]["yibao"], body="落地时间？")
    other = signed_in(world, who)
    assert other.post(f"/adoption/reports/{report.pk}/answer/", {"body": "不是我的报告"}).status_code == 403
    other.get(f"/adoption/reports/{report.pk}/")
    assert report.comments.filter(read_at__isnull=True).count() == 1


def test_anonymous_visitors_cannot_answer(client, world):
    response = client.post(f"/adoption/reports/{world['haikou'].pk}/answer/", {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ReviewComment.objects.exists()
