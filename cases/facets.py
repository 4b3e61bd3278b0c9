"""Facet counts: how many cases each option would give, together with the other active filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.http import QueryDict

from .filters import HAS_BASELINE_CHOICES, CaseFilter, cases_with_baseline
from .models import Agency, Case, CaseAgency, Notice, Region, Theme


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


# Facets whose options can run into the hundreds show only the largest few.
MAX_OPTIONS = {"agency": 15}


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)
    hidden: int = 0

    @property
    def selected(self) -> list[Option]:
        return [o for o in self.options if o.selected]


@dataclass
class Chip:
    facet_label: str
    label: str
    remove_url: str


def _counts(name: str, case_ids) -> dict[str, int]:
    """Distinct cases per option value of facet ``name`` among ``case_ids``."""
    if name == "batch":
        rows = Case.objects.filter(pk__in=case_ids).values_list("notice__batch").annotate(n=Count("pk"))
    elif name == "theme":
        through = Case.themes.through.objects.filter(case_id__in=case_ids)
        rows = through.values_list("theme__slug").annotate(n=Count("case_id", distinct=True))
    elif name == "has_baseline":
        return {"1": Case.objects.filter(pk__in=case_ids).filter(cases_with_baseline()).count()}
    else:
        path = {"kind": "agency__kind", "level": "agency__level", "region": "agency__region__slug",
                "agency": "agency__slug"}[name]
        links = CaseAgency.objects.filter(case_id__in=case_ids)
        rows = links.values_list(path).annotate(n=Count("case_id", distinct=True))
    return {str(value): n for value, n in rows if value is not None}


def _labels(name: str, counted: dict[str, int], selected: set[str]) -> list[tuple[str, str]]:
    """(value, label) for the options to show: those with cases, and those selected."""
    wanted = set(counted) | selected
    if name == "batch":
        notices = Notice.objects.filter(batch__in=[int(v) for v in wanted if v.isdigit()]).order_by("-batch")
        return [(str(n.batch), n.batch_label) for n in notices]
    if name == "theme":
        return list(Theme.objects.filter(slug__in=wanted).values_list("slug", "name"))
    if name == "region":
        return list(Region.objects.filter(slug__in=wanted).values_list("slug", "name"))
    if name == "agency":
        return list(Agency.objects.filter(slug__in=wanted).order_by("name").values_list("slug", "name"))
    choices = {"kind": Agency.Kind.choices, "level": Agency.Level.choices, "has_baseline": HAS_BASELINE_CHOICES}[name]
    return [(str(value), str(label)) for value, label in choices if value in wanted]


def build_facets(case_filter: CaseFilter) -> list[Facet]:
    data = case_filter.data
    facets = []
    for name in ("theme", "batch", "kind", "level", "region", "agency", "has_baseline"):
        others = case_filter.queryset_without(name).values("pk")
        counted = _counts(name, others)
        selected = set(data.getlist(name))
        facet = Facet(name=name, label=str(case_filter.filters[name].label))
        limit = MAX_OPTIONS.get(name)
        if limit and len(counted) > limit:
            largest = sorted(counted, key=lambda value: (-counted[value], value))[:limit]
            facet.hidden = len(counted) - limit
            counted = {value: counted[value] for value in largest}
        for value, label in _labels(name, counted, selected):
            facet.options.append(Option(value, label, counted.get(value, 0), value in selected))
        if limit:
            facet.options.sort(key=lambda option: (not option.selected, -option.count, option.label))
        facets.append(facet)
    return facets


def build_chips(data: QueryDict, facets: list[Facet], path: str) -> list[Chip]:
    chips = []
    for facet in facets:
        for option in facet.selected:
            remaining = data.copy()
            remaining.setlist(facet.name, [v for v in data.getlist(facet.name) if v != option.value])
            remaining.pop("page", None)
            chips.append(Chip(facet.label, option.label, f"{path}?{remaining.urlencode()}"))
    return chips


def clear_filters_url(data: QueryDict, path: str) -> str:
    kept = {key: data.get(key) for key in ("q", "sort") if data.get(key)}
    return f"{path}?{urlencode(kept)}" if kept else path
