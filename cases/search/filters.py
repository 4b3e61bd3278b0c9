"""One FilterSet for the case list page, /api/cases/ and the downloads: filters, search, sort.

Facet filters are OR within a facet and AND across facets, a search's words
all match (or, when no case holds them all, most of them: cases.search.matching).
Everything is evaluated in-process on the catalog's bitmaps (cases.search.engine),
ranked by BM25F (cases.search.ranking), and only the page's cases are loaded.
"""

from collections.abc import Sequence
from functools import cached_property

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelMultipleChoiceField
from pyroaring import FrozenBitMap

from cases.errors import MAX_SMALL_INTEGER, SLUG, parse_positive_int
from cases.extensions import list_filters
from cases.models import Agency, Case, Notice, Region, Theme

from . import ranking
from .engine import CatalogIndex, catalog_index, page_positions
from .matching import QueryMatch, match_query
from .query import SearchQuery

SORT_CHOICES = [
    ("relevance", _("相关度")),
    ("newest", _("最新批次")),
    ("number", _("案例编号")),
]
SORTS = ("relevance", "newest", "number")
HAS_BASELINE_CHOICES = [("1", _("有前后对比数据"))]


FACETS = ("theme", "batch", "kind", "level", "region", "agency", "has_baseline")
FACET_PREFIX = {"has_baseline": "baseline"}


class RankedCases(Sequence):
    """Ranked case ids, sliced lazily: (case id, relevance or None) for each.

    ``window``: the first cases, already in score order; after them come the
    ``classes`` (each in catalog order) from position ``len(window)`` on. The
    window holds the first cases of the class order, so nothing is skipped
    or repeated where the two meet.
    """

    def __init__(
        self,
        index: CatalogIndex,
        classes: list[FrozenBitMap],
        *,
        window: list[int] | None = None,
        scores: dict[int, float] | None = None,
        batch_ascending: bool = False,
    ):
        self.index, self.classes = index, classes
        self.window = window or []
        self.scores = scores if scores is not None else {}
        self.batch_ascending = batch_ascending
        self.size = sum(len(members) for members in classes)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        start, stop, _ = item.indices(self.size)
        ids = self.window[start:stop]
        rest_start = max(start, len(self.window))
        if stop > rest_start:
            found = page_positions(
                self.index, self.classes, rest_start, stop - rest_start, batch_ascending=self.batch_ascending
            )
            ids += [self.index.order[at] for _, at in found]
        return [(pk, self.scores.get(pk)) for pk in ids]


class CheckedChoiceField(ModelMultipleChoiceField):
    """Refuses values that cannot be a key before the database sees them (overlong numbers, NUL, odd text).

    Batches are positive integers (full-width digits are read as digits),
    other keys are slugs; anything else is an invalid value, which the list
    page drops and names and the API answers with a 400.
    """

    def __init__(self, *args, numeric: bool = False, **kwargs):
        self.numeric = numeric
        super().__init__(*args, **kwargs)

    def _check_values(self, value):
        checked = []
        for item in value:
            if self.numeric:
                number = parse_positive_int(item, maximum=MAX_SMALL_INTEGER)
                ok, item = number is not None, str(number)
            else:
                ok = isinstance(item, str) and SLUG.fullmatch(item) is not None
            if not ok:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(item)[:40]}
                )
            checked.append(item)
        return super()._check_values(checked)


class CheckedChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CheckedChoiceField


