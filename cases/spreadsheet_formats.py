"""XLSX and CSV files that never run a formula, for every download: public pages and the admin.

A cell whose text starts with = + - @ (or their full-width forms), a tab or a
line break is read by Excel and LibreOffice as a formula (CSV injection).
django-import-export and tablib strip at most one leading "=", so
``==HYPERLINK(…)`` survives as a live formula. Here every such cell is
written as text: in CSV behind a ``'`` (the mark spreadsheets themselves use
for "text, not a formula"); in XLSX as a string cell marked with Excel's
quote prefix, so the text shows unchanged and is never evaluated. Numbers
stay numbers, dates become date cells, and columns are wide enough for
Chinese text. Characters XML cannot carry (control characters) are dropped
instead of failing the whole download.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, TextIO

import tablib
from django.utils import timezone
from import_export.formats import base_formats

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_COLUMN_WIDTH = 60
DEFAULT_SHEET = "数据"


def starts_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def clean_text(value: str) -> str:
    return CONTROL.sub("", value)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%Y-%m-%d %H:%M")
        )
    if isinstance(value, date):
        return value.isoformat()
    text = clean_text(str(value))
    if isinstance(value, int | float | Decimal):
        return text
    return f"'{text}" if starts_formula(text) else text


def csv_text(dataset: tablib.Dataset) -> str:
    """CSV with a byte-order mark, so that Excel on Chinese Windows reads it as UTF-8."""
    out = io.StringIO()
    write_csv(out, dataset.headers or [], dataset)
    return out.getvalue()


def write_csv(out: TextIO, headers: Sequence, rows: Iterable[Sequence]) -> None:
    """Write CSV row by row to a text file (with the byte-order mark), holding one row at a time."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    if headers:
        writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def display_width(text: str) -> int:
    """Columns a text needs: a CJK (wide) character takes two."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def xlsx_bytes(dataset: tablib.Dataset) -> bytes:
    rows = [list(row) for row in dataset]
    headers = [clean_text(str(h)) for h in (dataset.headers or [])]
    columns = max([len(headers), *(len(row) for row in rows)], default=0)
    widths = []
    for column in range(columns):
        texts = [headers[column] if column < len(headers) else ""]
        texts += [csv_cell(row[column]) for row in rows[:2000] if column < len(row)]
        widths.append(max(display_width(line) for text in texts for line in (text or " ").split("\n")))
    out = io.BytesIO()
    write_xlsx(out, headers, rows, widths, dataset.title)
    return out.getvalue()


def write_xlsx(out: BinaryIO, headers: Sequence, rows: Iterable[Sequence], widths: Sequence[int] = (), title=None):
    """Write an XLSX workbook row by row (openpyxl's write-only mode keeps no rows in memory).

    ``widths`` are the columns' display widths; columns beyond them are as
    wide as their header.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = [clean_text(str(h)) for h in headers]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for column in range(max(len(headers), len(widths))):
        width = widths[column] if column < len(widths) else display_width(headers[column])
        sheet.column_dimensions[get_column_letter(column + 1)].width = max(8, min(MAX_COLUMN_WIDTH, width) + 2)
    if headers:
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for header in headers:
            cell = _cell(sheet, header, WriteOnlyCell)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    for row in rows:
        sheet.append([_cell(sheet, value, WriteOnlyCell) for value in row])
    workbook.save(out)


def _sheet_title(title: str | None) -> str:
    title = re.sub(r"[\\/*?:\[\]]", "", title or "")[:31]
    return title or DEFAULT_SHEET


def _cell(sheet, value, cell_class):
    if isinstance(value, bool):
        return cell_class(sheet, value="是" if value else "否")
    if isinstance(value, int | float | Decimal):
        return cell_class(sheet, value=value)
    if isinstance(value, datetime):
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        cell = cell_class(sheet, value=naive)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = cell_class(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = clean_text("" if value is None else str(value))
    cell = cell_class(sheet, value=text)
    cell.data_type = "s"  # never "f": text that looks like a formula stays text
    if starts_formula(text):
        cell.quotePrefix = True
    return cell


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return csv_text(dataset)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset)
