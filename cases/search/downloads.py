"""The case list's downloads: its cases and their metrics, as XLSX or CSV, with the page's filters and search.

In the page's order, up to the catalog's download cap, written the catalog's
way (cases.downloads: no cell ever runs a formula).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from cases.downloads import max_rows, public_download, spreadsheet_response, too_many
from cases.models import Case, Metric
from cases.spreadsheets import CaseResource, MetricResource

from .filters import bound_case_filter


def _filtered_cases(request: HttpRequest) -> tuple[list[Case], int]:
    case_filter, _ = bound_case_filter(request.GET)
    ranked = case_filter.ranked()
    if len(ranked) > max_rows(request):
        return [], len(ranked)
    ids = [pk for pk, _ in ranked[0 : len(ranked)]]
    loaded = Case.objects.for_list().in_bulk(ids)
    return [loaded[pk] for pk in ids if pk in loaded], len(ids)


@public_download
def case_download(request: HttpRequest, fmt: str) -> HttpResponse:
    cases, count = _filtered_cases(request)
    if count > max_rows(request):
        return too_many(request, count)
    dataset = CaseResource(base_url=request.build_absolute_uri("/").rstrip("/")).export(queryset=cases)
    return spreadsheet_response(dataset, fmt, "示范案例")


@public_download
def metric_download(request: HttpRequest, fmt: str) -> HttpResponse:
    cases, count = _filtered_cases(request)
    if count > max_rows(request):
        return too_many(request, count)
    order = {case.pk: at for at, case in enumerate(cases)}
    metrics = sorted(
        Metric.objects.filter(case__in=cases).select_related("case__notice", "section"),
        key=lambda m: (order[m.case_id], m.position),
    )
    return spreadsheet_response(MetricResource().export(queryset=metrics), fmt, "数据指标")
