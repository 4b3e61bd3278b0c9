"""Cases as Word documents an official takes to the office: one case, several cases, the responsibility table.

What goes into each document is decided here; how it looks is decided by
cases.documents (GB/T 9704 layout), which the office's bulletin uses too.

A case's text comes first and is the notice's, paragraph for paragraph as
render_notice prints it (the 编号行, the title and subtitle, each 申报单位 on
its own line, the 导语, each numbered measure and outcome as one paragraph
with its printed numbering). After it, marked as the portal's and not the
notice's: the figures as a table, the responsible units (推断 rows marked
and explained), where the case has landed as of the download (from
whichever room registered comparison rows: the tracker), the source and a
QR code of the case page's public address (cases.qr).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.urls import reverse

from . import documents, qr
from .extensions import comparison_extras
from .models import Annex, Case, Metric, Responsibility, Section

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PORTAL_PART = "以下内容由营商环境示范案例库整理，不是通知原文。"
RECONSTRUCTED_NOTE = (
    "附件2《{annex}》以图片印发，文本未载。标注“推断，待核对”的行按通知“申报单位负责推广”的原则由编辑整理，以原件为准。"
)


def for_documents(cases):
    """Everything a case's document shows (what its page shows), in a fixed number of queries."""
    return cases.for_detail(annexes=False)


def case_title(case: Case) -> str:
    """How a case is named in a contents list and a filename: 第四批案例1 推进“三医联动一张网”改革."""
    return f"{case.notice.batch_label}案例{case.number} {case.title}"


def one_case(case: Case, as_of: date):
    """The Word document of one case."""
    document = documents.new_document(case.title)
    write_case(document, case, as_of, _landings([case])[case.pk])
    return document


def several_cases(cases: Sequence[Case], heading: str, as_of: date, *, remark: str = ""):
    """Several cases in one document: a title page with the contents, then one case after another."""
    document = documents.new_document(heading)
    documents.title(document, heading)
    documents.note(document, f"共 {len(cases)} 个案例。下载于{documents.chinese_date(as_of)}。{remark}".strip())
    documents.contents(document, [f"{at}. {case_title(case)}" for at, case in enumerate(cases, start=1)])
    landings = _landings(list(cases))
    for case in cases:
        documents.page_break(document)
        write_case(document, case, as_of, landings[case.pk])
    return document


def write_case(document, case: Case, as_of: date, landing: list[tuple[str, list[str]]]) -> None:
    """One case: the notice's text as printed, then what the portal adds, marked as such."""
    if not case.is_published:
        documents.note(document, "草稿：本案例尚未发布，内容可能更改。")
    documents.line(document, case.label, font=documents.HEADING_FONT)
    if case.subtitle_separator:
        documents.title(document, f"{case.title}{case.subtitle_separator}{case.subtitle}")
    else:
        documents.title(document, case.title)
        if case.subtitle:
            documents.subtitle(document, case.subtitle)
    for link in case.case_agencies.all():
        documents.signature(document, link.agency.name)
    for paragraph in case.intro.split("\n"):
        documents.body(document, paragraph)
    sections = list(case.sections.all())
    for kind, heading in ((Section.Kind.MEASURE, case.measures_heading), (Section.Kind.OUTCOME, case.outcomes_heading)):
        documents.heading(document, heading)
        for section in (s for s in sections if s.kind == kind):
            lead = f"{section.label}{section.heading}。" if section.heading else section.label
            documents.item(document, lead, section.body)
    _portal_part(document, case, as_of, landing)


