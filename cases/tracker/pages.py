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
