"""Facet counts: how many cases each option would give, together with the other active filters.

Counts come from CaseFacet (one row per case and value), in as few queries as
the filters allow:

- facets with no selection of their own all see the same cases (every active
  filter applies), so one GROUP BY counts them all;
- a facet with a selection is counted over the cases that the *other*
  filters give, one query each;
- with no filter at all the counts are the catalog's totals, cached until the
  catalog changes (CatalogVersion);
- when a set of cases is most of the catalog (a common two-character word),
  the values are counted over the cases *outside* it and subtracted from the
  totals, which reads a few rows instead of nearly all of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import QueryDict

from .filters import FACET_PREFIX, FACETS, HAS_BASELINE_CHOICES, CaseFilter
from .models import Agency, Case, CaseFacet, CatalogVersion, Notice, Region, Theme

# Facets whose options can run into the hundreds show only the largest few.
MAX_OPTIONS = {"agency": 15, "batch": 12}
TOTAL = "__cases__"


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


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


def catalog_counts() -> Counter:
    """Cases per facet value over the whole catalog, plus TOTAL; cached per catalog version."""
    key = f"cases:facet-counts:{CatalogVersion.current()}"
    counts = cache.get(key)
    if counts is None:
        counts = Counter(dict(CaseFacet.objects.values_list("key").annotate(n=Count("*")).order_by()))
        counts[TOTAL] = Case.objects.count()
        cache.set(key, counts, 24 * 3600)
    return counts


def _value_counts(ids: QuerySet | None, totals: Counter, prefixes: list[str], size: int | None = None) -> Counter:
    """Cases per facet value (keys under ``prefixes``) among the cases ``ids`` gives; None means all cases."""
    if ids is None:
        return totals
    size = ids.count() if size is None else size
    if size > totals[TOTAL] / 2:
        everything = CaseFacet.objects.filter(**CaseFacet.prefix_range("batch"))
        outside = everything.exclude(case_id__in=ids).values("case_id")
        counts = totals.copy()
        counts.subtract(_grouped(CaseFacet.objects.filter(case_id__in=outside), prefixes))
        return counts
    return _grouped(CaseFacet.objects.filter(case_id__in=ids), prefixes)


def _grouped(rows: QuerySet, prefixes: list[str]) -> Counter:
    if len(prefixes) == 1:
        rows = rows.filter(**CaseFacet.prefix_range(prefixes[0]))
    return Counter(dict(rows.values_list("key").annotate(n=Count("*")).order_by()))


def _labels(name: str, values: set[str]) -> list[tuple[str, str]]:
    if name == "batch":
        notices = Notice.objects.filter(batch__in=[int(v) for v in values if v.isdigit()]).order_by("-batch")
        return [(str(n.batch), n.batch_label) for n in notices]
    if name == "theme":
        return list(Theme.objects.filter(slug__in=values).order_by("position").values_list("slug", "name"))
    if name == "region":
        return list(Region.objects.filter(slug__in=values).order_by("position").values_list("slug", "name"))
    if name == "agency":
        return list(Agency.objects.filter(slug__in=values).order_by("name").values_list("slug", "name"))
    choices = {"kind": Agency.Kind.choices, "level": Agency.Level.choices, "has_baseline": HAS_BASELINE_CHOICES}[name]
    return [(str(value), str(label)) for value, label in choices if value in values]


def _facet(case_filter: CaseFilter, name: str, counts: Counter) -> Facet:
    prefix = f"{FACET_PREFIX.get(name, name)}:"
    counted = {key.removeprefix(prefix): n for key, n in counts.items() if key.startswith(prefix) and n > 0}
    selected = set(case_filter.data.getlist(name))
    facet = Facet(name=name, label=str(case_filter.filters[name].label))
    limit = MAX_OPTIONS.get(name)
    if limit and len(counted) > limit:
        order = (lambda v: (-int(v) if v.isdigit() else 0)) if name == "batch" else (lambda v: (-counted[v], v))
        kept = sorted(counted, key=order)[:limit]
        facet.hidden = len(counted) - limit
        counted = {value: counted[value] for value in kept}
    for value, label in _labels(name, set(counted) | selected):
        facet.options.append(Option(value, label, counted.get(value, 0), value in selected))
    if name == "agency":
        facet.options.sort(key=lambda option: (not option.selected, -option.count, option.label))
    return facet


def build_facets(case_filter: CaseFilter, result_count: int) -> list[Facet]:
    """The facets of the list; ``result_count`` is how many cases all active filters give."""
    totals = catalog_counts()
    active = case_filter.active_facets()
    shared = _value_counts(case_filter.case_ids(), totals,
                           [FACET_PREFIX.get(n, n) for n in FACETS if n not in active], size=result_count)
    facets = []
    for name in FACETS:
        if name in active:
            counts = _value_counts(case_filter.case_ids(excluded=name), totals, [FACET_PREFIX.get(name, name)])
        else:
            counts = shared
        facets.append(_facet(case_filter, name, counts))
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
