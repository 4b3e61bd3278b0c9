"""Sets of cases as bitmaps, for filtering, counting, ranking and paging in-process.

Only published cases have a position: drafts are invisible to every
public listing, count and search. Counting facet values over tens of thousands of matching cases, or ranking
them, is slow as SQL (every statement re-derives the same set). Here each
case has a bit position in the catalog's newest-first order (batch
descending, number ascending), and each facet value a bitmap of the cases
that have it: an immutable roaring bitmap (pyroaring's ``FrozenBitMap``).
A request fetches its search matches once (cases.search.backends) and then
filters, counts (``intersection_cardinality``), ranks and pages (``rank``
and select by index) with set operations in C.

The bitmaps are built once per process for each CatalogVersion: any change
to the catalog's derived data gives a new version, so nothing stale is
served. Building reads one row per facet value (group_concat/string_agg).
"""

from __future__ import annotations

import array
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from pyroaring import FrozenBitMap

from cases.models import Agency, AgencyAlias, Case, Region, Theme

from .models import CatalogVersion, SynonymSet
from .ranking import CorpusStats
from .suggestions import Suggester, build_vocabulary
from .thesaurus import Thesaurus
from .tokens import normalize
from .words import Lexicon, quoted_terms

#: Titles read for their quoted key terms (一照(证)通行, 税保银互动); a synthetic catalog has thousands alike.
MAX_TITLES = 20000

#: The empty set of cases.
NOTHING = FrozenBitMap()


@dataclass(frozen=True)
class CatalogIndex:
    version: str
    order: list[int]  # case ids, newest first
    position: list[int]  # case id -> position in ``order`` (-1: no such case)
    blocks: list[tuple[int, int]]  # (start, end) positions of each batch, newest batch first
    keys: dict[str, FrozenBitMap]  # facet key -> positions of its cases
    everything: FrozenBitMap
    position_array: np.ndarray  # ``position`` as a numpy array, for vectorised lookups
    alias: str = "default"

    def bitmap(self, case_ids: Iterable[int] | np.ndarray) -> FrozenBitMap:
        """The positions of these case ids (ids unknown to this version are left out).

        A search for a common term hands over a hundred thousand ids at 100k
        cases. numpy maps them to positions in one gather (about 1.5 ms; a
        Python loop took 9), and the roaring bitmap is built from the
        resulting buffer without a Python object per id.
        """
        ids = case_ids if isinstance(case_ids, np.ndarray) else np.fromiter(case_ids, dtype=np.int64)
        ids = ids[(ids >= 0) & (ids < len(self.position_array))]
        at = self.position_array[ids]
        # Sorted first: pyroaring appends ascending values in bulk (0.07 ms for 9,900 with the sort, 0.30 without).
        return FrozenBitMap(array.array("I", np.sort(at[at >= 0]).astype(np.uint32).tobytes()))

    def any_of(self, keys: Iterable[str]) -> FrozenBitMap:
        members = [self.keys[key] for key in keys if key in self.keys]
        return FrozenBitMap.union(*members) if members else NOTHING

    def count(self, bitmap: FrozenBitMap, prefix: str) -> dict[str, int]:
        """Cases per value of one facet (keys starting with ``prefix:``) within ``bitmap``."""
        counts = {}
        for value, members in self.facet_values(prefix):
            if n := members.intersection_cardinality(bitmap):
                counts[value] = n
        return counts

    def labels(self, facet: str) -> dict[str, str]:
        """Display names of one facet's values (theme, region, agency), read once per catalog version.

        Renaming a theme or an agency reindexes its cases and a region's
        save bumps the version (cases.search.receivers), so the names are never stale.
        """
        return self._labels.get(facet, {})

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        return {
            "theme": dict(Theme.objects.using(self.alias).order_by("position", "name").values_list("slug", "name")),
            "region": dict(Region.objects.using(self.alias).order_by("position", "code").values_list("slug", "name")),
            "agency": dict(Agency.objects.using(self.alias).order_by("name").values_list("slug", "name")),
        }

    def facet_values(self, prefix: str) -> list[tuple[str, FrozenBitMap]]:
        """(value, bitmap) of every key of one facet, grouped once per catalog version."""
        return self._facet_groups.get(prefix, [])

    @cached_property
    def _facet_groups(self) -> dict[str, list[tuple[str, FrozenBitMap]]]:
        groups: dict[str, list[tuple[str, FrozenBitMap]]] = {}
        for key, members in self.keys.items():
            facet, _, value = key.partition(":")
            groups.setdefault(facet, []).append((value, members))
        return groups

    def ids(self, positions: Iterable[int]) -> list[int]:
        return [self.order[at] for at in positions]

    @cached_property
    def thesaurus(self):
        """Synonym sets and agencies' names with their aliases, read once per catalog version."""
        groups = [(s.word_list, s.one_way) for s in SynonymSet.objects.using(self.alias).order_by("pk")]
        names: dict[int, list[str]] = {}
        for pk, name, alias in (
            Agency.objects.using(self.alias)
            .filter(aliases__isnull=False)
            .values_list("pk", "name", "aliases__name")
            .order_by("pk", "aliases__name")
        ):
            names.setdefault(pk, [name]).append(alias)
        groups += [(words, False) for words in names.values()]
        return Thesaurus.from_groups(groups)

    @cached_property
    def lexicon(self) -> Lexicon:
        """The catalog's own words a query's pieces are joined back into (cases.search.words)."""
        words = set(self.thesaurus.expansions) | {w for forms in self.thesaurus.expansions.values() for w in forms}
        names = [
            *Theme.objects.using(self.alias).values_list("name", flat=True),
            *Agency.objects.using(self.alias).values_list("name", flat=True),
            *AgencyAlias.objects.using(self.alias).values_list("name", flat=True),
        ]
        words |= {normalize(name) for name in names}
        for title, subtitle in Case.objects.using(self.alias).published().values_list("title", "subtitle")[:MAX_TITLES]:
            words |= {normalize(term) for term in quoted_terms(f"{title} {subtitle}")}
        return Lexicon.of(words)

    @cached_property
    def stats(self):
        """Published cases and their tiers' average lengths, for BM25F (cases.search.ranking)."""
        return CorpusStats.read(self.alias, self.position)

    @cached_property
    def vocabulary(self) -> list[str]:
        """Words worth suggesting when a query finds nothing: the thesaurus, themes, agencies, headings."""
        return build_vocabulary(self.alias, self.thesaurus)

    @cached_property
    def suggester(self):
        return Suggester(self.vocabulary)

    @cached_property
    def cards(self) -> dict:
        """Result cards' fixed parts drawn for this version (cases.search.fragments), by case id."""
        return {}


