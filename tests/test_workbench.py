"""The editors' workbench: roles, publishing, history and revert, notice upload, metric candidates, merging."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import roles
from cases.models import Agency, AgencyAlias, Case, CaseAgency, Metric, Notice, Responsibility
from tests.conftest import SOURCE_TEXT_PATH
from tests.forms import form_data

pytestmark = pytest.mark.django_db


def staff(username: str, *groups: str) -> User:
    user = User.objects.create_user(username, password="正确的密码-123", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def editor(client):
    user = staff("editor", roles.EDITOR)
    client.force_login(user)
    return user


@pytest.fixture
def publisher(client):
    user = staff("publisher", roles.PUBLISHER)
    client.force_login(user)
    return user


def change_url(obj) -> str:
    return f"/admin/cases/{obj._meta.model_name}/{obj.pk}/change/"


def inline_index(data: dict, prefix: str, obj) -> str:
    """The index of ``obj``'s row in an inline formset of a submitted admin form (``prefix``-N-id)."""
    rows = {k: v for k, v in data.items() if k.startswith(f"{prefix}-") and k.endswith("-id")}
    return next(k.split("-")[1] for k, v in rows.items() if v == [str(obj.pk)])


def case_4(number: int) -> Case:
    return Case.objects.get(batch=4, number=number)


# -- roles --------------------------------------------------------------------


def test_the_two_groups_have_exactly_their_permissions(db):
    editor = set(Group.objects.get(name=roles.EDITOR).permissions.values_list("codename", flat=True))
    publisher = set(Group.objects.get(name=roles.PUBLISHER).permissions.values_list("codename", flat=True))
    assert "change_case" in editor
    assert "change_metric" in editor
    assert "delete_section" in editor
    assert "publish_case" not in editor
    assert publisher == editor | {"publish_case"}
    assert not any(c.endswith("_user") or c.endswith("_group") for c in publisher)


