"""Who may do what in the replication tracker. Every view asks these functions, and the tests ask them too.

- Anyone, signed in or not: the status matrix, per-case progress, region pages, rankings.
- Signed-in officials (a profile, or the provincial office): also notes, contacts, evidence and comments.
- An official of a region or department: create and edit that unit's reports only, and read and answer the
  comments on them.
- An official of a unit responsible for a case (Annex 2): comment on and review that case's reports.
- The provincial office (the permission tracker.manage_all_reports, which the group 省营商环境办
  grants, or a superuser): all of the above, for every report.
"""

from __future__ import annotations

from .roles import MANAGE_ALL


def is_office(user) -> bool:
    """The provincial office: whoever holds ``tracker.manage_all_reports`` (its group grants it), or a superuser.

    Django caches a user's permissions on the user object, so asking again in
    the same request costs no query.
    """
    return user.is_authenticated and user.has_perm(f"tracker.{MANAGE_ALL}")


def profile(user):
    if not user.is_authenticated:
        return None
    return getattr(user, "official", None)


def is_official(user) -> bool:
    """Signed in as someone who may see the non-public parts of reports."""
    return is_office(user) or profile(user) is not None


def can_edit(user, *, region=None, agency=None) -> bool:
    """May ``user`` create or edit the report of this region or department?"""
    if is_office(user):
        return True
    own = profile(user)
    if own is None:
        return False
    if region is not None:
        return own.region_id == region.pk
    return agency is not None and own.agency_id == agency.pk


def is_reporting_unit(user, report) -> bool:
    """Is ``user`` an official of the unit that files ``report`` (who reads and answers its comments)?"""
    own = profile(user)
    if own is None:
        return False
    return own.region_id == report.region_id if report.region_id else own.agency_id == report.agency_id


def can_review(user, case) -> bool:
    """May ``user`` comment on and review the reports of ``case``?"""
    if is_office(user):
        return True
    own = profile(user)
    return bool(own and own.agency_id and case.responsibilities.filter(agency_id=own.agency_id).exists())


def is_responsible_unit(user, case, agency) -> bool:
    """Is ``user`` an official of ``agency``, and is ``agency`` responsible for ``case`` (Annex 2)?"""
    own = profile(user)
    if own is None or own.agency_id != agency.pk:
        return False
    return case.responsibilities.filter(agency_id=agency.pk).exists()


def can_draft_plan(user, plan) -> bool:
    """May ``user`` write this 推广工作方案? Its unit while it is not approved; the office always."""
    if is_office(user):
        return True
    from .models import PromotionPlan

    return plan.status != PromotionPlan.Status.APPROVED and is_responsible_unit(user, plan.case, plan.agency)


def can_decide_plan(user) -> bool:
    """Approving a plan, or returning it for changes, is the provincial office's."""
    return is_office(user)
