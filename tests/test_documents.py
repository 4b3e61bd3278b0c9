"""Word documents officials take to the office: a case, a comparison, the list, Annex 2; QR codes; file names.

Verbatim is checked against the notice's own text file (SOURCE_TEXT_PATH),
not against the database: the paragraphs of each case in its document are
the source's paragraphs of that case, in order, character for character.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import datetime
from urllib.parse import quote, unquote

import docx
import pytest
import time_machine
import zxingcpp
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from PIL import Image

from cases import case_documents, roles
from cases.models import Case, Metric, Responsibility, Section
from cases.notices.fidelity import source_paragraphs
from tests.factories import make_agency, make_case, make_notice

pytestmark = pytest.mark.django_db

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PORTAL = "https://yingshang.example.gov.cn"


@pytest.fixture(autouse=True)
def public_address(settings):
    """QR codes lead to the portal's public address, not to the host a request named."""
    settings.PORTAL_URL = PORTAL


def opened(response) -> docx.document.Document:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == WORD
    return docx.Document(io.BytesIO(response.content))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def qr_codes(document) -> list[str]:
    """What every QR code pictured in the document says (decoded from its pixels by zxing-cpp)."""
    found = []
    for relation in document.part.rels.values():
        if "image" in relation.reltype:
            image = Image.open(io.BytesIO(relation.target_part.blob))
            found += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    return found


def source_cases(source_text: str) -> dict[int, list[str]]:
    """Each case's paragraphs in the notice's text: from its 编号行 up to the next case's (or the annex image)."""
    paragraphs = source_paragraphs(source_text)
    starts = [i for i, p in enumerate(paragraphs) if re.fullmatch(r"优化营商环境示范案例\d+", p)]
    ends = [*starts[1:], next(i for i, p in enumerate(paragraphs) if p == "image.png")]
    return {n: paragraphs[start:end] for n, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)}


@pytest.mark.parametrize("number", range(1, 9))
def test_a_case_document_holds_the_notice_text_of_the_case_word_for_word(client, seed, source_text, number):
    document = opened(client.get(f"/cases/4/{number}/document.docx"))
    expected = source_cases(source_text)[number]
    assert len(expected) > 10
    assert texts(document)[: len(expected)] == expected
    # What follows is the portal's and says so.
    assert texts(document)[len(expected)] == case_documents.PORTAL_PART


