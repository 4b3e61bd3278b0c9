"""The province at a glance: the cases × regions matrix, per-case progress, and the rankings.

A region without a report for a case counts as 未启动. Rankings rate each
region by the share of applicable cases (all cases shown, less those it
reported 不适用) that have landed; ties go to more cases in progress. A
region at or above the provincial average rate, with at least one landed
case, is a 领跑者 (front-runner); the others are 跟跑者 (followers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from cases.models import Case, Region

from . import deadlines
from .models import AdoptionReport

Status = AdoptionReport.Status
STATUS_ORDER = [Status.LANDED, Status.IN_PROGRESS, Status.NOT_STARTED, Status.NOT_APPLICABLE]
SHORT = {
    Status.LANDED: "已落地",
    Status.IN_PROGRESS: "推进中",
    Status.NOT_STARTED: "未启动",
    Status.NOT_APPLICABLE: "不适用",
}
# What a matrix cell prints: short, but text, so the status never rests on colour alone.
CELL = {Status.LANDED: "落地", Status.IN_PROGRESS: "推进", Status.NOT_STARTED: "—", Status.NOT_APPLICABLE: "不适用"}


@dataclass
class Cell:
    region: Region
    status: str
    report: AdoptionReport | None
    #: Due dates from the case's approved plans (None: no plan sets any for this region).
    due: deadlines.Due | None = None
    #: On time, due soon, overdue … (cases.tracker.deadlines); "" without a deadline.
    deadline: str = ""
    #: 不适用 because the region lies outside the approved plans' scope (the plans' reason).
    by_plan: str = ""

    @property
    def label(self) -> str:
        return SHORT[self.status]

    @property
    def deadline_label(self) -> str:
        return deadlines.LABELS.get(self.deadline, "")

    @property
    def overdue(self) -> bool:
        return self.deadline in deadlines.OVERDUE

    @property
    def next_due(self):
        return deadlines.next_date(self.status, self.due) if self.due else None

    @property
    def next_kind(self) -> str:
        """启动 or 落地: what the cell owes by ``next_due``."""
        return "启动" if self.status == Status.NOT_STARTED and self.due and self.due.start_by else "落地"

    @property
    def missed_on(self):
        return deadlines.missed_date(self.deadline, self.due) if self.due else None

    @property
    def mark(self) -> str:
        return CELL[self.status]

    @property
    def is_demo(self) -> bool:
        return bool(self.report and self.report.is_demo)

    @property
    def export_label(self) -> str:
        """The status in words for a download, with its deadline state, marked when the report is demo data."""
        label = f"{self.label}（{self.deadline_label}）" if self.deadline_label else self.label
        if self.by_plan:
            label += "（方案范围外）"
        return f"{label}（演示数据）" if self.is_demo else label


def cell(region: Region, report: AdoptionReport | None, schedule: deadlines.Schedule | None, on) -> Cell:
    """One case's cell for one region: the report's status, or 未启动; 不适用 by plan outside the plans' scope."""
    status = report.status if report else Status.NOT_STARTED
    by_plan = ""
    if schedule is not None and schedule.out_of_scope(region.pk) and status == Status.NOT_STARTED:
        status, by_plan = Status.NOT_APPLICABLE, schedule.reason
    due = schedule.due_for(region.pk) if schedule is not None else None
    return Cell(region, status, report, due, deadlines.state(status, report, due, on), by_plan)


@dataclass
class Row:
    case: Case
    cells: list[Cell]
    counts: Counter = field(default_factory=Counter)

    @property
    def landed(self) -> int:
        return self.counts[Status.LANDED]

    @property
    def regions(self) -> int:
        return len(self.cells)

    @property
    def has_demo(self) -> bool:
        return any(cell.is_demo for cell in self.cells)


def has_demo(rows: list[Row]) -> bool:
    return any(row.has_demo for row in rows)


def reports_by_region(cases: list[Case]) -> dict[tuple[int, int], AdoptionReport]:
    reports = AdoptionReport.objects.filter(case__in=cases, region__isnull=False)
    return {(r.case_id, r.region_id): r for r in reports}


