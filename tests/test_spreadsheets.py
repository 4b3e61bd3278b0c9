"""Spreadsheets: public downloads that respect the filters, admin export, and XLSX import with a preview."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import roles
from cases.models import Agency, Case, Metric, Responsibility
from cases.spreadsheets import ResponsibilityResource
from tests.forms import form_data
from tests.workbooks import XLSX, csv_rows, exported_metric_rows, workbook, xlsx_rows

pytestmark = pytest.mark.django_db


def page_codes(client, query: str) -> list[str]:
    return [f"{r['batch']}-{r['number']}" for r in client.get(f"/api/cases/?{query}").json()["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "theme=getting-credit",
        "q=注销",
        "kind=court&kind=central_agency",
        "q=公积金 不动产&sort=number",
        "theme=nope&page=abc",
    ],
)
def test_case_downloads_hold_what_the_list_shows_in_its_order(client, seed, query):
    expected = page_codes(client, query.replace("theme=nope&page=abc", ""))
    xlsx = client.get(f"/cases/download.xlsx?{query}")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == XLSX
    assert "attachment" in xlsx["Content-Disposition"]
    assert ".xlsx" in xlsx["Content-Disposition"]
    rows = xlsx_rows(xlsx.content)
    assert rows[0][:3] == ["案例编号", "批次", "标题"]
    assert [r[0] for r in rows[1:]] == expected
    csv_response = client.get(f"/cases/download.csv?{query}")
    assert [r[0] for r in csv_rows(csv_response.content)[1:]] == expected


def test_a_downloaded_case_row_says_what_the_page_says(client, seed):
    rows = xlsx_rows(client.get("/cases/download.xlsx?q=医保").content)
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    case = Case.objects.get(batch=4, number=int(row["案例编号"].split("-")[1]))
    assert row["标题"] == case.title
    assert row["导语"] == case.intro
    assert row["状态"] == "已发布"
    assert row["申报单位"] == "、".join(link.agency.name for link in case.case_agencies.order_by("position"))
    assert row["网址"] == f"http://testserver{case.get_absolute_url()}"


def test_metric_downloads_follow_the_filtered_cases(client, seed):
    rows = csv_rows(client.get("/cases/metrics.csv?theme=getting-credit").content)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["案例编号", "案例标题", "排序", "指标", "原文写法", "数值"]
    codes = page_codes(client, "theme=getting-credit")
    expected = Metric.objects.filter(case__themes__slug="getting-credit").count()
    assert len(body) == expected
    assert {r[0] for r in body} <= set(codes)
    source = header.index("出处句子")
    assert all(r[4] in r[source] and Decimal(r[5]) > 0 for r in body)


def test_the_responsibility_download_respects_its_filter(client, seed):
    rows = xlsx_rows(client.get("/responsibilities/download.xlsx?agency=haikou-customs").content)
    assert rows[0] == ["案例编号", "案例标题", "责任单位", "角色", "排序", "推断所得", "备注"]
    assert [r[2] for r in rows[1:]] == ["海口海关"]
    assert rows[1][5] == "是"
    everything = xlsx_rows(client.get("/responsibilities/download.xlsx?agency=nope").content)
    assert len(everything) - 1 == Responsibility.objects.count()


def test_the_agency_download(client, seed):
    rows = csv_rows(client.get("/agencies/download.csv").content)
    assert rows[0] == ["全称", "简称", "类别", "层级", "所在市县", "申报案例数"]
    assert len(rows) - 1 == Agency.objects.count()
    customs = next(r for r in rows if r[0] == "海口海关")
    assert customs[2] == "中央驻琼单位"
    assert customs[5] == "1"


def test_too_large_a_download_is_refused_in_chinese(client, seed, settings):
    settings.DOWNLOAD_MAX_ROWS = 3
    response = client.get("/cases/download.xlsx")
    assert response.status_code == 400
    assert "超过一次下载的上限 3 条" in response.content.decode()


def test_an_unknown_format_is_a_404(client, seed):
    assert client.get("/cases/download.pdf").status_code == 404


# -- admin ----------------------------------------------------------------------


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.EDITOR)])
    client.force_login(user)
    return user


def test_admin_export_action_gives_an_xlsx_of_the_selected_cases(client, editor, seed):
    selected = list(Case.objects.filter(number__in=[2, 5]).values_list("pk", flat=True))
    form_page = client.post("/admin/cases/case/", {"action": "export_admin_action", "_selected_action": selected})
    assert form_page.status_code == 200
    html = form_page.content.decode()
    data = _export_form(html)
    data["format"] = ["0"]  # XLSX, the first of settings.EXPORT_FORMATS
    response = client.post("/admin/cases/case/export/", data)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert sorted(r[0] for r in xlsx_rows(response.content)[1:]) == ["4-2", "4-5"]


def _export_form(html: str) -> dict:
    return form_data(html, action="/export/")


def import_metrics(client, content: bytes):
    upload = SimpleUploadedFile("指标.xlsx", content, content_type=XLSX)
    return client.post("/admin/cases/metric/import/", {"import_file": upload, "format": "0", "resource": "0"})


def test_importing_metrics_from_xlsx_previews_then_writes(client, editor, seed):
    rows = exported_metric_rows()
    header = rows[0]
    label_col = header.index("指标")
    target = next(r for r in rows[1:] if r[4] == "1.04个小时")
    target[label_col] = "整个通关流程用时（更正说明）"
    preview = import_metrics(client, workbook([header, target]))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "（更正说明）</ins>" in page
    assert "更新" in page
    metric = Metric.objects.get(printed="1.04个小时")
    assert metric.label != "整个通关流程用时（更正说明）"  # the preview wrote nothing
    confirm = form_data(page, action="process_import")
    done = client.post("/admin/cases/metric/process_import/", confirm)
    assert done.status_code == 302
    metric.refresh_from_db()
    assert metric.label == "整个通关流程用时（更正说明）"
    assert metric.value == Decimal("1.04")
    assert metric.history.first().history_user == editor


def test_a_non_numeric_value_is_reported_by_row_and_nothing_is_written(client, editor, seed):
    rows = exported_metric_rows()
    header = rows[0]
    value_col, label_col = header.index("数值"), header.index("指标")
    good, bad = rows[1], rows[2]
    good[label_col] = "改了的说明"
    bad[value_col] = "七天"
    before = list(Metric.objects.order_by("pk").values_list("label", "value"))
    page = import_metrics(client, workbook([header, good, bad])).content.decode()
    assert "“七天”不是数字" in page
    assert re.search(r"行号.{0,40}2|2.{0,40}行", page) or "第 2 行" in page or "Line number: 2" in page
    assert "process_import" not in page  # no confirm button
    assert list(Metric.objects.order_by("pk").values_list("label", "value")) == before


def test_a_metric_row_whose_figure_is_not_in_its_sentence_is_refused(client, editor, seed):
    rows = exported_metric_rows()
    header = rows[0]
    row = rows[1]
    row[header.index("原文写法")] = "999个"
    page = import_metrics(client, workbook([header, row])).content.decode()
    assert "不在出处句子中" in page
    assert not Metric.objects.filter(printed="999个").exists()


def test_importing_responsibilities_confirms_a_reconstructed_row(client, editor, seed):
    rows = xlsx_rows(ResponsibilityResource().export().xlsx)
    header = rows[0]
    row = next(r for r in rows[1:] if r[2] == "海口海关")
    row[header.index("推断所得")] = "否"
    row[header.index("备注")] = "已核对附件2原件"
    row[header.index("责任单位")] = "海口海关"
    page = client.post(
        "/admin/cases/responsibility/import/",
        {
            "import_file": SimpleUploadedFile("责任.xlsx", workbook([header, row]), content_type=XLSX),
            "format": "0",
            "resource": "0",
        },
    ).content.decode()
    confirm = form_data(page, action="process_import")
    assert client.post("/admin/cases/responsibility/process_import/", confirm).status_code == 302
    responsibility = Responsibility.objects.get(agency__slug="haikou-customs")
    assert not responsibility.reconstructed
    assert responsibility.note == "已核对附件2原件"


def test_an_unknown_agency_in_a_responsibility_row_is_reported(client, editor, seed):
    rows = xlsx_rows(ResponsibilityResource().export().xlsx)
    rows[1][2] = "不存在的单位"
    page = client.post(
        "/admin/cases/responsibility/import/",
        {
            "import_file": SimpleUploadedFile("责任.xlsx", workbook(rows[:2]), content_type=XLSX),
            "format": "0",
            "resource": "0",
        },
    ).content.decode()
    assert "没有名为“不存在的单位”的单位" in page