def test_staff_without_a_role_can_change_nothing(client, seed, django_capture_on_commit_callbacks):
    client.force_login(staff("visitor"))
    case = case_4(1)
    agency = Agency.objects.get(slug="haikou-customs")
    metric = case.metrics.first()
    attempts = [
        ("get", change_url(case), {}),
        ("post", change_url(case), {"title": "篡改"}),
        ("get", "/admin/cases/case/add/", {}),
        ("post", f"/admin/cases/metric/{metric.pk}/change/", {"value": "1"}),
        ("post", f"/admin/cases/metric/{metric.pk}/delete/", {"post": "yes"}),
        ("post", f"/admin/cases/agency/{agency.pk}/delete/", {"post": "yes"}),
        ("get", "/admin/cases/notice/import/", {}),
        ("get", f"/admin/cases/case/{case.pk}/metric-candidates/", {}),
        ("get", f"/admin/cases/agency/{agency.pk}/merge/", {}),
        ("get", f"/admin/cases/case/{case.pk}/changes/", {}),
        ("post", "/admin/cases/case/", {"action": "publish_cases", "_selected_action": [case.pk]}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for method, url, data in attempts:
            response = getattr(client, method)(url, data)
            assert response.status_code == 403, (method, url, response.status_code)
    case.refresh_from_db()
    assert case.title != "篡改"
    assert Metric.objects.filter(pk=metric.pk, value=metric.value).exists()


def test_an_editor_corrects_a_figure_and_history_records_who_and_what(client, editor, seed):
    case = case_4(2)
    metric = case.metrics.order_by("position").first()
    page = client.get(change_url(case))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "case_form")
    index = inline_index(data, "metrics", metric)
    old_value = metric.value
    data[f"metrics-{index}-value"] = ["12345"]
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    metric.refresh_from_db()
    assert metric.value == Decimal("12345")
    record = metric.history.first()
    assert record.history_user == editor
    assert record.history_type == "~"
    timeline = client.get(f"/admin/cases/case/{case.pk}/changes/").content.decode()
    assert "editor" in timeline
    assert f"数据指标 {metric.label}" in timeline
    assert f"{old_value.normalize():f}" in timeline.replace(".0000", "")
    assert "12345" in timeline


def test_an_editor_reverts_a_change_from_the_history(client, editor, seed):
    metric = case_4(3).metrics.order_by("position").first()
    original = metric.value
    baseline = metric.history.get()  # recorded when the seed was loaded
    assert baseline.history_change_reason == "载入种子数据"
    metric.value = Decimal("999")
    metric.save()
    url = f"/admin/cases/metric/{metric.pk}/history/{baseline.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, form_data(page.content.decode(), "historicalmetric_form"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    metric.refresh_from_db()
    assert metric.value == original
    assert metric.history.first().history_user == editor


def test_an_editor_cannot_publish(client, editor, seed, django_capture_on_commit_callbacks):
    notice = Notice.objects.get(batch=4)
    draft = Case.objects.create(notice=notice, number=9, label="x", title="新案例草稿", intro="导语。")
    page = client.get(change_url(draft)).content.decode()
    assert 'name="status"' not in page  # shown read-only
    data = form_data(page, "case_form")
    data["status"] = ["published"]
    assert client.post(change_url(draft), data).status_code == 302
    client.post("/admin/cases/case/", {"action": "publish_cases", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT


def test_a_publisher_publishes_and_withdraws(client, publisher, seed, django_capture_on_commit_callbacks):
    notice = Notice.objects.get(batch=4)
    with django_capture_on_commit_callbacks(execute=True):
        draft = Case.objects.create(notice=notice, number=9, label="x", title="新案例草稿", intro="导语。")
        client.post("/admin/cases/case/", {"action": "publish_cases", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_at is not None
    assert draft.history.first().history_change_reason == "已发布"
    assert client.get("/api/cases/4/9/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/cases/case/", {"action": "withdraw_cases", "_selected_action": [draft.pk]})
    client.logout()
    assert client.get("/cases/4/9/").status_code == 404


def test_staff_preview_drafts_through_view_on_site(client, editor, seed):
    draft = Case.objects.create(notice=Notice.objects.get(batch=4), number=9, label="x", title="草稿", intro="x")
    assert 'href="/admin/r/' in client.get(change_url(draft)).content.decode()
    assert client.get("/cases/4/9/").status_code == 200


# -- admin login lockout -----------------------------------------------------


def test_admin_login_locks_out_after_five_failures(client, seed):
    staff("target", roles.EDITOR)
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "target", "password": "错"})
        assert response.status_code == 200
        assert "请输入" in response.content.decode()
    assert client.post("/admin/login/", {"username": "target", "password": "错"}).status_code == 429
    locked = client.post("/admin/login/", {"username": "target", "password": "正确的密码-123"})
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.
    staff("other", roles.EDITOR)
    assert client.post("/admin/login/", {"username": "other", "password": "正确的密码-123"}).status_code == 302


# -- importing a notice through the admin ---------------------------------------


def upload(client, text: bytes, publish: bool = False):
    data = {"file": SimpleUploadedFile("第五批.txt", text, content_type="text/plain")}
    if publish:
        data["publish"] = "on"
    return client.post("/admin/cases/notice/import/", data)


def batch_5_text() -> bytes:
    return SOURCE_TEXT_PATH.read_text("utf-8").replace("第四批", "第五批").encode("gb18030")


def test_the_upload_shows_a_preview_and_writes_only_after_confirmation(client, editor, seed):
    preview = upload(client, batch_5_text())
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "新建</strong>：通知（第五批）" in page
    assert "案例 5-8" in page
    assert "确认导入" in page
    assert "导入后直接发布" not in page
    assert not Notice.objects.filter(batch=5).exists()
    done = client.post("/admin/cases/notice/import/", {"confirm": "1"}, follow=True)
    # The editor lands on the new batch's cases, with the message.
    assert done.status_code == 200
    assert done.redirect_chain[-1][1] == 302
    landed = done.content.decode()
    assert "已导入第5批" in landed
    assert "下面是这一批的案例" in landed
    assert done.context["cl"].result_count == 8
    assert {c.batch for c in done.context["cl"].result_list} == {5}
    assert Case.objects.filter(batch=5, status=Case.Status.DRAFT).count() == 8
    assert Case.objects.get(batch=5, number=1).history.first().history_user == editor


def test_a_corrected_paragraph_is_previewed_as_the_change_itself(client, editor, seed):
    """The preview shows the changed words with their context, not both sides cut at the same prefix."""
    from cases.models import Section

    text = SOURCE_TEXT_PATH.read_text("utf-8")
    section = (
        Section.objects.filter(body__contains="医保", metrics__isnull=True)
        .exclude(body__startswith="医保")
        .order_by("pk")
        .first()
    )
    at = section.body.index("医保")
    corrected = section.body[:at] + "医保（更正）" + section.body[at + 2 :]
    page = upload(client, text.replace(section.body, corrected, 1).encode("utf-8")).content.decode()
    assert "<ins>（更正）</ins>" in page
    # The context around the change is shown …
    assert section.body[max(0, at - 6) : at] in page.split("<ins>（更正）</ins>")[0][-200:]
    # … and a long paragraph is not repeated whole on both sides.
    assert page.count(section.body[:30]) <= 1


def test_only_a_publisher_may_publish_on_upload(client, editor, publisher, seed):
    client.force_login(editor)
    assert upload(client, batch_5_text(), publish=True).status_code == 403
    client.force_login(publisher)
    assert "导入后直接发布" in client.get("/admin/cases/notice/import/").content.decode()
    upload(client, batch_5_text(), publish=True)
    client.post("/admin/cases/notice/import/", {"confirm": "1"})
    assert Case.objects.filter(batch=5, status=Case.Status.PUBLISHED).count() == 8


def test_a_malformed_upload_names_the_line_and_writes_nothing(client, editor, seed):
    lines = SOURCE_TEXT_PATH.read_text("utf-8").replace("第四批", "第五批").split("\n")
    broken = "\n".join(lines[:68] + lines[69:]).encode("utf-8")
    page = upload(client, broken).content.decode()
    assert "第70行：案例2缺少“一、主要做法”部分" in page
    assert "数据库未作任何修改" in page
    assert client.post("/admin/cases/notice/import/", {"confirm": "1"}).status_code == 302  # nothing pending
    assert not Notice.objects.filter(batch=5).exists()


def test_a_binary_upload_is_refused_in_chinese(client, editor, seed):
    page = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00").content.decode()
    assert "不是纯文本" in page


# -- metric candidates ------------------------------------------------------------


def test_metric_candidates_mark_what_is_curated_and_add_what_the_editor_confirms(client, editor, seed):
    import re

    curated = case_4(8)
    page = client.get(f"/admin/cases/case/{curated.pk}/metric-candidates/").content.decode()
    picks = re.findall(r'name="pick" value="([^"]+)"', page)
    assert "1000条/分钟 → 5000条/分钟" in page
    assert "已收录" in page
    assert "53:72小时:" in picks
    assert not any("5000条/分钟" in p for p in picks)

    case = case_4(1)
    section = case.sections.get(kind="outcome", position=1)
    section.body += "审批时限由20个工作日压缩至3个工作日。"
    section.save()
    url = f"/admin/cases/case/{case.pk}/metric-candidates/"
    page = client.get(url).content.decode()
    key = f"{section.pk}:3个工作日:20个工作日"
    assert f'value="{key}"' in page
    before = case.metrics.count()
    # Without a label nothing is written.
    assert "请填写指标说明" in client.post(url, {"pick": [key]}).content.decode()
    assert case.metrics.count() == before
    response = client.post(url, {"pick": [key], f"label-{key}": "审批时限"})
    assert response.status_code == 302
    metric = case.metrics.get(label="审批时限")
    assert (metric.baseline_printed, metric.printed, metric.value, metric.unit, metric.position) == (
        "20个工作日",
        "3个工作日",
        Decimal("3"),
        "个工作日",
        before + 1,
    )
    assert metric.change_percent == Decimal("-85.0")
    metric.full_clean()


# -- merging agencies ---------------------------------------------------------------


def test_merging_moves_every_reference_and_keeps_the_old_name_as_an_alias(
    client, editor, seed, django_capture_on_commit_callbacks
):
    keep = Agency.objects.get(slug="hainan-healthcare-security")
    both = CaseAgency.objects.filter(agency=keep).first().case  # already led by keep
    other = case_4(8)
    # Each request commits on its own in production; here one block stands for the whole session.
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = Agency.objects.create(
            name="海南省医疗保障局（重复录入）", slug="dup", kind=keep.kind, level=keep.level
        )
        AgencyAlias.objects.create(agency=duplicate, name="医保局简称")
        CaseAgency.objects.create(case=both, agency=duplicate, position=9)
        CaseAgency.objects.create(case=other, agency=duplicate, position=9)
        Responsibility.objects.create(case=other, agency=duplicate, position=9)
        page = client.post(
            "/admin/cases/agency/", {"action": "merge_agencies_action", "_selected_action": [keep.pk, duplicate.pk]}
        )
        assert "保留哪一个单位" in page.content.decode()
        response = client.post(
            "/admin/cases/agency/",
            {"action": "merge_agencies_action", "keep": keep.pk, "_selected_action": [keep.pk, duplicate.pk]},
        )
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=duplicate.pk).exists()
    assert CaseAgency.objects.filter(case=both, agency=keep).count() == 1
    assert CaseAgency.objects.filter(case=other, agency=keep).exists()
    assert Responsibility.objects.filter(case=other, agency=keep).exists()
    aliases = set(keep.aliases.values_list("name", flat=True))
    assert aliases >= {"海南省医疗保障局（重复录入）", "医保局简称", "省医保局"}
    # Search finds the case under the merged name.
    assert "/cases/4/8/" in client.get("/cases/?q=医保局简称").content.decode()


def test_deleting_a_cited_agency_explains_why_and_offers_the_merge(client, editor, seed):
    agency = Agency.objects.get(slug="haikou-customs")
    page = client.post(f"/admin/cases/agency/{agency.pk}/delete/", {"post": "yes"}).content.decode()
    assert "不能删除" in page
    assert f"/admin/cases/agency/{agency.pk}/merge/" in page
    assert Agency.objects.filter(pk=agency.pk).exists()
    keep = Agency.objects.get(slug="haikou-jiangdong")
    response = client.post(f"/admin/cases/agency/{agency.pk}/merge/", {"keep": keep.pk})
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=agency.pk).exists()
    assert AgencyAlias.objects.filter(agency=keep, name=agency.name).exists()


def test_editing_a_part_dates_the_cases_last_update(client, editor, seed):
    case = case_4(6)
    assert "2023年9月19日" in client.get("/cases/4/6/").content.decode()
    metric = case.metrics.first()
    url = f"/admin/cases/metric/{metric.pk}/change/"
    data = form_data(client.get(url).content.decode(), "metric_form")
    data["label"] = ["更正后的指标说明"]
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    page = client.get("/cases/4/6/").content.decode()
    from django.utils import timezone

    shown = page.split("最近更新")[1][:200]
    assert f"{timezone.localtime(case.updated_at):%Y年%-m月%-d日}" in shown
    assert "2023年9月19日" not in shown


def test_the_timeline_query_count_does_not_grow_with_its_entries(client, editor, seed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = case_4(5)
    metrics = list(case.metrics.order_by("position"))

    def edit_all(round_: int) -> int:
        for metric in metrics:
            metric.label = f"{metric.label.split('#')[0]}#{round_}"
            metric.save()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/admin/cases/case/{case.pk}/changes/")
        assert page.status_code == 200
        assert f"#{round_}" in page.content.decode()
        return len(queries)

    first = edit_all(1)
    assert edit_all(2) == edit_all(3) == first


# -- revert holds the rules of the change form ---------------------------------------


def _revert(client, case: Case, record) -> int:
    url = f"/admin/cases/case/{case.pk}/history/{record.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_data(page.content.decode(), "historicalcase_form")).status_code


@pytest.mark.parametrize("direction", ["publish", "withdraw"])
def test_an_editor_cannot_publish_or_withdraw_by_reverting(
    client, editor, seed, direction, django_capture_on_commit_callbacks
):
    case = case_4(5)
    with django_capture_on_commit_callbacks(execute=True):
        if direction == "publish":  # an old version that was published, the case a draft now
            case.status = Case.Status.DRAFT
            case.save()
            old = case.history.filter(status=Case.Status.PUBLISHED).earliest()
        else:  # an old version that was a draft, the case published now
            case.status = Case.Status.DRAFT
            case.save()
            old = case.history.latest()
            case.status = Case.Status.PUBLISHED
            case.title = case.title + "（改）"
            case.save()
        status_now = case.status
        assert _revert(client, case, old) == 302
    case.refresh_from_db()
    assert case.status == status_now  # the title is reverted, the status is not
    assert not case.title.endswith("（改）")


def test_a_publisher_may_revert_the_status_too(client, publisher, seed, django_capture_on_commit_callbacks):
    case = case_4(5)
    published = case.history.earliest()
    with django_capture_on_commit_callbacks(execute=True):
        case.status = Case.Status.DRAFT
        case.save()
        assert _revert(client, case, published) == 302
    case.refresh_from_db()
    assert case.status == Case.Status.PUBLISHED


def test_reverting_needs_the_change_permission(client, seed):
    from django.contrib.auth.models import Permission

    viewer = staff("viewer")
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_case", "view_section"]))
    client.force_login(viewer)
    case = case_4(6)
    baseline = case.history.earliest()
    case.title = "改过的标题"
    case.save()
    assert _revert(client, case, baseline) == 403
    case.refresh_from_db()
    assert case.title == "改过的标题"
    section = case.sections.first()
    url = f"/admin/cases/section/{section.pk}/history/{section.history.earliest().history_id}/"
    assert client.post(url, {"body": "篡改"}).status_code == 403


def _merge(client, keep, duplicate):
    return client.post(
        "/admin/cases/agency/",
        {"action": "merge_agencies_action", "keep": keep.pk, "_selected_action": [keep.pk, duplicate.pk]},
        follow=True,
    )


def test_merging_moves_references_from_every_app_the_tracker_included(client, editor, seed):
    from cases.tracker.models import AdoptionReport, OfficialProfile

    keep = Agency.objects.get(slug="hainan-healthcare-security")
    duplicate = Agency.objects.create(name="海南省医保局（重复）", slug="dup", kind=keep.kind, level=keep.level)
    official = User.objects.create_user("yibao-official")
    OfficialProfile.objects.create(user=official, agency=duplicate)
    report = AdoptionReport.objects.create(case=case_4(2), agency=duplicate, status="in_progress")
    response = _merge(client, keep, duplicate)
    assert response.status_code == 200
    assert "合并到“海南省医疗保障局”" in response.content.decode()
    assert not Agency.objects.filter(pk=duplicate.pk).exists()
    assert OfficialProfile.objects.get(user=official).agency == keep
    report.refresh_from_db()
    assert report.agency == keep
    assert report.history.first().history_change_reason.startswith("合并单位")


def test_a_merge_that_would_give_one_unit_two_reports_explains_itself_and_changes_nothing(client, editor, seed):
    from cases.tracker.models import AdoptionReport

    keep = Agency.objects.get(slug="hainan-healthcare-security")
    duplicate = Agency.objects.create(name="海南省医保局（重复）", slug="dup", kind=keep.kind, level=keep.level)
    AdoptionReport.objects.create(case=case_4(1), agency=keep, status="in_progress")
    AdoptionReport.objects.create(case=case_4(1), agency=duplicate, status="landed")
    page = _merge(client, keep, duplicate).content.decode()
    assert "无法合并" in page
    assert "这个单位已经有这一案例的报告" in page
    assert Agency.objects.filter(pk=duplicate.pk).exists()
    assert AdoptionReport.objects.filter(agency=duplicate).count() == 1


def test_the_history_shows_the_words_that_changed_and_no_theme_change_nobody_made(client, editor, seed):
    case = case_4(3)
    measure = case.sections.filter(kind="measure").order_by("position").first()
    page = client.get(change_url(case))
    data = form_data(page.content.decode(), "case_form")
    index = next(
        k.split("-")[1]
        for k, v in data.items()
        if k.startswith("sections-") and k.endswith("-id") and v == [str(measure.pk)]
    )
    old_body = measure.body
    assert len(old_body) > 80
    data[f"sections-{index}-body"] = [old_body.replace(old_body[30:32], "【改动】", 1)]
    assert client.post(change_url(case), data).status_code == 302
    timeline = client.get(f"/admin/cases/case/{case.pk}/changes/").content.decode()
    assert "<ins>【改动】</ins>" in timeline
    assert f"<del>{old_body[30:32]}</del>" in timeline
    assert old_body not in timeline  # not the whole paragraph struck through
    assert "主题" not in timeline.split("<tbody>", 1)[1]  # the themes were not touched
    # A real change of themes is shown by the themes' names.
    from cases.models import Theme

    data = form_data(client.get(change_url(case)).content.decode(), "case_form")
    added = Theme.objects.exclude(pk__in=case.themes.values("pk")).first()
    data["themes"] = data.get("themes", []) + [str(added.pk)]
    assert client.post(change_url(case), data).status_code == 302
    timeline = client.get(f"/admin/cases/case/{case.pk}/changes/").content.decode()
    changes = timeline.split("<tbody>", 1)[1]
    assert "主题" in changes
    assert added.name in changes
