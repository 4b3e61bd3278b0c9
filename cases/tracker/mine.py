"""我的市县: where a signed-in official starts the day, with the action each item needs.

For an official of a region or a department: the cases their unit has not
reported yet (newest batch first; for a department only the cases it led,
is responsible for or has reported on), its reports in progress, its reports
with comments none of its officials has opened or answered yet (first on the
page), and, for a unit responsible for cases (Annex 2), the reports of those
cases waiting for review. For the
provincial office: every report waiting for review. A bounded page however
large the catalog: each list shows its first ``LIMIT`` items and says how
many there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from cases.models import Case, CaseAgency, Notice, Responsibility

from . import access, deadlines, stats
from .models import AdoptionReport, PromotionPlan, ReviewComment

LIMIT = 20


@dataclass
class Listing:
    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _listing(queryset) -> Listing:
    items = list(queryset[:LIMIT])
    total = len(items) if len(items) < LIMIT else queryset.count()
    return Listing(items, total)


@dataclass
class Workspace:
    unit: object | None  # the region or department, None for the office
    unit_url: str
    unreported: Listing | None = None
    in_progress: Listing | None = None
    commented: Listing | None = None
    to_review: Listing | None = None
    newest: Notice | None = None
    newest_rows: list = field(default_factory=list)  # (case, report or None, edit url)
    unit_kind: str = "市县"  # or 单位
    #: A region's cells that are overdue or due within 14 days: (case, cell), overdue first, soonest first.
    deadlines: Listing | None = None
    #: Plans to write (cases the unit is responsible for, without its plan), returned or awaiting approval.
    plans_to_write: Listing | None = None
    plans_to_approve: Listing | None = None
    overdue: int | None = None  # how many cells the 督办清单 lists for this user


def region_deadlines(region) -> Listing:
    """The region's cells an approved plan says are overdue or due soon, overdue first, then by date."""
    cases = {c.pk: c for c in Case.objects.published().filter(plans__status=PromotionPlan.Status.APPROVED).distinct()}
    urgent = [
        (cases[case_id], cell)
        for case_id, cell in stats.planned_cells(list(cases), [region], deadlines.today())
        if cell.overdue or cell.deadline == deadlines.DUE_SOON
    ]
    urgent.sort(key=lambda item: (not item[1].overdue, item[1].missed_on or item[1].next_due, item[0].number))
    return Listing(urgent[:LIMIT], len(urgent))


def overdue_count(user) -> int:
    from .supervision import overdue_cells, scope

    _, cases_filter, regions = scope(user)
    return len(overdue_cells(cases_filter, regions))


def edit_url(case: Case, own) -> str:
    kind, slug = ("region", own.region.slug) if own.region_id else ("agency", own.agency.slug)
    return reverse("adoption:report-edit", args=[case.batch, case.number, kind, slug])


def workspace(user) -> Workspace | None:
    """What ``user`` has to do; None for a signed-in user who is neither an official nor the office."""
    own = access.profile(user)
    office = access.is_office(user)
    if own is None and not office:
        return None
    reports = AdoptionReport.objects.select_related("case__notice", "region", "agency")
    if own is None:
        return Workspace(
            None,
            reverse("adoption:matrix"),
            to_review=_listing(
                reports.filter(reviewed=False).exclude(status=AdoptionReport.Status.NOT_STARTED).order_by("-updated_at")
            ),
            plans_to_approve=_listing(
                PromotionPlan.objects.filter(status=PromotionPlan.Status.SUBMITTED)
                .select_related("case", "agency")
                .order_by("updated_at")
            ),
            overdue=overdue_count(user),
        )
    unit_filter = Q(region=own.region) if own.region_id else Q(agency=own.agency)
    mine = reports.filter(unit_filter)
    published = Case.objects.published().select_related("notice")
    unit_url = reverse("adoption:region", args=[own.region.slug]) if own.region_id else own.agency.get_absolute_url()
    reported = AdoptionReport.objects.filter(unit_filter, case=OuterRef("pk"))
    if own.region_id:
        # A city or county reports on every case, except one an approved plan leaves out of its scope
        # (不适用 by plan: it is not asked to report), unless it has reported on it anyway.
        approved = PromotionPlan.objects.filter(case=OuterRef("pk"), status=PromotionPlan.Status.APPROVED)
        outside = Exists(approved) & ~Exists(approved.filter(regions=own.region))
        published = published.exclude(outside & ~Exists(reported))
    if own.agency_id:
        # A department reports on the cases it led or is responsible for (Annex 2), and on any it has reported on;
        # a city or county on every case.
        led = CaseAgency.objects.filter(case=OuterRef("pk"), agency=own.agency)
        answers_for = Responsibility.objects.filter(case=OuterRef("pk"), agency=own.agency)
        published = published.filter(Exists(led) | Exists(answers_for) | Exists(reported))
    unread = ReviewComment.objects.filter(
        report=OuterRef("pk"), kind=ReviewComment.Kind.COMMENT, read_at__isnull=True
    ).exclude(author=user)
    newest_unread = unread.order_by("-created_at").values("created_at")[:1]
    space = Workspace(
        own.unit,
        unit_url,
        unit_kind="市县" if own.region_id else "单位",
        unreported=_listing(published.filter(~Exists(reported)).order_by("-batch", "number")),
        in_progress=_listing(
            mine.filter(status=AdoptionReport.Status.IN_PROGRESS).order_by("-case__batch", "case__number")
        ),
        commented=_listing(
            mine.filter(Exists(unread)).annotate(unread_since=Subquery(newest_unread)).order_by("-unread_since", "-pk")
        ),
    )
    if own.region_id:
        space.deadlines = region_deadlines(own.region)
    space.overdue = overdue_count(user)
    if own.agency_id:
        own_plans = PromotionPlan.objects.filter(agency=own.agency, case=OuterRef("case"))
        space.plans_to_write = _listing(
            Responsibility.objects.filter(agency=own.agency, case__in=Case.objects.published())
            .exclude(
                Exists(own_plans.filter(status__in=[PromotionPlan.Status.APPROVED, PromotionPlan.Status.SUBMITTED]))
            )
            .select_related("case__notice")
            .order_by("-case__batch", "case__number")
        )
        responsible = Q(case__responsibilities__agency=own.agency)
        space.to_review = _listing(
            reports.filter(responsible, reviewed=False)
            .exclude(unit_filter)
            .exclude(status=AdoptionReport.Status.NOT_STARTED)
            .distinct()
            .order_by("-updated_at")
        )
    space.newest = Notice.objects.filter(pk__in=published.values("notice")).first()
    if space.newest:
        cases = list(published.filter(notice=space.newest).order_by("number"))
        found = {r.case_id: r for r in mine.filter(case__in=cases)}
        space.newest_rows = [(case, found.get(case.pk), edit_url(case, own)) for case in cases]
    return space
