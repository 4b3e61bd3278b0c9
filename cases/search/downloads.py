"""The case list's downloads: its cases and their metrics, as XLSX or CSV, with the page's filters and search.

In the page's order, up to the catalog's download cap, written the catalog's
way (cases.downloads: no cell ever runs a formula).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cases import case_documents
from cases.downloads import (
    document_response,
    download,
    filename,
    max_rows,
    public_download,
    spreadsheet_response,
    too_many,
)
from cases.models import Case, Metric
from cases.spreadsheets import CaseResource, MetricResource

from .filters import bound_case_filter


def _filtered_cases(request: HttpRequest, limit: int | None = None, queryset=None) -> tuple[list[Case], int]:
    case_filter, _ = bound_case_filter(request.GET)
    ranked = case_filter.ranked()
    if len(ranked) > (max_rows(request) if limit is None else limit):
        return [], len(ranked)
    ids = [pk for pk, _ in ranked[0 : len(ranked)]]
    loaded = (Case.objects.for_list() if queryset is None else queryset).in_bulk(ids)
    return [loaded[pk] for pk in ids if pk in loaded], len(ids)


@download("tracker")  # each case's landing, as of the day
def case_document_download(request: HttpRequest) -> HttpResponse:
    """The list's cases (its filters and search, its order) as one Word document, up to ``DOCUMENT_MAX_CASES``."""
    limit = settings.DOCUMENT_MAX_CASES
    cases, count = _filtered_cases(request, limit, case_documents.for_documents(Case.objects.published()))
    if count > limit:
        message = f"符合条件的有 {count} 个案例，一份 Word 文档最多收 {limit} 个。请先在页面上筛选或检索，再下载。"
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    if not cases:
        return HttpResponse("没有符合条件的案例，无可下载。", status=400, content_type="text/plain; charset=utf-8")
    build = lambda: case_documents.several_cases(cases, "优化营商环境示范案例汇编", timezone.localdate())  # noqa: E731
    return document_response(request, build, filename("示范案例汇编", "docx"))


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
