# ruff: noqa: F811 - the tests take the imported fixture "world" as an argument
"""推广工作方案: a responsible unit drafts and submits, the office approves, and the plan's dates drive the tracker."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client

from cases import journal
from cases.models import Agency, Case, Region, Section
from cases.tracker import deadlines, stats
from cases.tracker.models import AdoptionReport, PlanMilestone, PromotionPlan
from tests.test_adoption import world  # noqa: F401 - the tracker's fixture of accounts and reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commits(monkeypatch):
    """Every POST of these tests commits as in production: the work it owes (a new tracker version) is done.

    The test's own transaction never commits, and the fixtures' writes already
    owe a drain in it, so the journal registers no new on-commit callback:
    the transaction's drain is run here, as the commit would run it.
    """
    post = Client.post

    def committed_post(self, *args, **kwargs):
        response = post(self, *args, **kwargs)
        state = getattr(connection, journal.STATE_ATTR, None)
        if state is not None and not state.done:
            state.drain()
        return response

    monkeypatch.setattr(Client, "post", committed_post)


PLAN_URL = "/adoption/cases/4/1/plan/"
EDIT_URL = "/adoption/cases/4/1/plan/hainan-healthcare-security/edit/"


def signed_in(world, who: str) -> Client:
    client = Client()
    client.force_login(world["users"][who])
    return client


START_AND_LAND = (("start", "", "2024-03-01"), ("land", "", "2024-06-30"))


def plan_post(version=0, regions=None, milestones=START_AND_LAND, plan=None, delete=(), **extra):
    """The plan form as a browser posts it; with ``plan``, its saved milestones first (``delete``: their kinds)."""
    regions = [r.pk for r in Region.objects.all()] if regions is None else regions
    data = {
        "version": str(version),
        "starts_on": "2024-01-02",
        "regions": [str(pk) for pk in regions],
        "out_of_scope_reason": "",
        "approach": "召开推广部署会，逐市县对接。",
        "contact_name": "李某",
        "contact_phone": "0898-00000000",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "60",
    }
    saved = list(plan.milestones.all()) if plan is not None else []
    rows = [(m.kind, str(m.region_id or ""), m.due_on.isoformat(), m.pk) for m in saved]
    rows += [(*row, None) for row in milestones]
    for i, (kind, region, due_on, pk) in enumerate(rows):
        data.update({f"milestones-{i}-kind": kind, f"milestones-{i}-region": region, f"milestones-{i}-due_on": due_on})
        if pk:
            data[f"milestones-{i}-id"] = str(pk)
            if kind in delete:
                data[f"milestones-{i}-DELETE"] = "on"
    data["milestones-TOTAL_FORMS"], data["milestones-INITIAL_FORMS"] = str(len(rows)), str(len(saved))
    data.update(extra)
    return data


def approved_plan(world, **kwargs) -> PromotionPlan:
    unit = signed_in(world, "yibao")
    response = unit.post(EDIT_URL, {**plan_post(**kwargs), "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = PromotionPlan.objects.get()
    assert plan.status == "submitted"
    office = signed_in(world, "office")
    decided = office.post(f"/adoption/plans/{plan.pk}/decide/", {"version": plan.version, "action": "approve"})
    assert decided.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    return plan


def test_a_unit_drafts_submits_and_the_office_approves_then_the_plan_is_public(world, client):
    measure = Section.objects.filter(case__batch=4, case__number=1, kind="measure").order_by("position").first()
    unit = signed_in(world, "yibao")
    assert unit.get(EDIT_URL).status_code == 200
    draft = plan_post(**{f"measure_{measure.pk}": "on", f"note_{measure.pk}": "各市县医保局牵头。"})
    assert unit.post(EDIT_URL, {**draft, "save": "1"}).status_code == 302
    plan = PromotionPlan.objects.get()
    assert plan.status == "draft"
    assert "召开推广部署会" not in client.get(PLAN_URL).content.decode()  # a draft is not public
    assert "召开推广部署会" in unit.get(PLAN_URL).content.decode()  # … but its unit sees it
    assert (
        unit.post(EDIT_URL, {**plan_post(version=plan.version, plan=plan, milestones=()), "submit": "1"}).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == "submitted"
    office = signed_in(world, "office")
    assert (
        office.post(f"/adoption/plans/{plan.pk}/decide/", {"version": plan.version, "action": "approve"}).status_code
        == 302
    )
    page = client.get(PLAN_URL).content.decode()
    assert "海南省医疗保障局的方案" in page
    assert "已批准" in page
    assert "2024年6月30日" in page
    assert "召开推广部署会" in page
    assert unit.get(EDIT_URL).status_code == 403  # approved: the office changes it from now on


def test_an_approval_of_a_plan_that_changed_since_it_was_opened_is_refused(world):
    unit = signed_in(world, "yibao")
    unit.post(EDIT_URL, {**plan_post(), "submit": "1"})
    plan = PromotionPlan.objects.get()
    opened = plan.version
    changed = plan_post(version=opened, plan=plan, milestones=(), approach="改了方法。")
    assert unit.post(EDIT_URL, {**changed, "submit": "1"}).status_code == 302
    office = signed_in(world, "office")
    response = office.post(f"/adoption/plans/{plan.pk}/decide/", {"version": opened, "action": "approve"})
    assert response.status_code == 409
    assert "在您打开之后已被yibao" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_returning_a_plan_needs_a_reason_and_makes_it_a_draft_again(world):
    unit = signed_in(world, "yibao")
    unit.post(EDIT_URL, {**plan_post(), "submit": "1"})
    plan = PromotionPlan.objects.get()
    office = signed_in(world, "office")
    empty = office.post(f"/adoption/plans/{plan.pk}/decide/", {"version": plan.version, "action": "return"})
    assert empty.status_code == 400
    assert "请写明退回意见" in empty.content.decode()
    returned = office.post(
        f"/adoption/plans/{plan.pk}/decide/", {"version": plan.version, "action": "return", "reason": "时限过松。"}
    )
    assert returned.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.return_reason) == ("draft", "时限过松。")
    assert "时限过松。" in unit.get(EDIT_URL).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"regions": []}, "regions", "推广范围须至少包括一个市县。"),
        ({"starts_on": "2023-01-01"}, "starts_on", "不能早于本批案例印发日期（2023-09-19）"),
        (
            {"milestones": (("land", "", "2023-12-31"),)},
            "milestones-0-due_on",
            "不能早于方案实施起始日期（2024-01-02）",
        ),
        ({"milestones": (("land", "", "2023-09-01"),)}, "milestones-0-due_on", "不能早于本批案例印发日期"),
        ({"milestones": (("start", "", "2024-06-01"), ("land", "", "2024-05-01"))}, None, "落地时限不能早于启动时限"),
        ({"milestones": ()}, None, "提交审批前请至少填写一个时间节点"),
        ({"contact_name": ""}, "contact_name", "请填写联系人。"),
        (
            {"milestones": (("start", "", "2024-03-01"), ("start", "", "2024-04-01"))},
            "milestones-1-region",
            "同一市县的同一节点只能有一个时限。",
        ),
        ({"starts_on": "2024-02-30"}, "starts_on", "请按 年-月-日 填写日期。"),
        ({"starts_on": "2024-01-02\x00"}, "starts_on", "请按 年-月-日 填写日期。"),
    ],
)
def test_bad_plans_are_refused_next_to_their_field_and_write_nothing(world, changes, field, message):
    milestones = changes.pop("milestones", None)
    data = plan_post(**({"milestones": milestones} if milestones is not None else {}))
    data.update(changes)
    response = signed_in(world, "yibao").post(EDIT_URL, {**data, "submit": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if field:  # the message stands right above its field
        at = page.index(f'id="id_{field}"') if f'id="id_{field}"' in page else page.index(f'name="{field}"')
        assert page.rindex(message, 0, at) > page.rindex('class="field', 0, at) - 2000
    assert not PromotionPlan.objects.exists()
    assert not PlanMilestone.objects.exists()


def test_a_partial_scope_needs_its_reason_and_regions_outside_it_are_not_applicable_by_plan(world, client):
    inside = list(Region.objects.filter(slug__in=["haikou", "sanya"]))
    refused = signed_in(world, "yibao").post(EDIT_URL, {**plan_post(regions=[r.pk for r in inside]), "submit": "1"})
    assert refused.status_code == 400
    assert "请说明范围外市县不适用的理由" in refused.content.decode()
    approved_plan(world, regions=[r.pk for r in inside], out_of_scope_reason="仅在医保结算试点市推广。")
    case = Case.objects.get(batch=4, number=1)
    row, _ = stats.case_landing(case, list(Region.objects.all()))
    by_status = {c.region.slug: (c.status, c.by_plan) for c in row.cells}
    assert by_status["haikou"] == ("in_progress", "")  # its report stands
    assert by_status["ledong"] == ("not_applicable", "仅在医保结算试点市推广。")
    assert by_status["sanya"] == ("not_started", "")
    total = Region.objects.count()
    assert stats.summary(case) == {"landed": 0, "in_progress": 1, "not_started": 1, "not_applicable": total - 2}
    page = client.get("/adoption/cases/4/1/").content.decode()
    assert page.count("方案范围外") == total - 2


@pytest.mark.parametrize(
    ("today", "status", "started", "completed", "expected"),
    [
        (date(2024, 2, 1), "not_started", None, None, deadlines.ON_TIME),
        (date(2024, 2, 20), "not_started", None, None, deadlines.DUE_SOON),  # start due 2024-03-01
        (date(2024, 3, 1), "not_started", None, None, deadlines.DUE_SOON),  # the due day itself is not late
        (date(2024, 3, 2), "not_started", None, None, deadlines.LATE_START),
        (date(2024, 3, 2), "in_progress", date(2024, 2, 1), None, deadlines.ON_TIME),
        (date(2024, 6, 20), "in_progress", date(2024, 2, 1), None, deadlines.DUE_SOON),
        (date(2024, 7, 1), "in_progress", date(2024, 2, 1), None, deadlines.LATE_LANDING),
        (date(2024, 7, 1), "landed", date(2024, 2, 1), date(2024, 6, 30), deadlines.LANDED_ON_TIME),
        (date(2024, 8, 1), "landed", date(2024, 2, 1), date(2024, 7, 15), deadlines.LANDED_LATE),
        (date(2024, 8, 1), "not_applicable", None, None, ""),
    ],
)
def test_each_cell_knows_whether_it_is_on_time_due_soon_or_overdue(world, today, status, started, completed, expected):
    approved_plan(world)
    case, sanya = Case.objects.get(batch=4, number=1), Region.objects.get(slug="sanya")
    AdoptionReport.objects.create(
        case=case,
        region=sanya,
        status=status,
        started_on=started,
        completed_on=completed,
        not_applicable_reason="无" if status == "not_applicable" else "",
    )
    with time_machine.travel(date(*today.timetuple()[:3]), tick=False):
        row, _ = stats.case_landing(case, [sanya])
    assert row.cells[0].deadline == expected


def test_a_region_milestone_overrides_the_plans_milestone_for_all(world):
    haikou = Region.objects.get(slug="haikou")
    approved_plan(world, milestones=(("land", "", "2024-06-30"), ("land", str(haikou.pk), "2024-04-30")))
    schedule = deadlines.schedules([Case.objects.get(batch=4, number=1).pk]).popitem()[1]
    assert schedule.due_for(haikou.pk).land_by == date(2024, 4, 30)
    assert schedule.due_for(Region.objects.get(slug="sanya").pk).land_by == date(2024, 6, 30)


def test_overdue_cells_show_in_words_on_every_tracker_page_and_pages_turn_at_midnight(world, client):
    approved_plan(world)
    with time_machine.travel(date(2024, 3, 1), tick=False):
        before = client.get("/adoption/?batch=4").content.decode()
        assert "逾期未启动" not in before.split("</table>", 1)[0].split("<table", 1)[-1]
    with time_machine.travel(date(2024, 3, 2), tick=False):  # the same data, the next day: not the cached page
        matrix = client.get("/adoption/?batch=4").content.decode()
        region = client.get("/adoption/regions/sanya/").content.decode()
        progress = client.get("/adoption/cases/4/1/").content.decode()
    table = matrix.split('class="matrix"', 1)[1]
    assert table.count("逾期未启动") == Region.objects.count() - 1  # Haikou has started
    assert "逾期未启动" in region
    assert "（时限 <time" in region
    assert "逾期未启动" in progress
    assert 'class="deadline deadline-late_start"' in progress


def test_rankings_give_the_on_time_rate_beside_the_landing_rate(world, client):
    approved_plan(world)
    with time_machine.travel(date(2024, 3, 2), tick=False):
        standings, _ = stats.rankings(Case.objects.published(), list(Region.objects.all()))
        page = client.get("/adoption/rankings/").content.decode()
    by_slug = {s.region.slug: s for s in standings}
    assert (by_slug["haikou"].judged, by_slug["haikou"].on_time) == (1, 1)  # started before 3-01: on time
    assert (by_slug["sanya"].judged, by_slug["sanya"].on_time) == (1, 0)  # not started: 逾期未启动
    assert by_slug["haikou"].on_time_rate == 100
    assert by_slug["sanya"].on_time_rate == 0
    assert "按期率" in page


def test_the_offices_changes_to_an_approved_plan_are_kept_and_shown(world, client):
    plan = approved_plan(world)
    office = signed_in(world, "office")
    changed = plan_post(version=plan.version, plan=plan, milestones=(("start", "", "2024-03-15"),), delete=("start",))
    department = Agency.objects.filter(kind="provincial_department", level="provincial").order_by("pk").first()
    changed.update({"submit": "1", "contact_phone": "0898-11111111", "departments": [str(department.pk)]})
    response = office.post(EDIT_URL, changed)
    assert response.status_code == 302, response.content.decode().split('class="error-summary"')[-1][:600]
    plan.refresh_from_db()
    assert plan.status == "approved"
    page = client.get(PLAN_URL).content.decode()
    revisions = page.split("批准后的修改记录", 1)[1]
    assert "修改了联系电话" in revisions
    assert "修改了推广范围：省直部门" in revisions
    assert "新增时间节点：全部市县启动时限 2024-03-15" in revisions
    assert "删除时间节点：全部市县启动时限 2024-03-01" in revisions


def test_the_overdue_list_shows_each_supervisor_their_own_sorted_and_downloads(world, client):
    approved_plan(world, milestones=(("start", "", "2024-03-01"), ("land", "", "2024-06-30")))
    ledong_8 = world["ledong_8"]  # case 4-8 has no approved plan: nothing of it is overdue
    total = Region.objects.count()
    with time_machine.travel(date(2024, 7, 5), tick=False):
        office = signed_in(world, "office").get("/adoption/overdue/?sort=region").content.decode()
        unit = signed_in(world, "yibao").get("/adoption/overdue/").content.decode()
        region = signed_in(world, "haikou").get("/adoption/overdue/").content.decode()
        csv = signed_in(world, "office").get("/adoption/overdue.csv?sort=-days")
        junk = signed_in(world, "office").get("/adoption/overdue/?sort=%00%27;drop")
    assert f"共 <strong>{total}</strong> 项" in office  # every region: Haikou is late to land, the rest to start
    assert office.count("逾期未启动</span>") == total - 1
    assert office.count("逾期未落地</span>") == 1
    assert office.index("海口市") < office.index("三亚市")  # by region, in the province's order
    assert f"共 <strong>{total}</strong> 项" in unit  # 省医保局 is responsible for 4-1
    assert "督办清单：海口市" in region
    assert "共 <strong>1</strong> 项" in region
    assert ledong_8.case.code not in office.split("<table", 1)[1]
    lines = csv.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("案例编号,案例,市县,逾期类型,应完成日期,逾期天数")
    assert len(lines) == total + 1
    assert ",海口市,逾期未落地,2024-06-30,5," in lines[-1]  # fewest days overdue last
    assert ",逾期未启动,2024-03-01,126," in lines[1]
    assert csv["Cache-Control"] == "private, no-store"
    assert junk.status_code == 200
    assert f"共 <strong>{total}</strong> 项" in junk.content.decode()


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("plain", 403), ("editor", 403)])
def test_the_overdue_list_is_for_supervisors_only(world, client, who, status):
    if who != "anonymous":
        client.force_login(world["users"][who])
    assert client.get("/adoption/overdue/").status_code == status
    assert client.get("/adoption/overdue.xlsx").status_code == status


def test_a_region_outside_the_plans_scope_is_not_asked_to_report(world):
    inside = list(Region.objects.filter(slug__in=["haikou", "sanya"]))
    approved_plan(world, regions=[r.pk for r in inside], out_of_scope_reason="仅在试点市推广。")
    ledong = signed_in(world, "ledong").get("/adoption/mine/").content.decode()
    unreported = ledong.split('id="unreported-heading"', 1)[1]
    assert "推进“三医联动一张网”改革" not in unreported  # 4-1 is 不适用 for Ledong by plan
    assert "尚未填报的案例（6）" in ledong  # 4-8 is reported (not started); 4-1 is out of scope
    haikou = signed_in(world, "haikou").get("/adoption/mine/").content.decode()
    assert "尚未填报的案例（7）" in haikou  # Haikou reported 4-1, and is in its scope anyway


@pytest.mark.parametrize(
    "junk",
    [
        {"regions": ["x", "\x00", "９"]},
        {"milestones-0-region": "\x00"},
        {"milestones-0-kind": "both"},
        {"milestones-TOTAL_FORMS": "9999999"},
        {"milestones-TOTAL_FORMS": "①"},
        {"version": "①"},
        {"departments": ["-1"]},
        {"starts_on": "=1+1"},
    ],
)
def test_junk_in_a_plan_gets_a_chinese_answer_never_a_500(world, junk):
    response = signed_in(world, "yibao").post(EDIT_URL, {**plan_post(), "submit": "1", **junk})
    assert response.status_code in (400, 409)
    assert 'class="error-summary"' in response.content.decode()
    assert not PromotionPlan.objects.exists()


@pytest.mark.parametrize("junk", [{"version": "abc"}, {"version": "\x00"}, {}, {"version": "1", "action": "\x00"}])
def test_junk_decisions_change_nothing(world, junk):
    signed_in(world, "yibao").post(EDIT_URL, {**plan_post(), "submit": "1"})
    plan = PromotionPlan.objects.get()
    response = signed_in(world, "office").post(f"/adoption/plans/{plan.pk}/decide/", junk)
    assert response.status_code in (400, 409)
    plan.refresh_from_db()
    assert plan.status == "submitted"