def case_row(case: Case, regions: list[Region], found: dict[tuple[int, int], AdoptionReport], schedule, on) -> Row:
    cells = [cell(region, found.get((case.pk, region.pk)), schedule, on) for region in regions]
    return Row(case, cells, Counter(c.status for c in cells))


def matrix(cases: list[Case], regions: list[Region]) -> list[Row]:
    found = reports_by_region(cases)
    plans = deadlines.schedules([case.pk for case in cases])
    on = deadlines.today()
    return [case_row(case, regions, found, plans.get(case.pk), on) for case in cases]


def case_landing(case: Case, regions: list[Region]) -> tuple[Row, list[AdoptionReport]]:
    """One case's row and its departments' reports (by name), from one query for all its reports."""
    reports = list(AdoptionReport.objects.filter(case=case).select_related("agency"))
    found = {(case.pk, r.region_id): r for r in reports if r.region_id}
    departments = sorted((r for r in reports if r.agency_id), key=lambda r: r.agency.name)
    schedule = deadlines.schedules([case.pk]).get(case.pk)
    return case_row(case, regions, found, schedule, deadlines.today()), departments


def matrix_in_chunks(cases: QuerySet, regions: list[Region], size: int = 500) -> Iterator[Row]:
    """Every row of the matrix, reading ``size`` cases and their reports at a time (for the streamed download)."""
    chunk: list[Case] = []
    for case in cases.iterator(chunk_size=size):
        chunk.append(case)
        if len(chunk) == size:
            yield from matrix(chunk, regions)
            chunk = []
    if chunk:
        yield from matrix(chunk, regions)


def planned_cells(case_ids, regions: list[Region] | None, on) -> Iterator[tuple[int, Cell]]:
    """(case id, cell) for every region of every case among ``case_ids`` that has an approved plan.

    The cells that plans change (不适用 by plan) and that carry deadlines,
    drawn by ``cell`` as the matrix draws them; cases without an approved
    plan are left out, since their cells are what their reports say.
    """
    plans = deadlines.schedules(case_ids)
    if not plans:
        return
    if regions is None:  # every region (read only when some case has a plan)
        regions = list(Region.objects.all())
    found = {
        (r.case_id, r.region_id): r
        for r in AdoptionReport.objects.filter(case_id__in=list(plans), region__isnull=False)
        .only("case_id", "region_id", "status", "completed_on", "is_demo")
        .order_by()
    }
    for case_id, schedule in plans.items():
        for region in regions:
            yield case_id, cell(region, found.get((case_id, region.pk)), schedule, on)


