"""The replication tracker: access rules (role × region × endpoint), reports, concurrency, views, demo."""

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases import roles
from cases.models import Agency, Case, Region
from cases.tracker.models import (
    AdoptionReport,
    AdoptionResult,
    Bulletin,
    Evidence,
    OfficialProfile,
    PromotionPlan,
    ReviewComment,
)
from cases.tracker.roles import PROVINCIAL_OFFICE
from tests.factories import grow_catalog
from tests.forms import form_data
from tests.workbooks import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET_PHONE = "13800000000"
SECRET_NOTE = "内部备注：尚缺经费"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def official(username: str, *, region: str | None = None, agency: str | None = None) -> User:
    user = User.objects.create_user(username, password="pw-不重要-123")
    OfficialProfile.objects.create(
        user=user,
        region=Region.objects.get(slug=region) if region else None,
        agency=Agency.objects.get(slug=agency) if agency else None,
    )
    return user


@pytest.fixture
def world(seed):
    """Accounts of every role and two reports, one with private fields and an evidence file."""
    users = {
        "haikou": official("haikou", region="haikou"),
        "ledong": official("ledong", region="ledong"),
        # 省医保局 leads case 4-1, so it is one of its responsible units (Annex 2, reconstructed).
        "yibao": official("yibao", agency="hainan-healthcare-security"),
        "office": User.objects.create_user("office"),
        "editor": User.objects.create_user("editor", is_staff=True),
        "plain": User.objects.create_user("plain"),
    }
    users["office"].groups.add(Group.objects.get(name=PROVINCIAL_OFFICE))
    users["editor"].groups.add(Group.objects.get(name=roles.EDITOR))
    case_1, case_8 = Case.objects.get(batch=4, number=1), Case.objects.get(batch=4, number=8)
    haikou = AdoptionReport.objects.create(
        case=case_1,
        region=Region.objects.get(slug="haikou"),
        status="in_progress",
        started_on=date(2024, 1, 2),
        actions="参照三医联动做法推进。",
        notes=SECRET_NOTE,
        contact_name="王某",
        contact_phone=SECRET_PHONE,
    )
    evidence = Evidence.objects.create(
        report=haikou,
        title="实施方案",
        original_name="方案.pdf",
        size=len(PDF),
        file=SimpleUploadedFile("方案.pdf", PDF),
    )
    ledong_8 = AdoptionReport.objects.create(
        case=case_8, region=Region.objects.get(slug="ledong"), status="not_started"
    )
    return {"users": users, "haikou": haikou, "ledong_8": ledong_8, "evidence": evidence}


def login(client, world, role: str):
    if role != "anonymous":
        client.force_login(world["users"][role])


ROLES = ["anonymous", "haikou", "ledong", "yibao", "office", "editor", "plain"]


def edit_url(case_number: int, kind: str, slug: str) -> str:
    return f"/adoption/cases/4/{case_number}/{kind}/{slug}/edit/"


def report_post(version: int, **changes) -> dict:
    data = {
        "version": str(version),
        "status": "in_progress",
        "started_on": "2024-01-02",
        "completed_on": "",
        "not_applicable_reason": "",
        "actions": "新的做法说明。",
        "notes": "",
        "contact_name": "",
        "contact_phone": "",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "20",
    }
    data.update(changes)
    return data


def plan_form_post() -> dict:
    """A whole 推广工作方案 as its form posts it: every region, a start and a landing date."""
    return {
        "version": "0",
        "starts_on": "2024-01-02",
        "regions": [str(pk) for pk in Region.objects.values_list("pk", flat=True)],
        "contact_name": "李某",
        "contact_phone": "0898-00000000",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-kind": "start",
        "milestones-0-due_on": "2024-03-01",
        "milestones-1-kind": "land",
        "milestones-1-due_on": "2024-06-30",
    }


# -- the access matrix: role × endpoint (own region, other region, responsible case, …) ------------------------