class BatchChoiceFilter(CheckedChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["numeric"] = True


def facet_key(name: str, value) -> str:
    """The CaseFacet key of one cleaned filter value (a Notice, Theme, Region, Agency or a string)."""
    if isinstance(value, Notice):
        value = value.batch
    elif hasattr(value, "slug"):
        value = value.slug
    return f"{FACET_PREFIX.get(name, name)}:{value}"


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_search")
    batch = BatchChoiceFilter(
        label=_("批次"), to_field_name="batch", queryset=Notice.objects.all(), method="filter_facet"
    )
    theme = CheckedChoiceFilter(
        label=_("主题"), to_field_name="slug", queryset=Theme.objects.all(), method="filter_facet"
    )
    kind = django_filters.MultipleChoiceFilter(label=_("单位类别"), choices=Agency.Kind.choices, method="filter_facet")
    level = django_filters.MultipleChoiceFilter(
        label=_("单位层级"), choices=Agency.Level.choices, method="filter_facet"
    )
    region = CheckedChoiceFilter(
        label=_("市县"), to_field_name="slug", queryset=Region.objects.all(), method="filter_facet"
    )
    agency = CheckedChoiceFilter(
        label=_("申报单位"), to_field_name="slug", queryset=Agency.objects.all(), method="filter_facet"
    )
    has_baseline = django_filters.ChoiceFilter(
        label=_("前后对比"), choices=HAS_BASELINE_CHOICES, method="filter_facet", empty_label=_("不限")
    )
    sort = django_filters.ChoiceFilter(label=_("排序"), choices=SORT_CHOICES, method="keep", empty_label=None)

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for list_filter in list_filters:  # what other rooms filter by (the tracker: where cases have landed)
            self.filters.update(list_filter.filters())

    @cached_property
    def _other_rooms(self) -> list[tuple[object, str, FrozenBitMap, str]]:
        """(filter, how, cases, words) of each other room's filter in use: "only" these cases, or all "except" them."""
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        found = []
        for list_filter in list_filters:
            values = {param: cleaned.get(param) for param in list_filter.params}
            answer = list_filter.apply(values)
            if answer is not None:
                how, ids = answer
                found.append((list_filter, how, self.catalog().bitmap(list(ids)), list_filter.describe(values)))
        return found

    def other_rooms_in_use(self) -> list[tuple[object, str]]:
        """(filter, its words) of each other room's filter that the cleaned values put in use."""
        return [(list_filter, words) for list_filter, _, _, words in self._other_rooms]

    @property
    def search_query(self) -> SearchQuery:
        raw = self.form.cleaned_data.get("q") if self.is_valid() else None
        return SearchQuery.parse(raw, self.catalog().thesaurus if raw and raw.strip() else None)

    def active_facets(self) -> set[str]:
        return {name for name in FACETS if self.facet_keys(name)}

    # Filters are not applied one by one: the cleaned values are read as a
    # whole, in-process, from the catalog index (bitmap, ranked).
    def filter_search(self, queryset, name, value):
        return queryset

    def filter_facet(self, queryset, name, value):
        return queryset

    def keep(self, queryset, name, value):
        return queryset

    def facet_keys(self, name: str) -> list[str]:
        value = self.form.cleaned_data.get(name)
        if isinstance(value, QuerySet) and value.query.is_empty():
            return []  # an unused choice filter's ``none()``: asking it for truth would compile and run it
        if not value:
            return []
        values = value if isinstance(value, list | tuple) or hasattr(value, "model") else [value]
        return [facet_key(name, v) for v in values]

    def catalog(self) -> CatalogIndex:
        return self._catalog

    @cached_property
    def _catalog(self) -> CatalogIndex:
        return catalog_index(self.queryset.db)

    def query_match(self) -> QueryMatch | None:
        """What the search matches (None without a search)."""
        return self._query_match

    @cached_property
    def _query_match(self) -> QueryMatch | None:
        query = self.search_query
        return match_query(self.catalog(), query) if query else None

    def bitmap(self, excluded: str | None = None) -> FrozenBitMap:
        """The cases that the active filters, except ``excluded``, give."""
        if excluded not in self._bitmaps:
            index = self.catalog()
            bitmap = index.everything
            for name in FACETS:
                if name != excluded and (keys := self.facet_keys(name)):
                    bitmap &= index.any_of(keys)
            if (match := self.query_match()) is not None:
                bitmap &= match.bitmap
            for _, how, cases, _ in self._other_rooms:
                bitmap = bitmap & cases if how == "only" else bitmap - cases
            self._bitmaps[excluded] = bitmap
        return self._bitmaps[excluded]

    @cached_property
    def _bitmaps(self) -> dict[str | None, FrozenBitMap]:
        return {}

    def sort_key(self) -> str:
        sort = self.form.cleaned_data.get("sort") or ""
        if sort not in SORTS or (sort == "relevance" and not self.search_query):
            sort = "relevance" if self.search_query else "newest"
        return sort

    def ranked(self) -> RankedCases:
        """The matching case ids in the chosen order, as a sequence a Paginator can slice."""
        return self._ranked

    @cached_property
    def _ranked(self) -> RankedCases:
        index, matching = self.catalog(), self.bitmap()
        match = self.query_match()
        if self.sort_key() != "relevance" or match is None:
            ranked = RankedCases(index, [matching], batch_ascending=self.sort_key() == "number")
        else:
            classes = match.classes(matching, index.everything)
            candidates = [pk for pk, _ in RankedCases(index, classes)[0 : ranking.rank_window()]]
            scores = self.scores_of(candidates)
            # Partial results: more words first. Equal scores: catalog order (newest batch, then number).
            words = {pk: match.held(index.position[pk]) for pk in candidates} if match.partial else {}
            window = sorted(candidates, key=lambda pk: (-words.get(pk, 0), -scores[pk], index.position[pk]))
            ranked = RankedCases(index, classes, window=window, scores=scores)
        return ranked

    def scores_of(self, case_ids: list[int]) -> dict[int, float]:
        """BM25F of these cases for the search's words (cases.search.ranking)."""
        match = self.query_match()
        if match is None or not case_ids:
            return {}
        index = self.catalog()
        frequencies = [len(word.anywhere) for word in match.words]
        # A term found as typed is exact by design; word boundaries weigh in once the query is taken as words.
        return ranking.scores(index.alias, case_ids, match.forms, frequencies, index.stats, by_words=match.understood)

    def count(self) -> int:
        return len(self.bitmap())

    def matching_ids(self) -> list[int]:
        ranked = self.ranked()
        return [pk for pk, _ in ranked[0 : len(ranked)]]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """The matching cases as a QuerySet (unordered): the same in-process evaluation, no SQL of its own."""
        return queryset.filter(pk__in=self.matching_ids())


def bound_case_filter(data, queryset: QuerySet | None = None) -> tuple[CaseFilter, list[str]]:
    """A CaseFilter on ``data``; parameters with invalid values are dropped and named."""
    queryset = Case.objects.published() if queryset is None else queryset
    case_filter = CaseFilter(data, queryset=queryset)
    if case_filter.is_valid():
        return case_filter, []
    invalid = [name for name in case_filter.errors if name in case_filter.filters]
    cleaned = data.copy()
    for name in invalid:
        cleaned.pop(name, None)
    retried = CaseFilter(cleaned, queryset=queryset)
    retried.is_valid()
    return retried, invalid
