"""Any real notice imports: variants of the fourth batch's notice, generated here, in text, Word and HTML.

Each variant is the seed notice renamed to a fifth batch and changed the way
published notices differ: lead units with many kinds of names, titles and
subtitles on one line or two, numerals and brackets full-width or
half-width, 案例一 or 案例1, no blank lines, the annex list on one line, 4 or
12 cases, and the file as GB18030 text, a Word document or a saved web page.
For every one: the import succeeds, every paragraph is stored verbatim, and a
second import changes nothing.
"""

import html
import io
import re

import pytest

from cases.models import Agency, Case, Notice
from cases.notices.fidelity import source_paragraphs, stored_paragraphs
from cases.notices.importer import import_notice, read_notice
from tests.conftest import SOURCE_TEXT_PATH

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN = "一二三四五六七八九十"
NEW_UNITS = [
    "中国农业银行股份有限公司海南省分行",
    "海口农村商业银行股份有限公司美兰支行",
    "海南省农业科学院热带作物研究院",
    "海南天涯律师事务所",
    "海南省总商会",
    "海南省软件行业协会",
    "海南大学",
    "海南洋浦经济开发区",
]
UNCLASSIFIABLE = "三亚崖州湾科技城"  # no ending the rules know
SHORT_FORM = "海南农信社"  # a short form of 海南省农村信用社联合社 never seen before


def batch_5() -> str:
    return SOURCE_TEXT_PATH.read_text("utf-8").replace("第四批", "第五批").replace("2023年9月19日", "2024年3月1日")


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def case_bounds(lines: list[str]) -> list[tuple[int, int]]:
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*优化营商环境示范案例\d+\s*", line)]
    ends = starts[1:] + [next(i for i in range(len(lines) - 1, 0, -1) if lines[i].strip().endswith(".png"))]
    return list(zip(starts, ends, strict=True))


def header(lines: list[str], start: int) -> list[int]:
    """Indexes of the non-blank lines of a case from its label to its intro (exclusive)."""
    found = []
    for i in range(start, len(lines)):
        if lines[i].strip().startswith("一、"):
            break
        if lines[i].strip():
            found.append(i)
    return found[:-1]  # the last one is the intro


# -- the variants ---------------------------------------------------------------------------------


def renamed_agencies(text: str) -> str:
    lines = lines_of(text)
    bounds = case_bounds(lines)
    # Case 1 (title, subtitle, four agencies): the bank branch and three more new units.
    label, title, subtitle, *agencies = header(lines, bounds[0][0])
    for index, name in zip(agencies, NEW_UNITS[:4], strict=True):
        lines[index] = f"  {name}"
    # Case 2 (title, subtitle, three agencies): four more kinds of endings by replacing and adding.
    label, title, subtitle, *agencies = header(lines, bounds[1][0])
    lines[agencies[0]] = f"  {NEW_UNITS[4]}"
    lines[agencies[1]] = f"  {NEW_UNITS[5]}\n\n  {NEW_UNITS[6]}"
    lines[agencies[2]] = f"  {NEW_UNITS[7]}\n\n  {UNCLASSIFIABLE}"
    # Case 7's 海南省农村信用社联合社, printed by its short form seen for the first time.
    *_, last = header(lines, bounds[6][0])
    lines[last] = f"  {SHORT_FORM}"
    return "\n".join(lines)


def one_line_titles(text: str) -> str:
    lines = lines_of(text)
    bounds = case_bounds(lines)
    with_subtitles = [bounds[0], bounds[1], bounds[3]]
    for (start, _), separator in zip(with_subtitles, ["  ", "——", " "], strict=True):
        label, title, subtitle, *_ = header(lines, start)
        lines[title] = f"{lines[title]}{separator}{lines[subtitle].strip()}"
        lines[subtitle] = ""
    return "\n".join(lines)


def chinese_numerals(text: str) -> str:
    return re.sub(r"优化营商环境示范案例(\d+)", lambda m: f"案例{CN[int(m[1]) - 1]}", text)


def full_width(text: str) -> str:
    text = re.sub(r"优化营商环境示范案例(\d+)", lambda m: "优化营商环境示范案例" + m[1].translate(FULL_WIDTH), text)
    text = text.replace("2024年3月1日", "２０２４年３月１日").replace("(此件主动公开)", "（此件主动公开）")
    text = text.replace("附件:1.", "附件：１．").replace("  2.推广", "  ２．推广").replace("  附件1\n", "  附件１\n")
    return re.sub(r"^(\s*)\(([一二三四五六七八九十]+)\)", r"\1（\2）", text, flags=re.MULTILINE)