# (endpoint, method, target) → expected status per role, in ROLES order.
ACCESS = [
    ("view matrix", "get", "/adoption/", [200, 200, 200, 200, 200, 200, 200]),
    ("view rankings", "get", "/adoption/rankings/", [200, 200, 200, 200, 200, 200, 200]),
    ("view case progress", "get", "/adoption/cases/4/1/", [200, 200, 200, 200, 200, 200, 200]),
    ("view region page", "get", "/adoption/regions/haikou/", [200, 200, 200, 200, 200, 200, 200]),
    ("view report", "get", "report:haikou", [200, 200, 200, 200, 200, 200, 200]),
    ("edit form, Haikou's report", "get", edit_url(1, "region", "haikou"), [302, 200, 403, 403, 200, 403, 403]),
    ("save Haikou's report", "post", edit_url(1, "region", "haikou"), [302, 302, 403, 403, 302, 403, 403]),
    ("create Ledong's report", "post", edit_url(2, "region", "ledong"), [302, 403, 302, 403, 302, 403, 403]),
    (
        "create a department's report",
        "post",
        edit_url(1, "agency", "hainan-healthcare-security"),
        [302, 403, 403, 302, 302, 403, 403],
    ),
    ("comment, case led by 省医保局", "post", "comment:haikou", [302, 403, 403, 302, 302, 403, 403]),
    ("review, case led by 省医保局", "post", "review:haikou", [302, 403, 403, 302, 302, 403, 403]),
    ("comment, another unit's case", "post", "comment:ledong_8", [302, 403, 403, 403, 302, 403, 403]),
    ("review, another unit's case", "post", "review:ledong_8", [302, 403, 403, 403, 302, 403, 403]),
    ("answer, Haikou's report", "post", "answer:haikou", [302, 302, 403, 403, 403, 403, 403]),
    ("answer, Ledong's report", "post", "answer:ledong_8", [302, 403, 302, 403, 403, 403, 403]),
    ("evidence file", "get", "evidence", [302, 200, 200, 200, 200, 403, 403]),
    ("view a case's plans", "get", "/adoption/cases/4/1/plan/", [200, 200, 200, 200, 200, 200, 200]),
    ("plan form, case led by 省医保局", "get", "plan-edit:1", [302, 403, 403, 200, 200, 403, 403]),
    ("save a plan, case led by 省医保局", "post", "plan-edit:1", [302, 403, 403, 302, 302, 403, 403]),
    ("plan form, another unit's case", "get", "plan-edit:8", [302, 404, 404, 404, 404, 404, 404]),
    ("approve a submitted plan", "post", "decide:approve", [302, 403, 403, 403, 302, 403, 403]),
    ("return a submitted plan", "post", "decide:return", [302, 403, 403, 403, 302, 403, 403]),
    ("督办清单", "get", "/adoption/overdue/", [302, 200, 200, 200, 200, 403, 403]),
    ("督办清单 download", "get", "/adoption/overdue.xlsx", [302, 200, 200, 200, 200, 403, 403]),
    ("bulletins", "get", "/adoption/bulletins/", [302, 200, 200, 200, 200, 403, 403]),
    ("generate a bulletin", "post", "/adoption/bulletins/", [302, 403, 403, 403, 302, 403, 403]),
    ("a kept bulletin", "get", "bulletin:page", [302, 200, 200, 200, 200, 403, 403]),
    ("a kept bulletin's document", "get", "bulletin:document", [302, 200, 200, 200, 200, 403, 403]),
    # Every method: what only reads refuses a POST, what only writes refuses a GET, whoever asks.
    ("POST to a case's plans", "post", "/adoption/cases/4/1/plan/", [405, 405, 405, 405, 405, 405, 405]),
    ("GET a plan decision", "get", "/adoption/plans/1/decide/", [302, 405, 405, 405, 405, 405, 405]),
    ("POST to the 督办清单", "post", "/adoption/overdue/", [302, 405, 405, 405, 405, 405, 405]),
    ("POST to the 督办清单 download", "post", "/adoption/overdue.csv", [302, 405, 405, 405, 405, 405, 405]),
    ("POST to a kept bulletin", "post", "bulletin:page", [302, 405, 405, 405, 405, 405, 405]),
    ("POST to a kept bulletin's document", "post", "bulletin:document", [302, 405, 405, 405, 405, 405, 405]),
]


def resolve(target: str, world) -> str:
    kind, _, name = target.partition(":")
    if kind == "report":
        return f"/adoption/reports/{world[name].pk}/"
    if kind in ("comment", "review", "answer"):
        return f"/adoption/reports/{world[name].pk}/{kind}/"
    if kind == "evidence":
        return f"/adoption/evidence/{world['evidence'].pk}/"
    if kind == "plan-edit":  # 省医保局's plan: it leads case 4-1, not 4-8
        return f"/adoption/cases/4/{name}/plan/hainan-healthcare-security/edit/"
    if kind == "bulletin":  # a bulletin kept by the office, made inside the cell's savepoint
        office = world["users"]["office"]
        kept = Bulletin.objects.create(
            notice=Case.objects.get(batch=4, number=1).notice,
            as_of=date(2024, 3, 1),
            created_by=office,
            content={
                "title": "通报",
                "as_of": "2024-03-01",
                "batch": 4,
                "cases": 0,
                "regions": 19,
                "totals": {"landed": 0, "in_progress": 0, "not_started": 0, "not_applicable": 0},
                "average": "0",
                "per_case": [],
                "standings": [],
                "overdue": [],
            },
        )
        return f"/adoption/bulletins/{kept.pk}/" + ("document.docx" if name == "document" else "")
    if kind == "decide":  # a plan awaiting approval, made inside the cell's savepoint
        plan = PromotionPlan.objects.create(
            case=Case.objects.get(batch=4, number=1),
            agency=Agency.objects.get(slug="hainan-healthcare-security"),
            status="submitted",
            starts_on=date(2024, 1, 2),
            contact_name="李某",
            contact_phone="0898-00000000",
        )
        return f"/adoption/plans/{plan.pk}/decide/"
    return target


