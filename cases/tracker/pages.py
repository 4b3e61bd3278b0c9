"""What the tracker adds to the catalog's pages: where a case has landed (cases.extensions)."""

from __future__ import annotations

from cases.models import Region

from . import maps, stats
from .models import AdoptionReport

Status = AdoptionReport.Status


def case_page_context(request, case, visible) -> dict:
    """A published case's landing: regions by status, departments' reports, and the progress page to go on to."""
    if not case.is_published:
        return {}
    row, departments = stats.case_landing(case, list(Region.objects.all()))
    by_status = {status: [cell for cell in row.cells if cell.status == status] for status in stats.STATUS_ORDER}
    return {
        "adoption": {
            "template": "adoption/_case_landing.html",
            "row": row,
            "map": maps.case_map(row),
            "landed": by_status[Status.LANDED],
            "in_progress": by_status[Status.IN_PROGRESS],
            "departments": departments,
            "has_demo": any(cell.is_demo for cell in row.cells) or any(r.is_demo for r in departments),
        }
    }


def comparison_rows(cases) -> list[tuple[str, list[list[str]]]]:
    """Where each compared case has landed: counts by status and the regions where it landed (two queries)."""
    regions = Region.objects.count()
    summaries = stats.summaries(cases, regions)
    landed: dict[int, list[str]] = {case.pk: [] for case in cases}
    for case_id, name in (
        AdoptionReport.objects.filter(case__in=cases, region__isnull=False, status=Status.LANDED)
        .order_by("region__code")
        .values_list("case_id", "region__name")
    ):
        landed[case_id].append(name)
    cells = []
    for case in cases:
        counts = summaries[case.pk]
        lines = [
            f"已在 {counts[Status.LANDED]} / {regions} 个市县落地；推进中 {counts[Status.IN_PROGRESS]}，"
            f"未启动 {counts[Status.NOT_STARTED]}，不适用 {counts[Status.NOT_APPLICABLE]}"
        ]
        if landed[case.pk]:
            lines.append("已落地：" + "、".join(landed[case.pk]))
        cells.append(lines)
    return [("推广落实", cells)]