def status_counts(cases: QuerySet, region: Region, total: int | None = None) -> Counter:
    """How many of ``cases`` the region has in each status, counted by the database (未启动 for no report).

    ``total`` is the number of cases when the caller has counted them already (a paginator has).
    """
    ids = cases.order_by().values("pk")
    counts = Counter(
        dict(
            AdoptionReport.objects.filter(case__in=ids, region=region)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    counts[Status.NOT_STARTED] += (cases.count() if total is None else total) - sum(counts.values())
    for _, planned in planned_cells(ids, [region], deadlines.today()):
        if planned.by_plan:
            counts[Status.NOT_STARTED] -= 1
            counts[Status.NOT_APPLICABLE] += 1
    return counts


def summary(case: Case, regions: int | None = None) -> dict[str, int]:
    """Regions in each status for one case (the API's ``adoption``)."""
    return summaries([case], regions)[case.pk]


def summaries(cases: list[Case], regions: int | None = None) -> dict[int, dict[str, int]]:
    total = Region.objects.count() if regions is None else regions
    counts: dict[int, Counter] = {case.pk: Counter() for case in cases}
    for case_id, status in AdoptionReport.objects.filter(case__in=cases, region__isnull=False).values_list(
        "case_id", "status"
    ):
        counts[case_id][status] += 1
    for counter in counts.values():
        counter[Status.NOT_STARTED] += total - sum(counter.values())
    for case_id, planned in planned_cells([case.pk for case in cases], None, deadlines.today()):
        if planned.by_plan:
            counts[case_id][Status.NOT_STARTED] -= 1
            counts[case_id][Status.NOT_APPLICABLE] += 1
    return {case_id: {status.value: counter[status] for status in STATUS_ORDER} for case_id, counter in counts.items()}


NO_REPORTS = "尚无填报"
ON_TIME_STATES = (deadlines.ON_TIME, deadlines.DUE_SOON, deadlines.LANDED_ON_TIME)


@dataclass
class Standing:
    region: Region
    counts: Counter
    cases: int
    reports: int = 0  # cases this region has reported on at all
    demo: int = 0  # of which demo data
    rank: int | None = None
    tier: str = ""
    judged: int = 0  # cells with a deadline from an approved plan
    on_time: int = 0  # of which not overdue: 按期推进, 即将到期 or 按期落地

    @property
    def on_time_rate(self) -> Decimal | None:
        """按期率: the share of cells with a deadline that are not overdue (None when none has one)."""
        if not self.judged:
            return None
        return (Decimal(100) * self.on_time / self.judged).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def applicable(self) -> int:
        return self.cases - self.counts[Status.NOT_APPLICABLE]

    @property
    def rate(self) -> Decimal:
        if not self.applicable:
            return Decimal(0)
        return (Decimal(100) * self.counts[Status.LANDED] / self.applicable).quantize(Decimal("0.1"), ROUND_HALF_UP)


def rankings(cases: QuerySet, regions: list[Region]) -> tuple[list[Standing], Decimal]:
    """Regions best first, each with its rank and tier, and the provincial average rate.

    Counted by the database (one grouped query over the reports), so the
    page costs the same whatever the catalog's size. A region that has
    reported nothing is not ranked: it is listed last as 尚无填报 rather than
    as a follower with 0.0%. The average is taken over all regions, as
    before (a region that has not reported counts 0).
    """
    total = cases.count()
    grouped = (
        AdoptionReport.objects.filter(case__in=cases.order_by().values("pk"), region__isnull=False)
        .values_list("region_id", "status")
        .annotate(n=Count("pk"), demo=Count("pk", filter=Q(is_demo=True)))
        .order_by()
    )
    counts: dict[int, Counter] = {region.pk: Counter() for region in regions}
    demo: Counter = Counter()
    for region_id, status, n, demo_n in grouped:
        if region_id in counts:
            counts[region_id][status] += n
            demo[region_id] += demo_n
    standings = {}
    for region in regions:
        reported = sum(counts[region.pk].values())
        counts[region.pk][Status.NOT_STARTED] += total - reported
        standings[region.pk] = Standing(region, counts[region.pk], total, reports=reported, demo=demo[region.pk])
    for _, planned in planned_cells(cases.order_by().values("pk"), regions, deadlines.today()):
        standing = standings[planned.region.pk]
        if planned.by_plan:
            standing.counts[Status.NOT_STARTED] -= 1
            standing.counts[Status.NOT_APPLICABLE] += 1
        if planned.deadline:
            standing.judged += 1
            standing.on_time += planned.deadline in ON_TIME_STATES
    standings = list(standings.values())
    return standings, rank(standings)


def rank(standings: list[Standing]) -> Decimal:
    """Sort ``standings`` best first and give each its rank and tier; returns the provincial average rate.

    The rankings page and the office's bulletin both rank through here.
    """
    standings.sort(key=lambda s: (not s.reports, -s.rate, -s.counts[Status.IN_PROGRESS], s.region.position))
    average = (
        (sum((s.rate for s in standings), Decimal(0)) / len(standings)).quantize(Decimal("0.1"))
        if standings
        else Decimal(0)
    )
    previous = None
    for position, standing in enumerate(standings, start=1):
        if not standing.reports:
            standing.tier = NO_REPORTS
            continue
        key = (standing.rate, standing.counts[Status.IN_PROGRESS])
        standing.rank = previous[1] if previous and previous[0] == key else position
        previous = (key, standing.rank)
        standing.tier = "领跑者" if standing.counts[Status.LANDED] and standing.rate >= average else "跟跑者"
    return average