def no_blank_lines(text: str) -> str:
    return "\n".join(line for line in lines_of(text) if line.strip())


def annex_list_on_one_line(text: str) -> str:
    return text.replace("1.第五批优化营商环境示范案例\n\n  2.推广", "1.第五批优化营商环境示范案例　2.推广", 1)


def only_cases(text: str, keep: int) -> str:
    lines = lines_of(text)
    bounds = case_bounds(lines)
    return "\n".join(lines[: bounds[keep - 1][1]] + lines[bounds[-1][1] :])


def twelve_cases(text: str) -> str:
    lines = lines_of(text)
    bounds = case_bounds(lines)
    extra = []
    for offset, (start, end) in enumerate(bounds[:4], start=9):
        block = lines[start:end]
        block[0] = block[0].replace(re.search(r"\d+", block[0])[0], str(offset))
        extra += block
    return "\n".join(lines[: bounds[-1][1]] + extra + lines[bounds[-1][1] :])


def everything(text: str) -> str:
    for change in (renamed_agencies, one_line_titles, chinese_numerals, annex_list_on_one_line, no_blank_lines):
        text = change(text)
    return text


VARIANTS = {
    "renamed agencies": renamed_agencies,
    "titles on one line": one_line_titles,
    "案例一": chinese_numerals,
    "full-width numerals and brackets": full_width,
    "no blank lines": no_blank_lines,
    "annex list on one line": annex_list_on_one_line,
    "four cases": lambda t: only_cases(t, 4),
    "twelve cases": twelve_cases,
    "all at once": everything,
}


# -- the file formats -----------------------------------------------------------------------------


