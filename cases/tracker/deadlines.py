"""Deadlines from approved 推广工作方案: whether each cell of the matrix is on time, due soon or overdue.

A case's approved plans say which regions the case applies to (the union of
their scopes; a region outside it is 不适用 by plan unless it has reported
progress anyway) and by when each region is to start (启动) and land (落地):
a milestone for one region overrides the plan's milestone for all regions,
and of several plans the earliest date counts. A case without an approved
plan has no deadlines.

What a cell says, from the report's status, its dates and today:

- 逾期未启动: not started, and the start date has passed;
- 逾期未落地: not landed, and the landing date has passed;
- 即将到期: the next date it owes (start if not started, else landing) is within 14 days;
- 按期推进: dates set, none missed;
- 按期落地 / 逾期落地: landed on or before the landing date, or after it.

“Passed” means the due date is before today: a cell is overdue on the day
after its due date, and a mail on the day it is missed says so
(cases.tracker.reminders).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from .models import AdoptionReport, PlanMilestone, PromotionPlan

Status = AdoptionReport.Status
DUE_SOON_DAYS = 14

ON_TIME = "on_time"
DUE_SOON = "due_soon"
LATE_START = "late_start"
LATE_LANDING = "late_landing"
LANDED_ON_TIME = "landed_on_time"
LANDED_LATE = "landed_late"

LABELS = {
    ON_TIME: "按期推进",
    DUE_SOON: "即将到期",
    LATE_START: "逾期未启动",
    LATE_LANDING: "逾期未落地",
    LANDED_ON_TIME: "按期落地",
    LANDED_LATE: "逾期落地",
}
OVERDUE = (LATE_START, LATE_LANDING)
#: What the legend says each state means.
MEANINGS = {
    ON_TIME: "按批准的推广工作方案，时间节点均未错过",
    DUE_SOON: f"{DUE_SOON_DAYS} 天内须启动或落地",
    LATE_START: "启动时限已过，尚未启动",
    LATE_LANDING: "落地时限已过，尚未落地",
    LANDED_ON_TIME: "在落地时限内落地",
    LANDED_LATE: "超过落地时限后落地",
}


#: (state, label, meaning) for the legends, in the order a reader meets them.
LEGEND = [
    (key, LABELS[key], MEANINGS[key])
    for key in (LATE_START, LATE_LANDING, DUE_SOON, ON_TIME, LANDED_ON_TIME, LANDED_LATE)
]


def legend_for(rows) -> list:
    """The deadline legend when some cell of ``rows`` has a deadline; none otherwise (no plan, nothing to explain)."""
    return LEGEND if any(cell.deadline or cell.by_plan for row in rows for cell in row.cells) else []


def today() -> date:
    """The date deadlines are judged on: the portal's local date (Asia/Shanghai)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Due:
    start_by: date | None = None
    land_by: date | None = None


@dataclass
class Schedule:
    """One case's approved plans, read for the matrix: scope and due dates by region."""

    scope: set[int] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)
    due: dict[int, Due] = field(default_factory=dict)

    def out_of_scope(self, region_id: int) -> bool:
        return region_id not in self.scope

    @property
    def reason(self) -> str:
        return "；".join(r for r in self.reasons if r) or "未列入推广工作方案的推广范围"

    def due_for(self, region_id: int) -> Due | None:
        return self.due.get(region_id)


def schedules(case_ids) -> dict[int, Schedule]:
    """The approved plans' schedules of these cases (cases without one are absent), in three queries."""
    plans = list(PromotionPlan.objects.filter(case_id__in=case_ids, status=PromotionPlan.Status.APPROVED).order_by())
    if not plans:
        return {}
    by_id = {plan.pk: plan for plan in plans}
    scope: dict[int, set[int]] = defaultdict(set)
    for plan_id, region_id in PromotionPlan.regions.through.objects.filter(promotionplan_id__in=by_id).values_list(
        "promotionplan_id", "region_id"
    ):
        scope[plan_id].add(region_id)
    milestones: dict[int, list[PlanMilestone]] = defaultdict(list)
    for milestone in PlanMilestone.objects.filter(plan_id__in=by_id).order_by():
        milestones[milestone.plan_id].append(milestone)
    out: dict[int, Schedule] = {}
    for plan in plans:
        schedule = out.setdefault(plan.case_id, Schedule())
        schedule.scope |= scope[plan.pk]
        schedule.reasons.append(plan.out_of_scope_reason.strip())
        for region_id in scope[plan.pk]:
            due = _plan_due(milestones[plan.pk], region_id)
            schedule.due[region_id] = _earlier(schedule.due.get(region_id), due)
    return out


def _plan_due(milestones: list[PlanMilestone], region_id: int) -> Due:
    def pick(kind: str) -> date | None:
        own = [m.due_on for m in milestones if m.kind == kind and m.region_id == region_id]
        every = [m.due_on for m in milestones if m.kind == kind and m.region_id is None]
        return (own or every or [None])[0]

    return Due(pick(PlanMilestone.Kind.START), pick(PlanMilestone.Kind.LAND))


def _earlier(a: Due | None, b: Due) -> Due:
    if a is None:
        return b

    def first(x: date | None, y: date | None) -> date | None:
        return min(d for d in (x, y) if d is not None) if (x or y) else None

    return Due(first(a.start_by, b.start_by), first(a.land_by, b.land_by))


def state(status: str, report: AdoptionReport | None, due: Due | None, on: date) -> str:
    """The deadline state of one cell on ``on`` (see the module's text); "" when it has no deadline."""
    if due is None or status == Status.NOT_APPLICABLE:
        return ""
    if status == Status.LANDED:
        if due.land_by is None or report is None or report.completed_on is None:
            return ""
        return LANDED_ON_TIME if report.completed_on <= due.land_by else LANDED_LATE
    if status == Status.NOT_STARTED and due.start_by and due.start_by < on:
        return LATE_START
    if due.land_by and due.land_by < on:
        return LATE_LANDING
    next_due = next_date(status, due)
    if next_due is None:
        return ""
    return DUE_SOON if next_due <= on + timedelta(days=DUE_SOON_DAYS) else ON_TIME


def next_date(status: str, due: Due) -> date | None:
    """The date the cell owes next: its start if it has not started (and one is set), else its landing."""
    if status == Status.NOT_STARTED and due.start_by:
        return due.start_by
    return due.land_by


def missed_date(deadline: str, due: Due) -> date | None:
    """The due date an overdue cell missed."""
    return due.start_by if deadline == LATE_START else due.land_by if deadline == LATE_LANDING else None
