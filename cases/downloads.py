"""Downloads of catalog pages as XLSX or CSV, and the one way every download is written.

Spreadsheets come from the django-import-export resources the admin uses
too (cases.spreadsheets), written by the portal's formats
(cases.spreadsheet_formats): no cell ever runs a formula, and CSV carries a
UTF-8 byte-order mark so that Excel on Chinese Windows opens it. The case
list's downloads, which follow its filters and search, are search's
(cases.search.downloads); the tracker's matrix is the tracker's.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from . import case_documents, documents
from .caching import cached_page
from .extensions import list_filter_versions
from .filters import ResponsibilityFilter
from .models import Agency, Responsibility
from .ratelimit import rate_limited
from .spreadsheet_formats import SafeCSV, SafeXLSX, write_csv, write_xlsx
from .spreadsheets import AgencyResource, ResponsibilityResource

logger = logging.getLogger(__name__)

FORMATS = {
    "xlsx": (SafeXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (SafeCSV, "text/csv; charset=utf-8"),
}


#: What no file name may hold on Windows, macOS or Linux, and control characters: each becomes “_”.
_NOT_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
MAX_STEM = 80


def filename(stem: str, extension: str, *, dated: bool = True) -> str:
    """A download's file name in Chinese as officials read it: 示范案例-20261205.xlsx, 4-1 推进….docx.

    Characters no file system accepts are replaced, and an overlong title is
    cut, so the name saves as it is on every office PC. Sent as RFC 6266's
    ``filename*`` (UTF-8) with an ASCII fallback by ``attachment``.
    """
    stem = _NOT_IN_FILENAMES.sub("_", stem).strip(" .") or "下载"
    stem = stem[:MAX_STEM]
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}" if dated else f"{stem}.{extension}"


def attachment(name: str) -> str:
    """The Content-Disposition of a download named ``name`` (filename* in UTF-8 when it is not ASCII)."""
    return content_disposition_header(True, name)


def spreadsheet_response(dataset, fmt: str, stem: str) -> HttpResponse:
    format_class, content_type = FORMATS[fmt]
    dataset.title = dataset.title or stem
    data = format_class().export_data(dataset)
    return HttpResponse(
        data, content_type=content_type, headers={"Content-Disposition": attachment(filename(stem, fmt))}
    )


def document_response(request: HttpRequest, build, name: str) -> HttpResponse:
    """A Word document (``build()`` gives it) as a download named ``name``; a clear page if it cannot be made.

    Whatever goes wrong while a document is written (content python-docx
    refuses, a picture that does not draw), the reader gets a page in
    Chinese saying so with the way back, and the error is logged: never a 500.
    """
    try:
        data = documents.as_bytes(build())
    except Exception:
        logger.exception("Word document not produced: %s", request.get_full_path())
        message = (
            "这份 Word 文档暂时无法生成，错误已记录，管理员会处理。您可以先打开网页版阅读，或用网页上的“打印”按钮打印。"
        )
        context = {"message": message, "title": "文档暂时无法生成"}
        return HttpResponse(render_to_string("400.html", context, request=request), status=503)
    return HttpResponse(
        data, content_type=case_documents.CONTENT_TYPE, headers={"Content-Disposition": attachment(name)}
    )


#: A streamed download up to this size stays in memory; a larger one goes to a temporary file.
SPOOL_BYTES = 1024 * 1024


def streamed_spreadsheet(headers, rows, fmt: str, stem: str, widths=()) -> FileResponse:
    """A download of any length in constant memory: rows are written one at a time to a temporary file, then sent.

    ``rows`` is an iterator (a database cursor read in chunks); nothing
    holds the whole table, in the worker or in the cache.
    """
    _, content_type = FORMATS[fmt]
    # Held in memory up to SPOOL_BYTES, on disk beyond; FileResponse closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        write_csv(text, headers, rows)
        text.flush()
        text.detach()
    else:
        write_xlsx(out, headers, rows, widths, stem)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename(stem, fmt), content_type=content_type)


def max_rows(request: HttpRequest) -> int:
    """The most rows one download holds: fewer for anonymous readers than for signed-in officials."""
    if request.user.is_authenticated:
        return settings.DOWNLOAD_MAX_ROWS
    return min(settings.DOWNLOAD_MAX_ROWS_ANONYMOUS, settings.DOWNLOAD_MAX_ROWS)


def too_many(request: HttpRequest, count: int) -> HttpResponse:
    limit = max_rows(request)
    message = f"符合条件的有 {count} 条，超过一次下载的上限 {limit} 条。请先在页面上筛选，再下载。"
    if not request.user.is_authenticated and limit < settings.DOWNLOAD_MAX_ROWS:
        message += f"登录后每次最多可下载 {settings.DOWNLOAD_MAX_ROWS} 条。"
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def downloads_per_minute() -> int:
    return settings.DOWNLOADS_PER_MINUTE


def download(*names: str):
    """A public download: rate-limited per address (or account), cached for anonymous readers.

    Cached per catalog version and per day (a file is named by the day it
    was taken, and a document says “截至” that day), and per the other
    versions it draws from (``names``: "tracker" for where cases landed),
    as a list filtered by where cases landed is too.
    """

    def decorator(view):
        cached = cached_page("catalog", "day", *names, also=list_filter_versions)(view)
        return require_safe(rate_limited("download", downloads_per_minute)(cached))

    return decorator


public_download = download()


@public_download
def responsibility_download(request: HttpRequest, fmt: str) -> HttpResponse:
    table = ResponsibilityFilter(request.GET, queryset=Responsibility.objects.for_table())
    rows = table.qs if table.is_valid() else Responsibility.objects.for_table()
    if fmt == "docx":
        rows = list(rows)
        build = lambda: case_documents.responsibility_table(rows, timezone.localdate())  # noqa: E731
        return document_response(request, build, filename("推广责任分工表", "docx"))
    return spreadsheet_response(ResponsibilityResource().export(queryset=rows), fmt, "推广责任分工")


@public_download
def agency_download(request: HttpRequest, fmt: str) -> HttpResponse:
    agencies = Agency.objects.for_list().prefetch_related("aliases")
    return spreadsheet_response(AgencyResource().export(queryset=agencies), fmt, "单位")
