# ruff: noqa: F811 - the tests take the imported fixture "world" as an argument
"""The office's bulletin (通报): figures equal to the tracker's, as of a date, kept, and a Word document."""

import io
from collections import Counter
from datetime import date, datetime

import docx
import pytest
import time_machine
from django.test import Client

from cases.models import Case, Notice, Region
from cases.tracker import stats, supervision
from cases.tracker.models import AdoptionReport, AdoptionResult, Bulletin
from tests.test_adoption import world  # noqa: F401 - the tracker's fixture of accounts and reports
from tests.test_plans import _commits, approved_plan, signed_in  # noqa: F401 - POSTs that commit

pytestmark = pytest.mark.django_db


def generate(world, **data) -> tuple:
    notice = Notice.objects.get(batch=4)
    form = {"notice": notice.pk, "as_of": date.today().isoformat(), "number": "", "closing": "请抓紧落实。"} | data
    response = signed_in(world, "office").post("/adoption/bulletins/", form)
    return response, Bulletin.objects.order_by("-pk").first()


def oracle(day_reports: dict, cases: list, regions: list) -> tuple[Counter, dict]:
    """Counts of the cells by status, from nothing but the reports: a region without one has not started."""
    totals, per_case = Counter(), {}
    for case in cases:
        counts = Counter(day_reports.get((case.pk, region.pk), "not_started") for region in regions)
        per_case[case.code] = counts
        totals.update(counts)
    return totals, per_case


def test_a_bulletin_for_today_has_the_figures_of_the_matrix_the_rankings_and_the_overdue_list(world):
    case_3 = Case.objects.get(batch=4, number=3)
    for slug, status in (("sanya", "landed"), ("wenchang", "in_progress"), ("danzhou", "not_applicable")):
        AdoptionReport.objects.create(
            case=case_3,
            region=Region.objects.get(slug=slug),
            status=status,
            started_on=date(2024, 1, 2) if status != "not_applicable" else None,
            completed_on=date(2024, 2, 1) if status == "landed" else None,
            not_applicable_reason="无此业务" if status == "not_applicable" else "",
        )
    sanya = AdoptionReport.objects.get(case=case_3, region__slug="sanya")
    AdoptionResult.objects.create(report=sanya, label="注销办理时间", value=3, unit="天", baseline_value=20)
    approved_plan(world)  # case 4-1: start by 2024-03-01, land by 2024-06-30: every region is overdue today
    response, bulletin = generate(world)
    assert response.status_code == 302
    c = bulletin.content
    cases = list(Case.objects.published().filter(batch=4).order_by("number"))
    regions = list(Region.objects.all())
    reports = {(r.case_id, r.region_id): r.status for r in AdoptionReport.objects.filter(region__isnull=False)}
    totals, per_case = oracle(reports, cases, regions)
    assert c["totals"] == {
        status: totals[status] for status in ("landed", "in_progress", "not_started", "not_applicable")
    }
    for row in c["per_case"]:
        assert {k: row[k] for k in per_case[row["code"]]} == dict(per_case[row["code"]])
    standings, average = stats.rankings(Case.objects.published().filter(batch=4), regions)
    assert c["average"] == str(average)
    assert [(s["region"], s["rank"], s["rate"], s["tier"], s["on_time_rate"]) for s in c["standings"]] == [
        (s.region.name, s.rank, str(s.rate) if s.reports else None, s.tier, str(s.on_time_rate) if s.judged else None)
        for s in standings
    ]
    overdue = supervision.overdue_cells(supervision.Q(), None)
    assert len(c["overdue"]) == len(overdue) == len(regions)
    assert Counter(o["kind"] for o in c["overdue"]) == {
        "逾期未启动": len(regions) - 1,
        "逾期未落地": 1,
    }  # Haikou started
    assert {o["region"] for o in c["overdue"]} == {o.cell.region.name for o in overdue}
    in_order = [r.name for r in regions if r.slug != "haikou"] + [
        "海口市"
    ]  # most days first, then the province's order
    assert [o["region"] for o in c["overdue"]] == in_order
    matrix = Client().get("/adoption/?batch=4").content.decode()
    assert f"{per_case['4-3']['landed']}/{len(regions)}" in matrix
    page = signed_in(world, "haikou").get(f"/adoption/bulletins/{bulletin.pk}/").content.decode()
    assert "三亚市：注销办理时间 3天（推广前 20天）" in page
    assert "已落地 <strong>1</strong> 项" in page