def _portal_part(document, case: Case, as_of: date, landing: list[tuple[str, list[str]]]) -> None:
    documents.note(document, PORTAL_PART)
    figures = list(case.metrics.all())
    documents.heading(document, "数据一览（编辑摘录）", level=2)
    if figures:
        documents.table(
            document,
            ["指标", "数值", "单位", "前→后", "原文出处"],
            [_figure_row(metric) for metric in figures],
            widths_mm=[30, 24, 12, 30],
            compact=True,
        )
    else:
        documents.body(document, "本案例未摘录数据。")
    documents.heading(document, "推广责任单位（附件2）", level=2)
    rows = list(case.responsibilities.all())
    for row in rows:
        mark = "（推断，待核对）" if row.reconstructed else ""
        documents.body(document, f"{row.agency.name}（{row.get_role_display()}）{mark}")
    if not rows:
        documents.body(document, "暂无。")
    if any(row.reconstructed for row in rows):
        annex = getattr(case, "responsibility_annex", None) or "责任分工表"
        documents.note(document, RECONSTRUCTED_NOTE.format(annex=annex))
    documents.heading(document, f"推广落实情况（截至{documents.chinese_date(as_of)}）", level=2)
    if not case.is_published:
        documents.body(document, "草稿尚未推广。")
    for heading, lines in landing:
        for text in lines:
            documents.body(document, f"{heading}：{text}")
    documents.heading(document, "出处", level=2)
    notice = case.notice
    source = f"{notice.title}（{notice.issuer}"
    if notice.document_number:
        source += f"，{notice.document_number}"
    source += f"，{documents.chinese_date(notice.issued_on)}印发）"
    documents.body(document, source)
    documents.body(document, f"通知网页：{qr.canonical_url(notice.get_absolute_url())}")
    url = qr.canonical_url(case.get_absolute_url())
    documents.body(document, f"本案例网页：{url}")
    documents.picture(document, qr.png(url), "扫描二维码打开本案例网页", width_mm=35)


def _figure_row(metric: Metric) -> list[str]:
    label = f"{metric.label}（{metric.period}）" if metric.period else metric.label
    change = ""
    if metric.has_baseline:
        change = f"{metric.baseline_printed}→{metric.printed}"
        if metric.change_percent is not None:
            sign = "+" if metric.change_percent > 0 else ""
            change += f"（{sign}{metric.change_percent}%）"
    return [label, metric.printed, metric.unit or "—", change or "—", metric.source_text]


def _landings(cases: list[Case]) -> dict[int, list[tuple[str, list[str]]]]:
    """Each published case's rows from the other rooms (where it has landed), as the comparison shows them."""
    published = [case for case in cases if case.is_published]
    found: dict[int, list[tuple[str, list[str]]]] = {case.pk: [] for case in cases}
    if published:
        for heading, cells in comparison_extras(published):
            for case, lines in zip(published, cells, strict=True):
                found[case.pk].append((heading, lines))
    return found


def responsibility_table(rows: Sequence[Responsibility], as_of: date):
    """The responsibility table (Annex 2) of each batch in ``rows``, as issued, with its 推断 marks explained."""
    batches: dict[int, list[Responsibility]] = {}
    for row in rows:
        batches.setdefault(row.case.notice_id, []).append(row)
    annexes = {
        annex.notice_id: annex
        for annex in Annex.objects.filter(notice_id__in=batches, kind=Annex.Kind.RESPONSIBILITIES).order_by("number")
    }
    document = documents.new_document("推广示范案例责任分工表")
    if not batches:
        documents.title(document, "推广示范案例责任分工表")
        documents.body(document, "暂无。")
    for at, (notice_id, members) in enumerate(batches.items()):
        if at:
            documents.page_break(document)
        notice = members[0].case.notice
        annex = annexes.get(notice_id)
        if annex:
            documents.line(document, f"附件{annex.number}", font=documents.HEADING_FONT)
        documents.title(document, annex.title if annex else f"推广{notice.batch_label}示范案例责任分工表")
        documents.table(
            document,
            ["序号", "案例", "责任单位", "角色", "来源"],
            [
                [
                    str(number),
                    f"案例{row.case.number} {row.case.title}",
                    row.agency.name,
                    row.get_role_display(),
                    "推断，待核对" if row.reconstructed else "原件",
                ]
                for number, row in enumerate(members, start=1)
            ],
            widths_mm=[14, 50, 40, 22],
        )
        if any(row.reconstructed for row in members):
            documents.note(document, RECONSTRUCTED_NOTE.format(annex=annex.title if annex else "责任分工表"))
        documents.note(
            document,
            f"出处：{notice.title}（{notice.issuer}，{documents.chinese_date(notice.issued_on)}印发）。"
            f"本表下载于{documents.chinese_date(as_of)}。",
        )
    url = qr.canonical_url(reverse("cases:responsibility-list"))
    documents.body(document, f"责任分工网页：{url}")
    documents.picture(document, qr.png(url), "扫描二维码打开责任分工网页", width_mm=35)
    return document
