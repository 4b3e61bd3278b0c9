"""Public downloads of what a page shows, as XLSX or CSV, with the page's filters applied.

The case list offers its cases and their metrics; the responsibility table
its rows; the agency list its agencies. Spreadsheets come from the same
django-import-export resources as the admin (cases.spreadsheets), written by
the same formats (cases.spreadsheet_formats): no cell ever runs a formula, and
CSV carries a UTF-8 byte-order mark so that Excel on Chinese Windows opens it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .filters import ResponsibilityFilter, bound_case_filter
from .models import Agency, Case, Metric, Responsibility
from .spreadsheet_formats import SafeCSV, SafeXLSX
from .spreadsheets import AgencyResource, CaseResource, MetricResource, ResponsibilityResource

MAX_ROWS = 5000
FORMATS = {
    "xlsx": (SafeXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (SafeCSV, "text/csv; charset=utf-8"),
}


def spreadsheet_response(dataset, fmt: str, stem: str) -> HttpResponse:
    format_class, content_type = FORMATS[fmt]
    dataset.title = dataset.title or stem
    data = format_class().export_data(dataset)
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"
    return HttpResponse(data, content_type=content_type,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def too_many(count: int) -> HttpResponse:
    return HttpResponse(
        f"符合条件的有 {count} 条，超过一次下载的上限 {MAX_ROWS} 条。请先在页面上筛选，再下载。",
        status=400, content_type="text/plain; charset=utf-8",
    )


def _filtered_cases(request: HttpRequest) -> tuple[list[Case], int]:
    case_filter, _ = bound_case_filter(request.GET)
    ranked = case_filter.ranked()
    if len(ranked) > MAX_ROWS:
        return [], len(ranked)
    ids = [pk for pk, _ in ranked[0:len(ranked)]]
    loaded = Case.objects.for_list().in_bulk(ids)
    return [loaded[pk] for pk in ids if pk in loaded], len(ids)


@require_GET
def case_download(request: HttpRequest, fmt: str) -> HttpResponse:
    cases, count = _filtered_cases(request)
    if count > MAX_ROWS:
        return too_many(count)
    dataset = CaseResource(base_url=request.build_absolute_uri("/").rstrip("/")).export(queryset=cases)
    return spreadsheet_response(dataset, fmt, "示范案例")


@require_GET
def metric_download(request: HttpRequest, fmt: str) -> HttpResponse:
    cases, count = _filtered_cases(request)
    if count > MAX_ROWS:
        return too_many(count)
    order = {case.pk: at for at, case in enumerate(cases)}
    metrics = sorted(
        Metric.objects.filter(case__in=cases).select_related("case__notice", "section"),
        key=lambda m: (order[m.case_id], m.position),
    )
    return spreadsheet_response(MetricResource().export(queryset=metrics), fmt, "数据指标")


@require_GET
def responsibility_download(request: HttpRequest, fmt: str) -> HttpResponse:
    table = ResponsibilityFilter(request.GET, queryset=Responsibility.objects.for_table())
    rows = table.qs if table.is_valid() else Responsibility.objects.for_table()
    return spreadsheet_response(ResponsibilityResource().export(queryset=rows), fmt, "推广责任分工")


@require_GET
def agency_download(request: HttpRequest, fmt: str) -> HttpResponse:
    agencies = Agency.objects.for_list().prefetch_related("aliases")
    return spreadsheet_response(AgencyResource().export(queryset=agencies), fmt, "单位")