@pytest.mark.parametrize("number", range(1, 9))
def test_a_case_document_has_its_figures_units_its_source_and_a_qr_code_of_its_page(client, seed, source_text, number):
    case = Case.objects.get(batch=4, number=number)
    document = opened(client.get(f"/cases/4/{number}/document.docx"))
    metrics = list(Metric.objects.filter(case=case).order_by("position"))
    assert metrics
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["指标", "数值", "单位", "前→后", "原文出处"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [row[1] for row in rows] == [m.printed for m in metrics]
    assert [row[2] for row in rows] == [m.unit or "—" for m in metrics]
    assert [row[4] for row in rows] == [m.source_text for m in metrics]
    for metric, row in zip(metrics, rows, strict=True):
        assert metric.source_text in source_text  # the sentence is the notice's
        assert metric.printed in row[4]
        if metric.has_baseline:
            assert row[3].startswith(f"{metric.baseline_printed}→{metric.printed}")
    body = texts(document)
    responsible = [f"{r.agency.name}（{r.get_role_display()}）" for r in case.responsibilities.order_by("position")]
    assert all(any(line.startswith(name) for line in body) for name in responsible)
    assert any("推断，待核对" in line for line in body)
    assert any(line.startswith("附件2《推广第四批优化营商环境示范案例责任分工表》以图片印发") for line in body)
    today = timezone.localdate()
    assert f"推广落实情况（截至{today.year}年{today.month}月{today.day}日）" in body
    assert (
        "关于推广第四批优化营商环境示范案例的通知（中共海南省委优化营商环境领导小组办公室，2023年9月19日印发）" in body
    )
    assert f"本案例网页：{PORTAL}/cases/4/{number}/" in body
    assert qr_codes(document) == [f"{PORTAL}/cases/4/{number}/"]


def test_a_case_document_is_laid_out_as_an_official_document(client, seed):
    document = opened(client.get("/cases/4/3/document.docx"))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [
        37,
        35,
        28,
        26,
    ]
    title = next(p for p in document.paragraphs if p.text == Case.objects.get(batch=4, number=3).title)
    assert title.runs[0].font.size.pt == 22
    fonts = title.runs[0]._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    measure = next(p for p in document.paragraphs if p.text.startswith("(一)"))
    assert measure.runs[0].font.size.pt == 16
    assert measure.paragraph_format.first_line_indent.pt == 32
    footer = section.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer  # page numbers: a field Word and LibreOffice fill in
    assert document.core_properties.language == "zh-CN"


def test_the_case_page_links_its_document_beside_the_print_button(client, seed):
    html = client.get("/cases/4/1/").content.decode()
    assert 'href="/cases/4/1/document.docx"' in html
    assert html.index("打印本案例") < html.index("/cases/4/1/document.docx")


def test_the_printed_case_page_carries_a_qr_code_of_its_public_address(client, seed):
    html = client.get("/cases/4/1/").content.decode()
    footer = html[html.index('class="print-only print-footer"') :]
    assert f"本页网址：{PORTAL}/cases/4/1/" in footer
    assert f'aria-label="本案例网页的二维码：{PORTAL}/cases/4/1/"' in footer
    assert "<svg" in footer
    assert 'class="qr"' in footer


def test_a_case_document_names_its_file_by_number_and_title_for_every_browser(client, seed):
    response = client.get("/cases/4/1/document.docx")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=utf-8''{quote('4-1 推进“三医联动一张网”改革.docx')}" in disposition


def test_every_download_is_named_in_chinese_with_rfc_6266(client, seed):
    urls = [
        "/cases/download.xlsx?batch=4",
        "/cases/download.csv",
        "/cases/metrics.xlsx",
        "/cases/download.docx?batch=4",
        "/cases/4/2/document.docx",
        "/cases/compare/document.docx?cases=4-1,4-3",
        "/agencies/download.csv",
        "/responsibilities/download.xlsx",
        "/responsibilities/download.docx",
        "/adoption/matrix.csv?batch=4",
    ]
    for url in urls:
        response = client.get(url)
        response.getvalue()  # read to the end, which closes a streamed download's temporary file
        assert response.status_code == 200, url
        disposition = response["Content-Disposition"]
        match = re.search(r"filename\*=utf-8''([^;]+)", disposition)
        assert match, (url, disposition)
        name = unquote(match[1])
        assert re.search(r"[\u4e00-\u9fff]", name), (url, name)
        assert not re.search(r'[\\/:*?"<>|]', name), (url, name)


def test_an_admin_export_is_named_in_chinese_for_an_editor_too(client, seed):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.EDITOR)])
    client.force_login(user)
    fields = {"metricresource_label": "on", "metricresource_printed": "on"}
    response = client.post("/admin/cases/metric/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    name = f"数据指标-{timezone.localdate().isoformat()}.xlsx"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]


def test_the_comparison_downloads_as_one_document_with_a_contents_list(client, seed, source_text):
    html = client.get("/cases/compare/?cases=4-1,4-3").content.decode()
    assert 'href="/cases/compare/document.docx?cases=4-1%2C4-3"' in html
    document = opened(client.get("/cases/compare/document.docx?cases=4-3,4-1"))
    body = texts(document)
    first, third = (Case.objects.get(batch=4, number=n) for n in (1, 3))
    assert body[0] == "示范案例比较：4-3、4-1"
    assert body[body.index("目录") + 1 : body.index("目录") + 3] == [
        f"1. 第四批案例3 {third.title}",
        f"2. 第四批案例1 {first.title}",
    ]
    cases = source_cases(source_text)
    for number in (3, 1):
        start = body.index(f"优化营商环境示范案例{number}")
        assert body[start : start + len(cases[number])] == cases[number]
    assert body.index("优化营商环境示范案例3") < body.index("优化营商环境示范案例1")
    assert qr_codes(document) == [f"{PORTAL}/cases/4/3/", f"{PORTAL}/cases/4/1/"]


def test_the_printed_comparison_carries_a_qr_code_of_its_address(client, seed):
    html = client.get("/cases/compare/?cases=4-1,4-3").content.decode()
    assert f"本页网址：{PORTAL}/cases/compare/?cases=4-1,4-3" in html
    assert 'class="qr"' in html


def test_a_comparison_document_of_nothing_is_a_clear_400(client, seed):
    response = client.get("/cases/compare/document.docx?cases=9-9,abc")
    assert response.status_code == 400
    assert "没有找到要比较的案例" in response.content.decode()


def test_the_list_downloads_as_one_document_in_its_order_up_to_a_stated_limit(client, seed, settings):
    settings.DOCUMENT_MAX_CASES = 3
    html = client.get("/cases/?q=注销").content.decode()
    order = re.findall(r'<h3><a href="/cases/4/(\d+)/">', html)
    assert 1 <= len(order) <= 3
    assert "/cases/download.docx?q=" in html
    assert "一份最多 3 个案例" in html
    document = opened(client.get("/cases/download.docx?q=注销"))
    labels = [t for t in texts(document) if re.fullmatch(r"优化营商环境示范案例\d+", t)]
    assert labels == [f"优化营商环境示范案例{number}" for number in order]
    # Over the limit: the page says so instead of linking, and the URL answers in Chinese.
    html = client.get("/cases/?batch=4").content.decode()
    assert "Word 文档一份最多 3 个案例，请先筛选或检索" in html
    response = client.get("/cases/download.docx?batch=4")
    assert response.status_code == 400
    assert "符合条件的有 8 个案例，一份 Word 文档最多收 3 个" in response.content.decode()


def test_the_responsibility_table_downloads_as_a_word_table_with_its_marks_explained(client, seed):
    document = opened(client.get("/responsibilities/download.docx"))
    body = texts(document)
    assert body[:2] == ["附件2", "推广第四批优化营商环境示范案例责任分工表"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "案例", "责任单位", "角色", "来源"]
    rows = list(Responsibility.objects.for_table())
    assert [[c.text for c in row.cells][1:] for row in table.rows[1:]] == [
        [f"案例{r.case.number} {r.case.title}", r.agency.name, r.get_role_display(), "推断，待核对"] for r in rows
    ]
    assert any(line.startswith("附件2《推广第四批优化营商环境示范案例责任分工表》以图片印发") for line in body)
    assert qr_codes(document) == [f"{PORTAL}/responsibilities/"]
    # The page's filter holds for the document too, and a checked row loses its mark.
    row = Responsibility.objects.filter(case__number=2).first()
    row.reconstructed = False
    row.save()
    document = opened(client.get(f"/responsibilities/download.docx?case=4-2&agency={row.agency.slug}"))
    assert [[c.text for c in r.cells][2:] for r in document.tables[0].rows[1:]] == [
        [row.agency.name, row.get_role_display(), "原件"]
    ]
    assert not any("以图片印发" in line for line in texts(document))
    html = client.get("/responsibilities/").content.decode()
    assert 'href="/responsibilities/download.docx"' in html


@pytest.mark.parametrize("role", [roles.EDITOR, roles.PUBLISHER])
def test_a_draft_document_is_only_for_those_who_may_preview_drafts(client, seed, role):
    case = Case.objects.get(batch=4, number=5)
    case.status = Case.Status.DRAFT
    case.save()
    assert client.get("/cases/4/5/document.docx").status_code == 404
    user = User.objects.create_user("staff", is_staff=True)
    user.groups.set([Group.objects.get(name=role)])
    client.force_login(user)
    response = client.get("/cases/4/5/document.docx")
    document = opened(response)
    assert texts(document)[0] == "草稿：本案例尚未发布，内容可能更改。"
    assert "private" in response["Cache-Control"]
    official = Client()
    official.force_login(User.objects.create_user("official"))
    assert official.get("/cases/4/5/document.docx").status_code == 404


def test_documents_are_cached_per_catalog_version(
    client, seed, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    first = client.get("/cases/4/1/document.docx")
    with django_assert_max_num_queries(6) as queries:  # versions and the rate count, never the case
        again = client.get("/cases/4/1/document.docx")
    assert not [q["sql"] for q in queries.captured_queries if "cases_section" in q["sql"] or "cases_case" in q["sql"]]
    assert again.content == first.content
    case = Case.objects.get(batch=4, number=1)
    section = case.sections.get(kind=Section.Kind.MEASURE, position=1)
    section.body = section.body + "（编辑更正）"
    with django_capture_on_commit_callbacks(execute=True):  # as the end of the editor's request would
        section.save()
    changed = opened(client.get("/cases/4/1/document.docx"))
    assert any(t.endswith("（编辑更正）") for t in texts(changed))


def test_documents_are_rate_limited_like_the_other_downloads(client, seed, settings):
    settings.DOWNLOADS_PER_MINUTE = 2
    assert client.get("/cases/4/1/document.docx").status_code == 200
    assert client.get("/cases/4/2/document.docx").status_code == 200
    refused = client.get("/cases/4/3/document.docx")
    assert refused.status_code == 429
    assert "下载过于频繁" in refused.content.decode()


def unusual_case(repeat: int = 20000) -> Case:
    """Characters outside the BMP, control characters, long text (6 × ``repeat`` characters), no heading, no unit."""
    case = make_case(make_notice(9), 1, agencies=[make_agency("测试单位", "test-unit")], items=1)
    case.title = "生僻字𠀀𪚥与表情😀的案例"
    # Control characters a Word file cannot hold (PostgreSQL stores no NUL at all).
    case.intro = "导语\x01含控制字符\x0b。\n" + "很长的导语。" * repeat
    case.save()
    case.sections.create(kind=Section.Kind.MEASURE, position=9, label="(九)", heading="", body="无标题的段落")
    case.metrics.create(position=9, label="无单位的数", value=3, unit="", printed="3", source_text="导语")
    return case


def test_unusual_content_still_gives_a_valid_document(client, db):
    case = unusual_case()
    response = client.get(f"/cases/9/{case.number}/document.docx")
    document = opened(response)
    body = texts(document)
    assert "生僻字𠀀𪚥与表情😀的案例" in body
    assert "导语含控制字符。" in body
    assert "(九)无标题的段落" in body
    assert ["无单位的数", "3", "—", "—", "导语"] in [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert "案例" in unquote(response["Content-Disposition"])


def test_a_document_that_cannot_be_produced_is_a_clear_page_not_a_500(client, seed, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("python-docx refused")

    monkeypatch.setattr(case_documents, "one_case", broken)
    response = client.get("/cases/4/1/document.docx")
    assert response.status_code == 503
    html = response.content.decode()
    assert "这份 Word 文档暂时无法生成" in html
    # Not kept: the next reader gets the document once it can be made.
    monkeypatch.undo()
    assert client.get("/cases/4/1/document.docx").status_code == 200


def test_a_document_states_the_day_it_was_taken(client, seed):
    opened(client.get("/cases/4/1/document.docx"))  # kept for today
    with time_machine.travel(datetime(2027, 3, 8, 9), tick=False):
        document = opened(client.get("/cases/4/1/document.docx"))
    assert "推广落实情况（截至2027年3月8日）" in texts(document)


# -- LibreOffice ------------------------------------------------------------------

SOFFICE = shutil.which("soffice")


def test_every_document_opens_in_libreoffice(client, seed, tmp_path):
    """Each seed case, the comparison, the list and Annex 2 convert to PDF in LibreOffice with their text.

    Without LibreOffice the test is skipped; CI installs it and sets
    REQUIRE_LIBREOFFICE=1, which makes its absence a failure.
    """
    if SOFFICE is None or shutil.which("pdftotext") is None:
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("REQUIRE_LIBREOFFICE=1 but soffice or pdftotext is not installed")
        pytest.skip("LibreOffice (soffice) and poppler-utils (pdftotext) are not installed")
    expected = {}
    for case in Case.objects.filter(batch=4):
        expected[f"case-{case.number}"] = (f"/cases/4/{case.number}/document.docx", [case.title, case.label])
    first, third = Case.objects.get(batch=4, number=1), Case.objects.get(batch=4, number=3)
    expected["compare"] = ("/cases/compare/document.docx?cases=4-1,4-3", ["目录", first.title, third.title])
    expected["list"] = ("/cases/download.docx?q=注销", ["优化营商环境示范案例汇编"])
    unusual = unusual_case(repeat=1000)  # a hundred-page document would only cost LibreOffice time
    expected["unusual"] = (f"/cases/9/{unusual.number}/document.docx", ["生僻字", "无标题的段落"])
    expected["annex"] = (
        "/responsibilities/download.docx",
        ["推广第四批优化营商环境示范案例责任分工表", "推断，待核对"],
    )
    for stem, (url, _) in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        (tmp_path / f"{stem}.docx").write_bytes(response.content)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [str(tmp_path / f"{stem}.docx") for stem in expected],
        check=True,
        capture_output=True,
        timeout=240,
    )
    for stem, (_, words) in expected.items():
        pdf = tmp_path / f"{stem}.pdf"
        assert pdf.exists(), f"LibreOffice did not convert {stem}"
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        flat = re.sub(r"\s+", "", text)
        for word in words:
            assert re.sub(r"\s+", "", word) in flat, (stem, word)
        assert "—1—" in flat  # the page number field, filled in


@pytest.mark.parametrize(
    ("url", "dated"),
    [
        ("/cases/download.docx?batch=4", "推广落实情况（截至{}）"),
        ("/cases/compare/document.docx?cases=4-1,4-3", "推广落实情况（截至{}）"),
        ("/cases/4/1/document.docx", "推广落实情况（截至{}）"),
        ("/responsibilities/download.docx", "本表下载于{}。"),
    ],
)
def test_every_document_that_states_a_day_is_not_served_from_an_earlier_day(client, seed, url, dated):
    """Kept today, asked for again five minutes after midnight (well within the cache's 24 hours)."""
    from datetime import time, timedelta

    from cases.documents import chinese_date

    opened(client.get(url))
    tomorrow = timezone.localdate() + timedelta(days=1)
    with time_machine.travel(timezone.make_aware(datetime.combine(tomorrow, time(0, 5))), tick=False):
        body = texts(opened(client.get(url)))
    assert any(dated.format(chinese_date(tomorrow)) in line for line in body), url


def test_the_list_document_follows_the_tracker(client, seed, django_capture_on_commit_callbacks):
    """A report changes where a case has landed: the list's document, cached per version, says so at once."""
    from cases.models import Region
    from cases.tracker.models import AdoptionReport

    before = texts(opened(client.get("/cases/download.docx?batch=4")))
    with django_capture_on_commit_callbacks(execute=True):
        AdoptionReport.objects.create(
            case=Case.objects.get(batch=4, number=8),
            region=Region.objects.get(slug="haikou"),
            status=AdoptionReport.Status.LANDED,
        )
    after = texts(opened(client.get("/cases/download.docx?batch=4")))
    assert after != before
    assert any("已落地：海口市" in line for line in after)
