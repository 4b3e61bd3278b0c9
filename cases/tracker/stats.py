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

    @property
    def label(self) -> str:
        return SHORT[self.status]

    @property
    def mark(self) -> str:
        return CELL[self.status]

    @property
    def is_demo(self) -> bool:
        return bool(self.report and self.report.is_demo)

    @property
    def export_label(self) -> str:
        """The status in words for a download, marked when the report is demo data."""
        return f"{self.label}（演示数据）" if self.is_demo else self.label


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


def _row(case: Case, regions: list[Region], found: dict[tuple[int, int], AdoptionReport]) -> Row:
    cells = []
    for region in regions:
        report = found.get((case.pk, region.pk))
        cells.append(Cell(region, report.status if report else Status.NOT_STARTED, report))
    return Row(case, cells, Counter(cell.status for cell in cells))


def matrix(cases: list[Case], regions: list[Region]) -> list[Row]:
    found = reports_by_region(cases)
    return [_row(case, regions, found) for case in cases]


def case_landing(case: Case, regions: list[Region]) -> tuple[Row, list[AdoptionReport]]:
    """One case's row and its departments' reports (by name), from one query for all its reports."""
    reports = list(AdoptionReport.objects.filter(case=case).select_related("agency"))
    found = {(case.pk, r.region_id): r for r in reports if r.region_id}
    departments = sorted((r for r in reports if r.agency_id), key=lambda r: r.agency.name)
    return _row(case, regions, found), departments


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
    out = {}
    for case_id, counter in counts.items():
        reported = sum(counter.values())
        counter[Status.NOT_STARTED] += total - reported
        out[case_id] = {status.value: counter[status] for status in STATUS_ORDER}
    return out


NO_REPORTS = "尚无填报"


@dataclass
class Standing:
    region: Region
    counts: Counter
    cases: int
    reports: int = 0  # cases this region has reported on at all
    demo: int = 0  # of which demo data
    rank: int | None = None
    tier: str = ""

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
    standings = []
    for region in regions:
        reported = sum(counts[region.pk].values())
        counts[region.pk][Status.NOT_STARTED] += total - reported
        standings.append(Standing(region, counts[region.pk], total, reports=reported, demo=demo[region.pk]))
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
    return standings, average
