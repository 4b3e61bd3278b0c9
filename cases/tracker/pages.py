"""What the tracker adds to the catalog's pages: where a case has landed (cases.extensions)."""

from __future__ import annotations

from collections import Counter

from cases.models import Region

from . import stats
from .models import AdoptionReport

Status = AdoptionReport.Status


def case_page_context(request, case, visible) -> dict:
    """A published case's landing: regions by status, departments' reports, and the progress page to go on to."""
    if not case.is_published:
        return {}
    reports = list(AdoptionReport.objects.filter(case=case).select_related("agency"))  # regions' and departments'
    by_region = {report.region_id: report for report in reports if report.region_id}
    cells = [
        stats.Cell(
            region,
            by_region[region.pk].status if region.pk in by_region else Status.NOT_STARTED,
            by_region.get(region.pk),
        )
        for region in Region.objects.all()
    ]
    row = stats.Row(case, cells, Counter(cell.status for cell in cells))
    by_status = {status: [cell for cell in cells if cell.status == status] for status in stats.STATUS_ORDER}
    departments = sorted((r for r in reports if r.agency_id), key=lambda r: r.agency.name)
    return {
        "adoption": {
            "template": "adoption/_case_landing.html",
            "row": row,
            "landed": by_status[Status.LANDED],
            "in_progress": by_status[Status.IN_PROGRESS],
            "departments": departments,
            "has_demo": any(cell.is_demo for cell in row.cells) or any(r.is_demo for r in departments),
        }
    }
