"""Reading and writing the spreadsheets the portal serves and accepts, for tests of every room."""

import csv
import io

import openpyxl

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel on Chinese Windows needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def workbook(rows: list[list]) -> bytes:
    """An XLSX file holding ``rows`` on its first sheet, as an editor would upload it."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exported_metric_rows() -> list[list]:
    """The metrics as the admin's export writes them (header first): the start of every import test."""
    from cases.spreadsheets import MetricResource

    return xlsx_rows(MetricResource().export().xlsx)
