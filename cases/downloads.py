"""Downloads of catalog pages as XLSX or CSV, and the one way every download is written.

Spreadsheets come from the django-import-export resources the admin uses
too (cases.spreadsheets), written by the portal's formats
(cases.spreadsheet_formats): no cell ever runs a formula, and CSV carries a
UTF-8 byte-order mark so that Excel on Chinese Windows opens it. The case
list's downloads, which follow its filters and search, are search's
(cases.search.downloads); the tracker's matrix is the tracker's.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .filters import ResponsibilityFilter
from .models import Agency, Responsibility
from .spreadsheet_formats import SafeCSV, SafeXLSX
from .spreadsheets import AgencyResource, ResponsibilityResource

FORMATS = {
    "xlsx": (SafeXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (SafeCSV, "text/csv; charset=utf-8"),
}


def spreadsheet_response(dataset, fmt: str, stem: str) -> HttpResponse:
    format_class, content_type = FORMATS[fmt]
    dataset.title = dataset.title or stem
    data = format_class().export_data(dataset)
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"
    return HttpResponse(
        data, content_type=content_type, headers={"Content-Disposition": content_disposition_header(True, filename)}
    )


def max_rows() -> int:
    """The most rows one download holds (settings.DOWNLOAD_MAX_ROWS)."""
    return settings.DOWNLOAD_MAX_ROWS


def too_many(count: int) -> HttpResponse:
    return HttpResponse(
        f"符合条件的有 {count} 条，超过一次下载的上限 {max_rows()} 条。请先在页面上筛选，再下载。",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def responsibility_download(request: HttpRequest, fmt: str) -> HttpResponse:
    table = ResponsibilityFilter(request.GET, queryset=Responsibility.objects.for_table())
    rows = table.qs if table.is_valid() else Responsibility.objects.for_table()
    return spreadsheet_response(ResponsibilityResource().export(queryset=rows), fmt, "推广责任分工")


@require_GET
def agency_download(request: HttpRequest, fmt: str) -> HttpResponse:
    agencies = Agency.objects.for_list().prefetch_related("aliases")
    return spreadsheet_response(AgencyResource().export(queryset=agencies), fmt, "单位")