def test_a_bulletin_for_an_earlier_date_counts_the_reports_as_they_stood_then(world):
    case_2 = Case.objects.get(batch=4, number=2)
    with time_machine.travel(datetime(2024, 3, 10, 9), tick=False):
        report = AdoptionReport.objects.create(
            case=case_2, region=Region.objects.get(slug="sanya"), status="in_progress", started_on=date(2024, 3, 1)
        )
    with time_machine.travel(datetime(2024, 5, 10, 9), tick=False):
        report.status, report.completed_on = "landed", date(2024, 5, 1)
        report.save()
    _, before = generate(world, as_of="2024-04-01")
    _, after = generate(world, as_of="2024-05-10")
    row = {p["code"]: p for p in before.content["per_case"]}["4-2"]
    assert (row["landed"], row["in_progress"]) == (0, 1)
    row = {p["code"]: p for p in after.content["per_case"]}["4-2"]
    assert (row["landed"], row["in_progress"]) == (1, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"as_of": "2023-10-01"}, "尚无任何市县填报推广落实情况"),  # the world's reports were made today
        ({"as_of": "2099-01-01"}, "统计截至日期不能晚于今天。"),
        ({"as_of": "2023-01-01"}, "不能早于本批通知的成文日期（2023-09-19）"),
        ({"as_of": "2024-02-30"}, "请按 年-月-日 填写日期。"),
        ({"as_of": "2024-01-02\x00"}, "请按 年-月-日 填写日期。"),
        ({"notice": "999999"}, "所选批次不存在或尚未发布。"),
        ({"notice": "%27 or 1=1"}, "所选批次不存在或尚未发布。"),
        ({"number": "x" * 61}, "文号最多 60 个字。"),
        ({"closing": "x" * 5001}, "结语最多 5000 字。"),
    ],
)
def test_bad_bulletin_requests_are_refused_in_chinese_and_keep_nothing(world, data, message):
    response, bulletin = generate(world, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert bulletin is None


def test_the_word_document_holds_the_bulletin_and_is_named_in_chinese(world):
    approved_plan(world)
    _, bulletin = generate(world, number="琼营商办〔2024〕12号")
    response = signed_in(world, "yibao").get(f"/adoption/bulletins/{bulletin.pk}/document.docx")
    assert response.status_code == 200
    assert "filename*=utf-8''%E5%85%B3%E4%BA%8E" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "琼营商办〔2024〕12号"
    assert texts[1] == "关于第四批优化营商环境示范案例推广落实情况的通报"
    assert "请抓紧落实。" in texts
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm), round(section.top_margin.mm)) == (210, 297, 37)
    tables = document.tables
    cases_table = [[cell.text for cell in row.cells] for row in tables[0].rows]
    assert cases_table[0] == ["案例", "已落地", "推进中", "未启动", "不适用"]
    for row, kept in zip(cases_table[1:], bulletin.content["per_case"], strict=True):
        assert row == [
            f"{kept['code']} {kept['title']}",
            *(str(kept[k]) for k in ("landed", "in_progress", "not_started", "not_applicable")),
        ]
    overdue = [[cell.text for cell in row.cells] for row in tables[2].rows]
    assert len(overdue) - 1 == len(bulletin.content["overdue"]) == Region.objects.count()


def test_a_kept_bulletin_does_not_move_with_the_data_and_says_who_made_it(world):
    _, bulletin = generate(world)
    kept = bulletin.content
    AdoptionReport.objects.filter(pk=world["haikou"].pk).update(status="landed", completed_on=date(2024, 5, 1))
    assert Bulletin.objects.get(pk=bulletin.pk).content == kept
    page = signed_in(world, "office").get(f"/adoption/bulletins/{bulletin.pk}/").content.decode()
    assert "省营商环境建设办公室 office 生成于" in page
    listing = signed_in(world, "ledong").get("/adoption/bulletins/").content.decode()
    assert kept["title"] in listing
    assert "生成通报" not in listing  # only the office generates


@pytest.mark.parametrize(
    ("who", "read", "generate_status"),
    [("anonymous", 302, 302), ("plain", 403, 403), ("editor", 403, 403), ("haikou", 200, 403), ("yibao", 200, 403)],
)
def test_who_reads_and_who_generates_bulletins(world, client, who, read, generate_status):
    _, bulletin = generate(world)
    if who != "anonymous":
        client.force_login(world["users"][who])
    assert client.get("/adoption/bulletins/").status_code == read
    assert client.get(f"/adoption/bulletins/{bulletin.pk}/").status_code == read
    assert client.get(f"/adoption/bulletins/{bulletin.pk}/document.docx").status_code == read
    form = {"notice": Notice.objects.get(batch=4).pk, "as_of": date.today().isoformat()}
    assert client.post("/adoption/bulletins/", form).status_code == generate_status
    assert Bulletin.objects.count() == 1


def test_the_document_carries_the_map_as_a_picture_coloured_as_the_web_map(world):
    from PIL import Image

    _, bulletin = generate(world)
    response = signed_in(world, "office").get(f"/adoption/bulletins/{bulletin.pk}/document.docx")
    document = docx.Document(io.BytesIO(response.content))
    pictures = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(pictures) == 1
    image = Image.open(io.BytesIO(pictures[0].blob)).convert("RGB")
    colours = Counter(image.get_flattened_data())
    assert colours[(0xF6, 0xC3, 0x44)] > 500  # Haikou: 推进中 (one case under way, none landed)
    assert colours[(0x7C, 0xC4, 0x7F)] == 0  # nothing has landed anywhere
    caption = next(p.text for p in document.paragraphs if p.text.startswith("截至"))
    assert "推进中 1 个" in caption
    assert "未启动 18 个" in caption
    page = signed_in(world, "office").get(f"/adoption/bulletins/{bulletin.pk}/").content.decode()
    assert 'aria-label="海口市：推进中（8 个案例中已落地 0 个，推进中 1 个）"' in page
