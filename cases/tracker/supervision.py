"""督办清单: every overdue cell, for the office (all), a responsible unit (its cases) or a region (its own).

A cell is overdue when its approved plan's start or landing date has passed
and it has not started or landed (cases.tracker.deadlines). The list is read
from the approved plans only (cases without one have no deadline), sorted as
asked, and downloads as XLSX or CSV through the portal's safe writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cases.downloads import downloads_per_minute, streamed_spreadsheet
from cases.models import Case, Region
from cases.ratelimit import rate_limited

from . import access, deadlines, stats
from .models import PromotionPlan


@dataclass
class Overdue:
    case: Case
    cell: stats.Cell
    units: list[str]

    @property
    def missed_on(self) -> date:
        return self.cell.missed_on

    @property
    def days(self) -> int:
        """Days overdue: a cell due yesterday is 1 day overdue."""
        return (deadlines.today() - self.missed_on).days


#: ?sort= value -> (its label, the key it sorts by); a leading "-" reverses that key only: rows equal on it
#: stay in the order of case and region.
SORTS = {
    "days": ("逾期天数", lambda o: o.days),
    "case": ("案例", lambda o: (o.case.batch, o.case.number)),
    "region": ("市县", lambda o: o.cell.region.position),
    "state": ("逾期类型", lambda o: o.cell.deadline),
}
DEFAULT_SORT = "-days"


def scope(user) -> tuple[str, Q, list[Region] | None]:
    """What ``user`` supervises: (in words, the cases, the regions; None for all). Refused for anyone else."""
    if access.is_office(user):
        return "全省", Q(), None
    own = access.profile(user)
    if own is not None and own.agency_id:
        return f"{own.agency.name}负责推广的案例", Q(responsibilities__agency_id=own.agency_id), None
    if own is not None and own.region_id:
        return own.region.name, Q(), [own.region]
    raise PermissionDenied("督办清单供省营商环境办、推广责任单位和各市县的工作人员使用。")


def overdue_cells(cases_filter: Q, regions: list[Region] | None) -> list[Overdue]:
    cases = Case.objects.published().filter(cases_filter).filter(plans__status=PromotionPlan.Status.APPROVED)
    by_id = {case.pk: case for case in cases.select_related("notice").distinct()}
    if not by_id:
        return []
    units: dict[int, list[str]] = {}
    for case_id, name in (
        PromotionPlan.objects.filter(case_id__in=by_id, status=PromotionPlan.Status.APPROVED)
        .order_by("agency__name")
        .values_list("case_id", "agency__name")
    ):
        units.setdefault(case_id, []).append(name)
    return [
        Overdue(by_id[case_id], cell, units.get(case_id, []))
        for case_id, cell in stats.planned_cells(list(by_id), regions, deadlines.today())
        if cell.overdue
    ]


def sorted_cells(rows: list[Overdue], raw: str) -> tuple[list[Overdue], str]:
    """``rows`` sorted by ``raw`` (a key of SORTS, "-" for descending); an unknown value sorts by default."""
    name = raw.lstrip("-")
    if name not in SORTS:
        raw, name = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    by_case_and_region = sorted(rows, key=lambda o: (o.case.batch, o.case.number, o.cell.region.position))
    return sorted(by_case_and_region, key=SORTS[name][1], reverse=raw.startswith("-")), raw


@login_required
@require_safe
def overdue_list(request: HttpRequest) -> HttpResponse:
    title, cases_filter, regions = scope(request.user)
    rows, chosen = sorted_cells(overdue_cells(cases_filter, regions), request.GET.get("sort", DEFAULT_SORT))
    headings = [
        (name, label, name if chosen != name else f"-{name}", chosen.lstrip("-") == name, chosen.startswith("-"))
        for name, (label, _) in SORTS.items()
    ]
    response = render(
        request,
        "adoption/overdue.html",
        {"rows": rows, "scope": title, "headings": headings, "sort": chosen, "today": deadlines.today()},
    )
    response["Cache-Control"] = "private, no-cache"
    return response


HEADERS = [
    "案例编号",
    "案例",
    "市县",
    "逾期类型",
    "应完成日期",
    "逾期天数",
    "当前状态",
    "推广责任单位",
    "联系人",
    "联系电话",
]


@login_required
@require_safe
@rate_limited("download", downloads_per_minute)
def overdue_download(request: HttpRequest, fmt: str) -> HttpResponse:
    _, cases_filter, regions = scope(request.user)
    rows, _ = sorted_cells(overdue_cells(cases_filter, regions), request.GET.get("sort", DEFAULT_SORT))
    lines = (
        [
            o.case.code,
            o.case.title,
            o.cell.region.name,
            o.cell.deadline_label,
            o.missed_on.isoformat(),
            o.days,
            o.cell.label,
            "、".join(o.units),
            o.cell.report.contact_name if o.cell.report else "",
            o.cell.report.contact_phone if o.cell.report else "",
        ]
        for o in rows
    )
    response = streamed_spreadsheet(HEADERS, lines, fmt, "督办清单", widths=[10, 40, 12, 12, 12, 10, 10, 30])
    response["Cache-Control"] = "private, no-store"
    return response