_cache: dict[tuple[str, str], CatalogIndex] = {}
_lock = threading.Lock()


def catalog_index(alias: str = "default") -> CatalogIndex:
    """The index of the catalog's current version: this process's copy, the shared cache's, or a new build."""
    version = CatalogVersion.current(alias)
    if version is None:
        # No version yet (derived data never built): build, but do not keep.
        return _build(alias, "none")
    key = (alias, version)
    index = _cache.get(key)
    if index is None:
        with _lock:
            index = _cache.get(key) or _shared(alias, version)
            for stale in [k for k in _cache if k[0] == alias]:
                del _cache[stale]
            _cache[key] = index
    return index


def _shared(alias: str, version: str) -> CatalogIndex:
    """Built once per catalog version for every process: read from the shared cache, or built and put there.

    With Redis (REDIS_URL) every process and machine reads the index the first
    of them built (unpickling takes milliseconds where a build at 100,000
    cases takes ~0.4 s). Local memory is one process's own: nothing to share.
    """
    if not sharing():
        return _build(alias, version)
    shared_key = f"catalog-index:{alias}:{version}"
    index = cache.get(shared_key)
    if isinstance(index, CatalogIndex) and index.version == version:
        return index
    index = _build(alias, version)
    cache.set(shared_key, index, SHARED_SECONDS)
    return index


SHARED_SECONDS = 7 * 24 * 3600


def sharing() -> bool:
    return not settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def warm(alias: str = "default") -> None:
    """Have the current version's index ready (and shared) before an official's request needs it.

    Called when a worker starts (deploy/gunicorn.conf.py) and when a write
    commits a new catalog version (cases.search.receivers), so the editor's
    request pays for the build, not the next reader's. The thesaurus and the
    ranking statistics are read too.
    """
    index = catalog_index(alias)
    index.thesaurus  # noqa: B018 - read now, kept with the index
    index.stats  # noqa: B018
    index.lexicon  # noqa: B018


def clear() -> None:
    _cache.clear()


def _build(alias: str, version: str) -> CatalogIndex:
    rows = list(Case.objects.using(alias).published().order_by("-batch", "number").values_list("pk", "batch"))
    order = [pk for pk, _ in rows]
    blocks: list[tuple[int, int]] = []
    for at, (_, batch) in enumerate(rows):
        if at == 0 or rows[at - 1][1] != batch:
            blocks.append((at, at + 1))
        else:
            blocks[-1] = (blocks[-1][0], at + 1)
    position = [-1] * (max(order, default=0) + 1)
    for at, pk in enumerate(order):
        position[pk] = at
    index = CatalogIndex(
        version, order, position, blocks, {}, FrozenBitMap(range(len(order))), np.array(position, dtype=np.int64), alias
    )
    vendor = connections[alias].vendor
    concat = "group_concat(case_id)" if vendor == "sqlite" else "string_agg(case_id::text, ',')"
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT key, {concat} FROM cases_casefacet GROUP BY key")
        for key, members in cursor.fetchall():
            index.keys[key] = index.bitmap(np.array(members.split(","), dtype=np.int64))
    return index


def positions(bitmap: FrozenBitMap, skip: int = 0, take: int | None = None) -> list[int]:
    """The positions in ``bitmap``, ascending, after skipping ``skip`` of them (select by index)."""
    stop = len(bitmap) if take is None else min(len(bitmap), skip + take)
    return list(bitmap[skip:stop]) if skip < stop else []


def page_positions(
    index: CatalogIndex, classes: list[FrozenBitMap], offset: int, limit: int, *, batch_ascending: bool = False
) -> list[tuple[int, int]]:
    """(class index, position) for one page over ``classes`` in turn, each in catalog order.

    Catalog order is newest batch first; with ``batch_ascending`` the batches
    come oldest first, numbers still ascending within each.
    """
    found: list[tuple[int, int]] = []
    for class_index, members in enumerate(classes):
        size = len(members)
        if offset >= size:
            offset -= size
            continue
        if not batch_ascending:
            found += [(class_index, at) for at in positions(members, offset, limit - len(found))]
        else:
            for start, end in reversed(index.blocks):
                # Members before ``start`` and before ``end``: rank counts those up to a position.
                first = members.rank(start - 1) if start else 0
                size = members.rank(end - 1) - first
                if offset >= size:
                    offset -= size
                    continue
                take = min(size - offset, limit - len(found))
                found += [(class_index, at) for at in positions(members, first + offset, take)]
                offset = 0
                if len(found) >= limit:
                    break
        offset = 0
        if len(found) >= limit:
            break
    return found