def snapshot():
    return (
        list(AdoptionReport.objects.order_by("pk").values_list("pk", "status", "actions", "reviewed", "version")),
        ReviewComment.objects.count(),
        AdoptionReport.objects.count(),
        list(PromotionPlan.objects.order_by("pk").values_list("pk", "status", "version")),
        Bulletin.objects.count(),
    )


class _Undo(Exception):
    pass


def attempt(client, world, role: str, method: str, target: str) -> list[str]:
    """One cell of the matrix, inside a savepoint that is rolled back: every cell starts from the same state."""
    from django.db import transaction

    problems: list[str] = []
    try:
        with transaction.atomic():
            client.logout()
            login(client, world, role)
            url = resolve(target, world)
            before = snapshot()
            if method == "get":
                response = client.get(url)
            else:
                version = AdoptionReport.objects.get(pk=world["haikou"].pk).version if "haikou/edit" in url else 0
                data = report_post(version) | {"body": "意见"}
                if "/decide/" in url:
                    plan = PromotionPlan.objects.get(pk=url.split("/")[3])
                    data = {"version": plan.version, "action": target.split(":")[1], "reason": "时限过松。"}
                elif "/plan/" in url:
                    data = plan_form_post() | {"submit": "1"}
                elif url == "/adoption/bulletins/":
                    data = {"notice": Case.objects.get(batch=4, number=1).notice_id, "as_of": date.today().isoformat()}
                response = client.post(url, data)
            problems.append(str(response.status_code))
            refused = response.status_code == 403 or (role == "anonymous" and response.status_code == 302)
            if method == "post" and refused and snapshot() != before:
                problems.append("refused but something was saved")
            if target == "evidence":
                # Consuming the stream closes the file (the test client's wrapper closes the response).
                body = b"".join(response.streaming_content) if response.status_code == 200 else response.content
                if (PDF in body) != (response.status_code == 200):
                    problems.append("file content leaked or missing")
            elif getattr(response, "streaming", False):
                b"".join(response.streaming_content)  # read to the end, which closes the download's file
            if (
                (method == "get" or role == "anonymous")
                and response.status_code == 302
                and not response["Location"].startswith("/accounts/login/")
            ):
                problems.append(f"redirect to {response['Location']}")
            raise _Undo
    except _Undo:
        pass
    return problems


@pytest.mark.parametrize(("endpoint", "method", "target", "expected"), ACCESS, ids=[a[0] for a in ACCESS])
def test_access_matrix(client, world, endpoint, method, target, expected):
    """Every role against one endpoint; a failure lists every cell that disagrees."""
    wrong = {}
    for role, want in zip(ROLES, expected, strict=True):
        status, *problems = attempt(client, world, role, method, target)
        if status != str(want) or problems:
            wrong[role] = (f"expected {want}, got {status}", *problems)
    assert wrong == {}


@pytest.mark.parametrize("role", ROLES)
def test_only_signed_in_officials_see_notes_contacts_evidence_and_comments(client, world, role):
    ReviewComment.objects.create(report=world["haikou"], author=world["users"]["office"], body="请补充佐证。")
    login(client, world, role)
    page = client.get(f"/adoption/reports/{world['haikou'].pk}/").content.decode()
    insider = role in ("haikou", "ledong", "yibao", "office")
    for secret in (SECRET_PHONE, SECRET_NOTE, "实施方案", "请补充佐证。"):
        assert (secret in page) == insider, (role, secret)
    assert "参照三医联动做法推进。" in page  # what was done is public


@pytest.mark.parametrize(
    "url",
    [
        "/adoption/",
        "/adoption/reports/1/comment/",
        "/adoption/reports/1/review/",
        "/adoption/evidence/1/",
        edit_url(1, "region", "haikou"),
        "/adoption/no-such-page/",
    ],
)
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_anonymous_writes_are_refused_everywhere_under_adoption(client, world, url, method):
    """No write without signing in: a write view sends to the sign-in page, the others refuse the method."""
    before = snapshot()
    response = getattr(client, method)(url, {"status": "landed"} if method == "post" else None)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code in (404, 405)
    assert snapshot() == before


# -- reports ------------------------------------------------------------------------------------------


