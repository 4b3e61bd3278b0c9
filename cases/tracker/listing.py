"""The case list filtered by where cases have landed: 已在本市县落地 / 尚未在本市县落地 for a chosen region.

Registered with the catalog's list (cases.extensions.ListFilter), so that the
list page, the API and the downloads all take ``landing_region`` (a region's
slug) and ``landing`` (landed / not_landed) without search importing the
tracker. Both are needed; either alone filters nothing.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from cases.extensions import ListFilter
from cases.models import Region
from cases.widgets import PlainSelect

from .models import AdoptionReport

LANDED, NOT_LANDED = "landed", "not_landed"
LANDING_CHOICES = [(LANDED, _("已在该市县落地")), (NOT_LANDED, _("尚未在该市县落地"))]
PARAMS = ("landing_region", "landing")


def _region_choices() -> list[tuple[str, str]]:
    return list(Region.objects.values_list("slug", "name"))


def filters() -> dict:
    return {
        "landing_region": django_filters.ChoiceFilter(
            label=_("推广落实：市县"), choices=_region_choices, method="keep", empty_label=_("不限"), widget=PlainSelect
        ),
        "landing": django_filters.ChoiceFilter(
            label=_("落地情况"), choices=LANDING_CHOICES, method="keep", empty_label=_("不限"), widget=PlainSelect
        ),
    }


def apply(values: dict):
    region, landing = values.get("landing_region"), values.get("landing")
    if not region or not landing:
        return None
    landed = AdoptionReport.objects.filter(region__slug=region, status=AdoptionReport.Status.LANDED).values_list(
        "case_id", flat=True
    )
    return ("only" if landing == LANDED else "except", landed)


def describe(values: dict) -> str:
    name = Region.objects.filter(slug=values.get("landing_region")).values_list("name", flat=True).first() or ""
    return f"已在{name}落地" if values.get("landing") == LANDED else f"尚未在{name}落地"


LANDING = ListFilter(PARAMS, "tracker", filters, apply, describe, "adoption/_list_filter.html")
