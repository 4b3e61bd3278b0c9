"""Facet counts: how many cases each option would give, together with the other active filters.

Counted in-process on the catalog's bitmaps (cases.search.engine): a facet with no
selection of its own is counted over the cases all active filters give; a
facet with a selection over the cases the *other* filters give, so that
ticking a second option shows what it would add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.http import QueryDict

from cases.collation import pinyin_key
from cases.errors import MAX_SMALL_INTEGER, parse_positive_int
from cases.models import Agency, Region, Theme, batch_label

from .filters import FACET_PREFIX, FACETS, HAS_BASELINE_CHOICES, CaseFilter

# Facets whose options can run into the hundreds show only the largest few.
MAX_OPTIONS = {"agency": 15, "batch": 12}


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


def _labels(case_filter: CaseFilter, name: str, values: set[str]) -> list[tuple[str, str]]:
    """(value, label) in display order; names come from the catalog index, not a query per request."""
    if name == "batch":
        batches = sorted({n for v in values if (n := _batch_number(v)) is not None}, reverse=True)
        return [(str(batch), batch_label(batch)) for batch in batches]
    if name in ("theme", "region", "agency"):
        known = case_filter.catalog().labels(name)
        found = [(value, label) for value, label in known.items() if value in values]
        missing = values - known.keys()
        if missing:  # e.g. an agency created since the index was built: ask the database
            model = {"theme": Theme, "region": Region, "agency": Agency}[name]
            found += list(model.objects.filter(slug__in=missing).values_list("slug", "name"))
        return found
    choices = {"kind": Agency.Kind.choices, "level": Agency.Level.choices, "has_baseline": HAS_BASELINE_CHOICES}[name]
    return [(str(value), str(label)) for value, label in choices if value in values]


@lru_cache(maxsize=4096)
def _batch_number(value: str) -> int | None:
    """A batch value as the filter reads it (cases.errors' one parser: ４ is 4; ④, ⁴ and ₄ are not numbers).

    Kept per value: a catalog with hundreds of batches reads each of them several times a page.
    """
    return parse_positive_int(value, maximum=MAX_SMALL_INTEGER)


def _selected(case_filter: CaseFilter, name: str) -> set[str]:
    """The values of ``name`` the reader chose, spelled as the options spell them."""
    chosen = case_filter.data.getlist(name)
    if name == "batch":
        return {str(n) for value in chosen if (n := _batch_number(value)) is not None}
    return set(chosen)


def _facet(case_filter: CaseFilter, name: str, counted: dict[str, int]) -> Facet:
    selected = _selected(case_filter, name)
    facet = Facet(name=name, label=str(case_filter.filters[name].label))
    limit = MAX_OPTIONS.get(name)
    if limit and len(counted) > limit:
        order = (lambda v: -(_batch_number(v) or 0)) if name == "batch" else (lambda v: (-counted[v], v))
        kept = sorted(counted, key=order)[:limit]
        facet.hidden = len(counted) - limit
        counted = {value: counted[value] for value in kept}
    for value, label in _labels(case_filter, name, set(counted) | selected):
        facet.options.append(Option(value, label, counted.get(value, 0), value in selected))
    if name == "agency":
        facet.options.sort(key=lambda option: (not option.selected, -option.count, pinyin_key(option.label)))
    return facet


def build_facets(case_filter: CaseFilter) -> list[Facet]:
    index = case_filter.catalog()
    active = case_filter.active_facets()
    facets = []
    for name in FACETS:
        members = case_filter.bitmap(excluded=name if name in active else None)
        facets.append(_facet(case_filter, name, index.count(members, FACET_PREFIX.get(name, name))))
    return facets


def _spelled(name: str, value: str) -> str:
    if name == "batch" and (number := _batch_number(value)) is not None:
        return str(number)
    return value


def build_chips(data: QueryDict, facets: list[Facet], path: str) -> list[Chip]:
    chips = []
    for facet in facets:
        for option in facet.selected:
            remaining = data.copy()
            kept = [v for v in data.getlist(facet.name) if _spelled(facet.name, v) != option.value]
            remaining.setlist(facet.name, kept)
            remaining.pop("page", None)
            chips.append(Chip(facet.label, option.label, f"{path}?{remaining.urlencode()}"))
    return chips


def clear_filters_url(data: QueryDict, path: str) -> str:
    kept = {key: data.get(key) for key in ("q", "sort") if data.get(key)}
    return f"{path}?{urlencode(kept)}" if kept else path