def test_an_official_files_a_report_with_results_and_evidence(client, world):
    client.force_login(world["users"]["ledong"])
    url = edit_url(2, "region", "ledong")
    data = report_post(
        0,
        status="landed",
        completed_on="2024-05-01",
        contact_phone="0898-1234567",
        **{
            "results-TOTAL_FORMS": "1",
            "results-0-label": "办理时限",
            "results-0-value": "3",
            "results-0-unit": "个工作日",
            "results-0-baseline_value": "15",
            "results-0-baseline_unit": "个工作日",
            "evidence-title": "验收报告",
            "evidence-file": SimpleUploadedFile("验收.pdf", PDF, content_type="application/pdf"),
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    report = AdoptionReport.objects.get(case__number=2, region__slug="ledong")
    assert (report.status, report.completed_on, report.version, report.updated_by.username) == (
        "landed",
        date(2024, 5, 1),
        1,
        "ledong",
    )
    result = report.results.get()
    assert (result.label, result.value, result.baseline_value) == ("办理时限", Decimal("3"), Decimal("15"))
    evidence = report.evidence.get()
    assert evidence.original_name == "验收.pdf"
    assert evidence.size == len(PDF)
    assert not evidence.file.name.endswith("验收.pdf")  # stored under a name of ours
    assert report.history.get().history_user == world["users"]["ledong"]
    download = client.get(f"/adoption/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert set(download["Cache-Control"].split(", ")) == {"private", "no-store"}  # no cache keeps a copy
    assert b"".join(download.streaming_content) == PDF
    public = client.get("/adoption/").content.decode()
    assert 'aria-label="乐东黎族自治县：已落地"' in public


def test_every_change_to_a_report_is_in_its_history(client, world):
    client.force_login(world["users"]["haikou"])
    report = world["haikou"]
    url = edit_url(1, "region", "haikou")
    client.post(url, report_post(report.version, actions="第一次修改。"))
    client.post(
        url, report_post(report.version + 1, status="landed", completed_on="2024-06-01", actions="第二次修改。")
    )
    records = list(AdoptionReport.objects.get(pk=report.pk).history.order_by("history_date"))
    assert [r.actions for r in records] == ["参照三医联动做法推进。", "第一次修改。", "第二次修改。"]
    assert records[-1].status == "landed"
    assert records[-1].history_user.username == "haikou"


def test_the_second_of_two_simultaneous_edits_is_told_and_nothing_is_overwritten(client, world):
    report = world["haikou"]
    url = edit_url(1, "region", "haikou")
    client.force_login(world["users"]["haikou"])
    seen = form_data(client.get(url).content.decode(), "report-form")["version"][0]
    # Meanwhile a colleague at the provincial office saves first.
    other = client.__class__()
    other.force_login(world["users"]["office"])
    other_seen = form_data(other.get(url).content.decode(), "report-form")["version"][0]
    assert seen == other_seen == str(report.version)
    assert other.post(url, report_post(int(other_seen), actions="省营商环境办先保存的内容。")).status_code == 302
    response = client.post(url, report_post(int(seen), actions="海口后保存的内容。"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "已被office于" in page
    assert "本次修改没有保存" in page
    assert AdoptionReport.objects.get(pk=report.pk).actions == "省营商环境办先保存的内容。"
    assert form_data(page, "report-form")["version"] == [str(report.version + 1)]  # a fresh form to retry with


def test_two_officials_creating_the_same_report_at_once(client, world):
    url = edit_url(3, "region", "haikou")
    client.force_login(world["users"]["haikou"])
    assert client.post(url, report_post(0, actions="第一份。")).status_code == 302
    response = client.post(url, report_post(0, actions="第二份，基于空表。"))
    assert response.status_code == 409
    assert AdoptionReport.objects.get(case__number=3, region__slug="haikou").actions == "第一份。"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "not_applicable", "started_on": ""}, "选择“不适用”时请说明理由"),
        ({"status": "landed"}, "已落地的请填写落地日期"),
        ({"status": "landed", "completed_on": "2023-01-01"}, "落地日期不能早于启动日期"),
        ({"started_on": "2024-02-30"}, "有效的日期"),
        ({"status": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_an_invalid_report_is_explained_and_not_saved(client, world, changes, message):
    client.force_login(world["users"]["ledong"])
    response = client.post(edit_url(2, "region", "ledong"), report_post(0, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AdoptionReport.objects.filter(case__number=2, region__slug="ledong").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("大文件.pdf", PDF + b"0" * 2048, "超过上限"),
        ("程序.exe", b"MZ\x90\x00", "不接受“.exe”文件"),
        ("伪装.pdf", b"\x89PNG\r\n\x1a\nxxxx", "内容不是 PDF 格式"),
        ("无扩展名", b"%PDF-1.4", "不接受"),
    ],
)
def test_an_evidence_upload_too_large_or_of_the_wrong_type_is_refused(client, world, settings, name, content, message):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(world["users"]["ledong"])
    response = client.post(
        edit_url(2, "region", "ledong"),
        report_post(0, **{"evidence-title": "材料", "evidence-file": SimpleUploadedFile(name, content)}),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AdoptionReport.objects.filter(case__number=2, region__slug="ledong").exists()
    assert Evidence.objects.count() == 1


def test_an_edit_by_the_reporting_unit_clears_an_earlier_review(client, world):
    report = world["haikou"]
    client.force_login(world["users"]["yibao"])
    records = report.history.count()
    assert client.post(f"/adoption/reports/{report.pk}/review/").status_code == 302
    report.refresh_from_db()
    assert report.reviewed
    assert report.reviewed_by.username == "yibao"
    # The review is an entry of the report's conversation, not an edit of the report (issue 20).
    assert report.history.count() == records
    assert report.comments.get().kind == "reviewed"
    client.force_login(world["users"]["haikou"])
    client.post(edit_url(1, "region", "haikou"), report_post(report.version, actions="修改后待重新审核。"))
    report.refresh_from_db()
    assert not report.reviewed


# -- views ---------------------------------------------------------------------------------------------


def test_the_matrix_lists_all_19_regions_for_an_anonymous_visitor(client, world):
    page = client.get("/adoption/").content.decode()
    regions = list(Region.objects.all())
    assert len(regions) == 19
    header = page[page.index("<thead>") : page.index("</thead>")]
    for region in regions:
        assert f'title="{region.name}"' in header
    assert page.count('<td class="status status-') == 8 * 19
    assert 'aria-label="海口市：推进中"' in page
    assert "0/19" in page


def test_the_matrix_filters_by_batch_and_theme_and_ignores_junk(client, world):
    page = client.get("/adoption/?theme=getting-credit").content.decode()
    credit = Case.objects.filter(themes__slug="getting-credit").count()
    assert page.count('<th scope="row">') == credit
    junk = client.get("/adoption/?batch=abc&theme=nope").content.decode()
    assert "无法识别的批次、主题条件已忽略" in junk
    assert junk.count('<th scope="row">') == 8


def test_the_matrix_downloads_as_xlsx_and_csv(client, world):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/adoption/matrix.xlsx").getvalue())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows[0]) == 2 + 19 + 1
    assert rows[0][2] == "海口市"
    case_1 = next(r for r in rows if r[0] == "4-1")
    assert case_1[2] == "推进中"
    assert case_1[-1] == "0/19"
    assert client.get("/adoption/matrix.csv").getvalue().decode("utf-8").startswith("\ufeff案例编号")


def test_rankings_rate_landed_over_applicable_cases(client, world):
    haikou = world["haikou"]
    haikou.status, haikou.completed_on = "landed", date(2024, 3, 1)
    haikou.save()
    sansha = Region.objects.get(slug="sansha")
    for number in range(2, 9):  # not applicable in seven cases, landed in one
        AdoptionReport.objects.create(
            case=Case.objects.get(batch=4, number=number),
            region=sansha,
            status="not_applicable",
            not_applicable_reason="无此业务",
        )
    AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=1),
        region=sansha,
        status="landed",
        started_on=date(2024, 1, 1),
        completed_on=date(2024, 2, 1),
    )
    page = client.get("/adoption/rankings/").content.decode()
    assert page.index("三沙市") < page.index("海口市") < page.index("乐东黎族自治县")
    assert "100.0%" in page
    assert "12.5%" in page
    from cases.tracker import stats

    regions = list(Region.objects.all())
    standings, average = stats.rankings(Case.objects.published(), regions)
    tiers = {s.region.slug: s.tier for s in standings}
    assert tiers["sansha"] == tiers["haikou"] == "领跑者"
    assert tiers["ledong"] == "跟跑者"
    assert standings[0].rank == 1
    assert average == Decimal("5.9")


def brute_force_standings(cases: list[Case], regions: list[Region]) -> dict[str, tuple]:
    """Per region, from every (case, region) cell: its counts by status, reports and demo reports."""
    from collections import Counter

    reports = {(r.case_id, r.region_id): r for r in AdoptionReport.objects.filter(region__isnull=False)}
    out = {}
    for region in regions:
        cells = [reports.get((case.pk, region.pk)) for case in cases]
        counts = Counter(r.status if r else "not_started" for r in cells)
        out[region.slug] = (dict(counts), sum(1 for r in cells if r), sum(1 for r in cells if r and r.is_demo))
    return out


def test_rankings_counted_by_the_database_equal_counting_every_cell(world):
    from cases.tracker import stats

    grow_catalog(extra_cases=5, items=1)
    regions = list(Region.objects.all())
    statuses = ["landed", "in_progress", "not_started", "not_applicable"]
    for index, case in enumerate(Case.objects.published().exclude(batch=4, number__in=[1, 8])):
        for region in regions[index % 5 :: 3]:
            status = statuses[(index + region.pk) % 4]
            AdoptionReport.objects.create(
                case=case,
                region=region,
                status=status,
                is_demo=region.pk % 2 == 0,
                started_on=date(2024, 1, 1) if status in ("landed", "in_progress") else None,
                completed_on=date(2024, 2, 1) if status == "landed" else None,
                not_applicable_reason="无此业务" if status == "not_applicable" else "",
            )
    for batch in (None, 4, 5):
        cases = Case.objects.published() if batch is None else Case.objects.published().filter(batch=batch)
        standings, _ = stats.rankings(cases, regions)
        expected = brute_force_standings(list(cases), regions)
        got = {s.region.slug: ({k: v for k, v in s.counts.items() if v}, s.reports, s.demo) for s in standings}
        assert got == expected, batch
        assert all(s.cases == len(cases) for s in standings)


def test_the_tracker_pages_stay_one_page_long_however_large_the_catalog(client, world):
    """The matrix shows the newest batch a page at a time; a region's page is paginated; queries do not grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        return len(captured.captured_queries), page.content.decode()

    small = {url: queries(url)[0] for url in ("/adoption/", "/adoption/regions/haikou/", "/adoption/rankings/")}
    grow_catalog(extra_cases=120, items=1)  # batch 5: 120 cases, now the newest
    count, matrix = queries("/adoption/")
    assert matrix.count('<th scope="row">') == 50
    assert "第 1 / 3 页" in matrix
    assert "第五批" in matrix
    assert count <= small["/adoption/"] + 2  # + the paginator's count and the newest batch
    last = client.get("/adoption/?page=3").content.decode()
    assert last.count('<th scope="row">') == 20
    every = client.get("/adoption/?batch=all&page=3").content.decode()
    assert every.count('<th scope="row">') == 28
    assert "第 3 / 3 页" in every
    count, region = queries("/adoption/regions/haikou/")
    assert region.count('<th scope="row"') == 50
    assert "（共 128 个案例）" in region
    assert "未启动 127" in region
    assert count <= small["/adoption/regions/haikou/"] + 1
    count, rankings = queries("/adoption/rankings/")
    assert "共 128 个案例" in rankings
    assert count <= small["/adoption/rankings/"]


def test_the_whole_matrix_downloads_streamed(client, world):
    grow_catalog(extra_cases=60, items=1)
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/adoption/matrix.{fmt}?batch=all")
        assert response.streaming, fmt
        rows = xlsx_rows(response.getvalue()) if fmt == "xlsx" else csv_rows(response.getvalue())
        assert [r[0] for r in rows[1:]] == [c.code for c in Case.objects.published().order_by("-batch", "number")]
        assert next(r for r in rows if r[0] == "4-1")[2] == "推进中"
    # Without a batch the download holds every batch; the page's link names the batch it shows.
    assert len(csv_rows(client.get("/adoption/matrix.csv").getvalue())) == 1 + 68
    assert len(csv_rows(client.get("/adoption/matrix.csv?batch=4").getvalue())) == 1 + 8
    assert "matrix.csv?batch=5" in client.get("/adoption/").content.decode()


def test_the_case_api_reports_adoption_by_status(client, world):
    world["haikou"].status, world["haikou"].completed_on = "landed", date(2024, 3, 1)
    world["haikou"].save()
    detail = client.get("/api/cases/4/1/").json()["adoption"]
    assert detail == {"regions": 19, "landed": 1, "in_progress": 0, "not_started": 18, "not_applicable": 0}
    listed = {(r["batch"], r["number"]): r["adoption"] for r in client.get("/api/cases/").json()["results"]}
    assert listed[(4, 1)] == detail
    assert listed[(4, 8)]["not_started"] == 19
    # Department reports are not regions and do not count here.
    AdoptionReport.objects.create(
        case=Case.objects.get(batch=4, number=1),
        agency=Agency.objects.get(slug="hainan-healthcare-security"),
        status="landed",
        started_on=date(2024, 1, 1),
        completed_on=date(2024, 2, 1),
    )
    assert client.get("/api/cases/4/1/").json()["adoption"] == detail


def test_the_region_page_and_case_progress(client, world):
    region_page = client.get("/adoption/regions/haikou/").content.decode()
    assert "推进中 1" in region_page
    assert "未启动 7" in region_page
    client.force_login(world["users"]["haikou"])
    progress = client.get("/adoption/cases/4/1/").content.decode()
    assert "填写或更新本市县的报告" in progress
    assert edit_url(1, "region", "haikou") in progress


def test_drafts_are_not_tracked(client, world):
    draft = Case.objects.get(batch=4, number=8)
    draft.status = Case.Status.DRAFT
    draft.save()
    assert client.get("/adoption/cases/4/8/").status_code == 404
    assert f"/adoption/reports/{world['ledong_8'].pk}/" not in client.get("/adoption/").content.decode()
    assert client.get(f"/adoption/reports/{world['ledong_8'].pk}/").status_code == 404


def test_a_result_row_with_a_non_numeric_value_is_refused(client, world):
    client.force_login(world["users"]["ledong"])
    response = client.post(
        edit_url(2, "region", "ledong"),
        report_post(0, **{"results-TOTAL_FORMS": "1", "results-0-label": "办理时限", "results-0-value": "三天"}),
    )
    assert response.status_code == 400
    assert "输入一个数字" in response.content.decode()
    assert AdoptionResult.objects.count() == 0


# -- demo ------------------------------------------------------------------------------------------------


def test_demo_setup_needs_debug_mode(seed, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="调试模式"):
        call_command("demo_setup")
    assert not User.objects.exists()


def test_demo_setup_creates_one_account_per_role_and_marked_sample_reports(seed, settings, client):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    printed = out.getvalue()
    accounts = {line.split()[0]: line.split()[1] for line in printed.splitlines() if line.startswith("  demo-")}
    assert set(accounts) == {"demo-office", "demo-haikou", "demo-ledong", "demo-yibao", "demo-editor", "demo-publisher"}
    for username, password in accounts.items():
        assert User.objects.get(username=username).check_password(password)
    assert AdoptionReport.objects.count() == AdoptionReport.objects.filter(is_demo=True).count() == 6
    assert all("【演示数据】" in r.actions for r in AdoptionReport.objects.all())
    again = io.StringIO()
    call_command("demo_setup", stdout=again)
    assert "密码未改变" in again.getvalue()
    assert not any(p in again.getvalue() for p in accounts.values())
    assert AdoptionReport.objects.count() == 6
    assert "演示数据" in client.get(f"/adoption/reports/{AdoptionReport.objects.first().pk}/").content.decode()
    signed_in = client.post("/accounts/login/", {"username": "demo-haikou", "password": accounts["demo-haikou"]})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/adoption/mine/"
    call_command("demo_setup", delete=True, stdout=io.StringIO())
    assert not AdoptionReport.objects.exists()
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_the_seed_fixture_holds_no_reports(settings):
    import json

    data = json.loads((settings.FIXTURE_DIRS[0] / "seed.json").read_text(encoding="utf-8"))
    tracker = {
        "tracker.adoptionreport",
        "tracker.adoptionresult",
        "tracker.evidence",
        "tracker.officialprofile",
        "tracker.reviewcomment",
    }
    assert all(o["model"].startswith("cases.") for o in data)  # the catalog only
    assert not [o for o in data if o["model"] in tracker]


# -- what an official sees when a report is refused --------------------------------------------------

FALSE_EVIDENCE_ERRORS = ["请上传文件或填写链接", "evidence_link_or_file", "这个字段是必填项"]


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "landed"},
        {"status": "not_applicable", "started_on": ""},
        {"started_on": "2024-02-30"},
        {"results-TOTAL_FORMS": "1", "results-0-label": "办理时限", "results-0-value": "三天"},
    ],
)
def test_an_error_in_the_report_adds_no_evidence_errors_when_evidence_was_left_empty(client, world, changes):
    client.force_login(world["users"]["ledong"])
    response = client.post(edit_url(2, "region", "ledong"), report_post(0, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    for message in FALSE_EVIDENCE_ERRORS:
        assert message not in page, message
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "<li>" in summary  # the real problem is listed at the top, with a link to its field


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("伪装.pdf", b"\x89PNG\r\n\x1a\nxxxx", "内容不是 PDF 格式"),
        ("程序.exe", b"MZ\x90\x00", "不接受“.exe”文件"),
    ],
)
def test_a_refused_file_is_named_with_its_real_reason_in_the_summary(client, world, name, content, reason):
    client.force_login(world["users"]["ledong"])
    response = client.post(
        edit_url(2, "region", "ledong"),
        report_post(0, **{"evidence-title": "材料", "evidence-file": SimpleUploadedFile(name, content)}),
    )
    page = response.content.decode()
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert reason in summary
    assert 'href="#id_evidence-file"' in summary
    assert "请上传文件或填写链接" not in page


def test_every_constraint_explains_itself_in_chinese():
    """A constraint a form validates must never show its raw name to an official or an editor."""
    import re

    from django.apps import apps
    from django.db.models import CheckConstraint, UniqueConstraint

    for model in apps.get_app_config("cases").get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint) or (
                isinstance(constraint, UniqueConstraint) and constraint.condition is not None
            ):
                message = str(constraint.get_violation_error_message())
                assert constraint.name not in message, (model.__name__, constraint.name, message)
                assert re.search(r"[\u4e00-\u9fff]", message), (model.__name__, constraint.name, message)


# -- demo data and an empty tracker --------------------------------------------------------------------


def test_with_no_reports_no_region_is_ranked(client, seed):
    page = client.get("/adoption/rankings/").content.decode()
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "跟跑者" not in table
    assert "领跑者" not in table
    assert "0.0%" not in table
    assert table.count("尚无填报") == 19
    assert "暂不排名" in page


def test_a_region_that_reported_nothing_is_not_ranked_among_those_that_did(client, world):
    page = client.get("/adoption/rankings/").content.decode()
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    reported = [r for r in rows if "尚无填报" not in r]
    assert len(reported) == 2
    assert "海口市" in reported[0] + reported[1]
    assert "乐东" in reported[0] + reported[1]
    assert all("尚无填报" in r for r in rows[2:])


@pytest.fixture
def demo_report(world):
    report = world["haikou"]
    report.is_demo = True
    report.save()
    return report


@pytest.mark.parametrize(
    "url", ["/adoption/", "/adoption/rankings/", "/adoption/cases/4/1/", "/adoption/regions/haikou/"]
)
def test_demo_reports_are_marked_on_every_tracker_page(client, demo_report, url):
    page = client.get(url).content.decode()
    assert "演示数据" in page, url


def test_demo_reports_are_marked_in_the_matrix_download(client, demo_report):
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get("/adoption/matrix.xlsx").getvalue())).active.values)
    case_1 = next(r for r in rows if r[0] == "4-1")
    assert case_1[2] == "推进中（演示数据）"
    assert "推进中（演示数据）" in client.get("/adoption/matrix.csv").getvalue().decode("utf-8-sig")


def test_real_reports_carry_no_demo_mark(client, world):
    for url in ["/adoption/", "/adoption/rankings/"]:
        assert "演示数据" not in client.get(url).content.decode(), url


def landing_section(client, case: Case) -> str:
    page = client.get(case.get_absolute_url()).content.decode()
    start = page.index('<section id="adoption"')
    return page[start : page.index("</section>", start)]


def expected_landing(case: Case) -> tuple[int, set[str], set[str]]:
    """From the database: regions landed (count), the landed and in-progress regions' report links."""
    reports = AdoptionReport.objects.filter(case=case, region__isnull=False)
    landed = {f"/adoption/reports/{r.pk}/" for r in reports if r.status == "landed"}
    in_progress = {f"/adoption/reports/{r.pk}/" for r in reports if r.status == "in_progress"}
    return len(landed), landed, in_progress


def test_a_case_page_shows_where_the_case_has_landed_and_follows_every_saved_report(
    client, seed, django_capture_on_commit_callbacks
):
    """Anonymous readers get cached pages: a report saved must show on the case page at once, both ways linked.

    (``seed``, not ``world``: a write left pending in the test's transaction would
    hold the tracker's one on-commit bump, and the writes below would add none;
    for the same reason each write's callbacks are cleared after they ran.)
    """
    case = Case.objects.get(batch=4, number=1)
    writes = [("haikou", "in_progress"), ("ledong", "landed"), ("sanya", "landed"), None]
    for write in writes:
        section = landing_section(client, case)
        landed, landed_links, progress_links = expected_landing(case)
        assert f"已在 <strong>{landed}</strong> / {Region.objects.count()} 个市县落地" in section
        for link in landed_links | progress_links:
            assert link in section
        assert "/adoption/cases/4/1/" in section
        if write:
            slug, status = write
            with django_capture_on_commit_callbacks(execute=True):
                AdoptionReport.objects.create(case=case, region=Region.objects.get(slug=slug), status=status)
            connection.run_on_commit.clear()  # as the commit would: the next write schedules its own bump
    for name in ("海口", "乐东", "三亚"):
        assert name in section
    assert case.get_absolute_url() in client.get("/adoption/cases/4/1/").content.decode()


def test_a_draft_case_page_shows_no_landing(client, world):
    draft = Case.objects.get(batch=4, number=8)
    draft.status = Case.Status.DRAFT
    draft.save()
    client.force_login(world["users"]["editor"])
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "草稿预览" in page
    assert 'id="adoption"' not in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"started_on": "2024-02-30"}, "started_on"),
        ({"status": "landed", "started_on": "2024-03-01", "completed_on": "2024-01-01"}, "completed_on"),
        ({"results-TOTAL_FORMS": "1", "results-0-label": "办理时限", "results-0-value": "三天"}, "results-0-value"),
        ({"results-TOTAL_FORMS": "1", "results-0-label": "办理时限", "results-0-unit": "天" * 300}, "results-0-unit"),
    ],
)
def test_a_field_error_stands_between_its_label_and_its_field(client, world, changes, field):
    """Not above the previous field (the start date's error once stood under 不适用的理由)."""
    client.force_login(world["users"]["ledong"])
    page = client.post(edit_url(2, "region", "ledong"), report_post(0, **changes)).content.decode()
    label = page.index(f'for="id_{field}"')
    error = page.index(f'id="id_{field}_error"')
    control = re.search(rf'<(input|textarea|select)[^>]*id="id_{field}"', page).start()
    assert label < error < control
    assert page.count('class="errorlist"', label - 400, control) >= 1
    assert (
        f'aria-describedby="id_{field}_error"' in page[control : control + 600]
        or "_error" in page[control : control + 600]
    )
