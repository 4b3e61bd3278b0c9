"""Word documents laid out as Chinese official documents: one place that knows the layout (python-docx).

The conventions of GB/T 9704《党政机关公文格式》, as far as a generated
document can follow them: A4 paper, margins of 37 mm (top), 35 mm (bottom),
28 mm (left) and 26 mm (right); the title in a 小标宋 face at 二号 (22 pt),
centred; the body in a 仿宋 face at 三号 (16 pt) with a first-line indent of
two characters and a fixed line spacing of 28 pt; first-level headings
(一、二、…) in 黑体, second-level ones (（一）…) in 楷体, both at 三号; page
numbers at the foot, in the form “— 1 —”. Fonts are named as offices install
them (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体) with the East Asian font set
explicitly; a machine without them substitutes its own, so the document
always opens and stays legible. Tables are set in 仿宋 at 四号 (14 pt), or at
五号 (10.5 pt) where their cells quote whole sentences.

The office's bulletin (cases.tracker.bulletins) and the documents of cases
and of the responsibility table (cases.case_documents) are written with
these functions; nothing else in the portal sets a font size or a margin.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
SIZE_二号 = Pt(22)
SIZE_三号 = Pt(16)
SIZE_四号 = Pt(14)
SIZE_五号 = Pt(10.5)
LINE = Pt(28)

#: Characters that XML 1.0 cannot hold (python-docx would refuse the whole document): dropped.
_NOT_XML = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])


def clean(text: str) -> str:
    """``text`` without the control characters a Word document cannot carry (surrogates too)."""
    text = str(text).translate(_NOT_XML)
    return "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)


def new_document(title: str) -> Document:
    """An empty A4 document with the margins, styles and page numbers of an official document."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.start_type = WD_SECTION.NEW_PAGE
    normal = document.styles["Normal"]
    _font(normal.font, BODY_FONT, SIZE_三号)
    normal.element.get_or_add_rPr()
    _east_asian(normal.element.rPr, BODY_FONT)
    spacing = normal.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = LINE
    spacing.space_before = spacing.space_after = Pt(0)
    document.core_properties.title = clean(title)
    document.core_properties.language = "zh-CN"
    _page_numbers(section)
    return document


def title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(36)
    paragraph.paragraph_format.space_after = Pt(16)
    _run(paragraph, text, TITLE_FONT, SIZE_二号)


def line(document, text: str, *, align: str = "left", font: str = BODY_FONT) -> None:
    """A line without indent: the 文号, the addressees, the date and signature."""
    paragraph = document.add_paragraph()
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}.get(
        align, WD_ALIGN_PARAGRAPH.RIGHT
    )
    _run(paragraph, text, font, SIZE_三号)


def subtitle(document, text: str) -> None:
    """A subtitle under the title: 楷体 三号, centred."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, SUBHEADING_FONT, SIZE_三号)


def signature(document, text: str) -> None:
    """A line under the title naming who issued or reported the text (申报单位): 仿宋 三号, centred."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, BODY_FONT, SIZE_三号)


def heading(document, text: str, level: int = 1) -> None:
    """一、… in 黑体 (level 1) or （一）… in 楷体 (level 2), indented like the body."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    _run(paragraph, text, HEADING_FONT if level == 1 else SUBHEADING_FONT, SIZE_三号)


def body(document, text: str) -> None:
    """A paragraph of the body: 仿宋 三号, first line indented by two characters."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _run(paragraph, text, BODY_FONT, SIZE_三号)


def item(document, lead: str, text: str) -> None:
    """A numbered paragraph as notices print it: its lead (（一）标题句。) in 楷体, the rest in 仿宋, one paragraph."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if lead:
        _run(paragraph, lead, SUBHEADING_FONT, SIZE_三号)
    if text:
        _run(paragraph, text, BODY_FONT, SIZE_三号)


def note(document, text: str) -> None:
    """An editorial remark, set apart from the text it explains: 楷体 四号, no indent."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, text, SUBHEADING_FONT, SIZE_四号)


def contents(document, entries: list[str], heading_text: str = "目录") -> None:
    """A contents list: the heading centred in 黑体, one entry a line (plain text, so every reader shows it)."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, heading_text, HEADING_FONT, SIZE_三号)
    for entry in entries:
        line(document, entry)


def page_break(document) -> None:
    document.add_page_break()


#: The width of the text block: A4 less the margins.
TEXT_WIDTH_MM = 210 - 28 - 26


def table(
    document,
    headers: list[str],
    rows: list[list],
    first_mm: float | None = None,
    *,
    widths_mm: list[float] | None = None,
    compact: bool = False,
) -> None:
    """A bordered table, its header row repeated on every page, in 仿宋 四号 (``compact``: 五号, for long cells).

    ``first_mm`` widens the first column (a case's title) and shares the rest
    of the text block equally among the others; ``widths_mm`` gives every
    column but the last its width, the last taking what is left.
    """
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = None
    if widths_mm is not None and len(widths_mm) == len(headers) - 1:
        grid.autofit = False
        widths = [Mm(w) for w in widths_mm] + [Mm(TEXT_WIDTH_MM - sum(widths_mm))]
    elif first_mm is not None and len(headers) > 1:
        grid.autofit = False
        rest = (TEXT_WIDTH_MM - first_mm) / (len(headers) - 1)
        widths = [Mm(first_mm)] + [Mm(rest)] * (len(headers) - 1)
    size = SIZE_五号 if compact else SIZE_四号
    header = grid.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, headers, strict=True):
        _cell(cell, text, HEADING_FONT, size)
    for row in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _cell(cell, "" if value is None else str(value), BODY_FONT, size)
    if widths:
        # The grid's columns (which LibreOffice lays out by) and every cell (which Word does).
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        for row in grid.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
    document.add_paragraph()


def chinese_date(day) -> str:
    """2026年12月5日: the date as official documents write it."""
    return f"{day.year}年{day.month}月{day.day}日"


def picture(document, data: bytes, caption: str, width_mm: float = 150) -> None:
    """A picture (PNG bytes) centred at ``width_mm``, its caption below it in 楷体."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.add_run().add_picture(io.BytesIO(data), width=Mm(width_mm))
    words = document.add_paragraph()
    words.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(words, caption, SUBHEADING_FONT, SIZE_四号)


def as_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ inside


def _font(font, name: str, size) -> None:
    font.name = LATIN_FONT
    font.size = size


def _east_asian(rpr, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), name)


def _run(paragraph, text: str, font: str, size) -> None:
    run = paragraph.add_run(clean(text))
    _font(run.font, font, size)
    _east_asian(run._element.get_or_add_rPr(), font)


def _cell(cell, text: str, font: str, size=SIZE_四号) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _run(paragraph, text, font, size)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def _page_numbers(section) -> None:
    """“— 1 —” centred at the foot of every page (a PAGE field, which Word and LibreOffice fill in)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", LATIN_FONT, SIZE_四号)
    run = paragraph.add_run()
    _font(run.font, LATIN_FONT, SIZE_四号)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _run(paragraph, " —", LATIN_FONT, SIZE_四号)