def as_docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    for line in text.split("\n"):
        if line.strip():
            document.add_paragraph(line.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_web_page(text: str) -> bytes:
    paragraphs = "\n".join(
        f'<p style="text-indent:2em">{html.escape(line.strip())}</p>' for line in text.split("\n") if line.strip()
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="gb2312"><title>关于推广第五批优化营商环境示范案例的通知_海南省人民政府网</title>
<script>var nav = "不是正文";</script><style>p {{ margin: 0 }}</style></head>
<body><div class="header"><a href="/">首页</a><a href="/zw/">政务公开</a></div>
<div class="crumbs">当前位置：首页 &gt; 政务公开 &gt; 通知公告</div>
<h1>关于推广第五批优化营商环境示范案例的通知</h1><div class="info">来源：省营商环境建设厅 发布时间：2024-03-05</div>
<div class="article">
{paragraphs}
</div>
<div class="footer"><p>主办：海南省人民政府办公厅</p><p>琼ICP备05000001号</p></div></body></html>"""
    return page.encode("gb18030")


FORMATS = {
    "text": lambda text: (text.encode("utf-8"), "通知.txt"),
    "gb18030": lambda text: (text.encode("gb18030"), "通知.txt"),
    "docx": lambda text: (as_docx(text), "通知.docx"),
    "html": lambda text: (as_web_page(text), "通知.html"),
}


def import_file(data: bytes, name: str, **kwargs):
    source = read_notice(data, name)
    return source, import_notice(source.text, source_name=name, web_page=source.web_page, **kwargs)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_imports_verbatim_and_a_second_import_changes_nothing(seed, variant):
    text = VARIANTS[variant](batch_5())
    source, report = import_file(text.encode("utf-8"), "通知.txt")
    notice = Notice.objects.get(batch=5)
    assert stored_paragraphs(notice) == source_paragraphs(text)
    labels = re.findall(r"案例(\d+|[一二三四五六七八九十]+)\s*$", text, re.MULTILINE)
    assert Case.objects.filter(batch=5).count() == report.cases == len(labels)
    _, again = import_file(text.encode("utf-8"), "通知.txt")
    assert again.changes == [], [str(c) for c in again.changes]


@pytest.mark.parametrize("file_format", FORMATS)
def test_every_format_imports_what_the_text_imports(seed, file_format):
    text = everything(batch_5())
    data, name = FORMATS[file_format](text)
    source, report = import_file(data, name)
    assert report.cases == 8
    stored = stored_paragraphs(Notice.objects.get(batch=5))
    assert stored == source_paragraphs(text)
    if file_format == "html":  # the site's navigation and footer were skipped, not refused
        assert "琼ICP备05000001号" in source.text
        assert "琼ICP备05000001号" not in stored
    _, again = import_file(data, name)
    assert again.changes == []


def test_new_units_are_imported_and_flagged_for_checking(seed):
    _, report = import_file(renamed_agencies(batch_5()).encode("utf-8"), "通知.txt", dry_run=True)
    lines = "\n".join(report.lines())
    for name in [*NEW_UNITS, UNCLASSIFIABLE, SHORT_FORM]:
        assert f"单位：{name}（待核对）" in lines, name
    assert "名称不像常见的单位名称" in lines.split(f"单位：{UNCLASSIFIABLE}（待核对）", 1)[1].split("新建", 1)[0]
    assert "可能是“海南省农村信用社联合社”的简称" in lines
    assert not Agency.objects.filter(name__in=NEW_UNITS).exists()  # a dry run writes nothing
    import_file(renamed_agencies(batch_5()).encode("utf-8"), "通知.txt")
    flagged = Agency.objects.filter(needs_review=True)
    assert set(flagged.values_list("name", flat=True)) == {*NEW_UNITS, UNCLASSIFIABLE, SHORT_FORM}
    bank = Agency.objects.get(name=NEW_UNITS[0])
    assert bank.kind == Agency.Kind.FINANCIAL_INSTITUTION
    assert Agency.objects.get(name=SHORT_FORM).suggested_match.name == "海南省农村信用社联合社"
    # Known agencies and aliases still resolve: the seed's agencies are reused, not duplicated.
    assert Agency.objects.filter(name="海南省医疗保障局").count() == 1
    case_2 = Case.objects.get(batch=5, number=2)
    assert [link.agency.name for link in case_2.case_agencies.order_by("position")] == NEW_UNITS[4:] + [UNCLASSIFIABLE]


def test_an_editor_merges_a_short_form_into_the_suggested_unit(client, seed, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group, User

    from cases import roles

    import_file(renamed_agencies(batch_5()).encode("utf-8"), "通知.txt")
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.EDITOR)])
    client.force_login(user)
    listing = client.get("/admin/cases/agency/?needs_review__exact=1").content.decode()
    assert SHORT_FORM in listing
    assert "可能是同一单位" in listing
    short = Agency.objects.get(name=SHORT_FORM)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/cases/agency/", {"action": "merge_into_suggested_action", "_selected_action": [short.pk]}
        )
    assert response.status_code == 302
    full = Agency.objects.get(name="海南省农村信用社联合社")
    assert SHORT_FORM in set(full.aliases.values_list("name", flat=True))
    assert Case.objects.get(batch=5, number=7).case_agencies.filter(agency=full).exists()


def test_a_doc_or_pdf_file_is_refused_with_what_to_do(seed):
    from cases.notices.importer import ImportFailed

    for data, name in [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "通知.doc"), (b"%PDF-1.4\n", "通知.pdf")]:
        with pytest.raises(ImportFailed, match="另存为 .docx"):
            read_notice(data, name)


@pytest.mark.parametrize(
    ("lines", "subtitle", "agencies", "uncertain"),
    [
        (
            ["打造住房公积金贷款不见面审批新模式", "海南省住房公积金管理局"],
            "打造住房公积金贷款不见面审批新模式",
            ["海南省住房公积金管理局"],
            [],
        ),
        (
            ["海南自贸港建设的生动实践", "海南省知识产权局", "海口海关"],
            "海南自贸港建设的生动实践",
            ["海南省知识产权局", "海口海关"],
            [],
        ),
        (["中国农业银行股份有限公司海南省分行"], "", ["中国农业银行股份有限公司海南省分行"], []),
        (["三亚崖州湾科技城"], "", ["三亚崖州湾科技城"], ["三亚崖州湾科技城"]),
        (
            ["建立“一镇一法治服务中心”", "乐东黎族自治县人民法院"],
            "建立“一镇一法治服务中心”",
            ["乐东黎族自治县人民法院"],
            [],
        ),
        (
            ["海南省卫生健康委员会", "海南大学", "三亚崖州湾科技城管理局"],
            "",
            ["海南省卫生健康委员会", "海南大学", "三亚崖州湾科技城管理局"],
            [],
        ),
    ],
)
def test_the_lines_between_title_and_intro_are_a_subtitle_and_lead_agencies(lines, subtitle, agencies, uncertain):
    from cases.notices.text import parse_notice

    text = batch_5()
    bounds = case_bounds(lines_of(text))
    source = lines_of(text)
    label, title, *_ = header(source, bounds[2][0])  # case 3: a title and one agency line
    intro = header(source, bounds[2][0])[-1] + 1
    while not source[intro].strip():
        intro += 1
    rebuilt = source[: title + 1] + [f"  {line}" for line in lines] + source[intro:]
    case = parse_notice("\n".join(rebuilt)).cases[2]
    assert (case.subtitle, case.agencies, case.uncertain) == (subtitle, agencies, uncertain)
