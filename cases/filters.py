"""One FilterSet for the case list page and /api/cases/: filters, search, sort.

Facet filters are OR within a facet and AND across facets. Each is a
``pk IN (SELECT case_id FROM cases_casefacet WHERE key IN …)``, so the main
query never joins agencies or needs DISTINCT, and facet counts read the same
table (see cases.facets).
"""

import re
from collections.abc import Sequence
from itertools import product

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelMultipleChoiceField

from .engine import CatalogIndex, catalog_index, page_positions
from .errors import MAX_SMALL_INTEGER, parse_positive_int
from .models import Agency, Case, CaseFacet, Notice, Region, Responsibility, Theme
from .search import SearchMatch, SearchQuery

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")

SORT_CHOICES = [
    ("relevance", _("相关度")),
    ("newest", _("最新批次")),
    ("number", _("案例编号")),
]
SORT_ORDER = {
    "relevance": ["-relevance", "-batch", "number"],
    "newest": ["-batch", "number"],
    "number": ["batch", "number"],
}
HAS_BASELINE_CHOICES = [("1", _("有前后对比数据"))]


FACETS = ("theme", "batch", "kind", "level", "region", "agency", "has_baseline")
FACET_PREFIX = {"has_baseline": "baseline"}


# (in title, in headings, in intro), highest relevance first; see cases.search.
RELEVANCE_CLASSES = sorted(product((1, 0), repeat=3), key=lambda c: -(8 * c[0] + 4 * c[1] + 2 * c[2]))


class RankedCases(Sequence):
    """Ranked case ids, sliced lazily: (case id, relevance or None) for each."""

    def __init__(self, index: CatalogIndex, classes: list[int], scores: list[int | None], *,
                 batch_ascending: bool = False):
        self.index, self.classes, self.scores = index, classes, scores
        self.batch_ascending = batch_ascending
        self.size = sum(members.bit_count() for members in classes)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item:item + 1][0]
        start, stop, _ = item.indices(self.size)
        found = page_positions(self.index, self.classes, start, max(0, stop - start),
                               batch_ascending=self.batch_ascending)
        return [(self.index.order[at], self.scores[c]) for c, at in found]


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
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": str(item)[:40]})
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

    @property
    def search_query(self) -> SearchQuery:
        return SearchQuery.parse(self.form.cleaned_data.get("q") if self.is_valid() else None)

    def active_facets(self) -> set[str]:
        return {name for name in FACETS if self.form.cleaned_data.get(name)}

    # Filters are not applied one by one: the cleaned values are read as a
    # whole, either in-process (bitmap, ranked: the list page and the API) or
    # as SQL (filter_queryset, for callers that want a QuerySet), from
    # CaseFacet and the search index alone.
    def filter_search(self, queryset, name, value):
        return queryset

    def filter_facet(self, queryset, name, value):
        return queryset

    def keep(self, queryset, name, value):
        return queryset

    def facet_keys(self, name: str) -> list[str]:
        value = self.form.cleaned_data.get(name)
        if not value:
            return []
        values = value if isinstance(value, list | tuple) or hasattr(value, "model") else [value]
        return [facet_key(name, v) for v in values]

    def case_ids(self, excluded: str | None = None) -> QuerySet | None:
        """Ids of the cases that the active filters, except ``excluded``, give; None when none applies.

        OR within a facet (any chosen value), AND across facets and the search.
        """
        cache = self.__dict__.setdefault("_case_ids", {})
        if excluded not in cache:
            cache[excluded] = self._build_case_ids(excluded)
        return cache[excluded]

    def _build_case_ids(self, excluded: str | None) -> QuerySet | None:
        ids = None
        for name in FACETS:
            keys = self.facet_keys(name) if name != excluded else []
            if keys:
                rows = CaseFacet.objects.filter(key__in=keys)
                ids = rows if ids is None else rows.filter(case_id__in=ids.values("case_id"))
        query = self.search_query
        if query:
            # Every case has exactly one batch value: those rows are the set of all cases.
            universe = CaseFacet.objects.filter(**CaseFacet.prefix_range("batch")) if ids is None else ids
            ids = universe.filter(case_id__in=self.search_match().ids())
        return None if ids is None else ids.values("case_id").distinct()

    # In-process evaluation (cases.engine): what the list page and the API use.
    def catalog(self) -> CatalogIndex:
        if "_catalog" not in self.__dict__:
            self._catalog = catalog_index(self.queryset.db)
        return self._catalog

    def bitmap(self, excluded: str | None = None) -> int:
        """The cases that the active filters, except ``excluded``, give."""
        memo = self.__dict__.setdefault("_bitmaps", {})
        if excluded not in memo:
            index = self.catalog()
            bitmap = index.everything
            for name in FACETS:
                if name != excluded and (keys := self.facet_keys(name)):
                    bitmap &= index.any_of(keys)
            if self.search_query:
                bitmap &= self.search_bitmaps()[0]
            memo[excluded] = bitmap
        return memo[excluded]

    def search_bitmaps(self) -> list[int]:
        if "_search_bitmaps" not in self.__dict__:
            index = self.catalog()
            self._search_bitmaps = [index.bitmap(ids) for ids in self.search_match().id_lists()]
        return self._search_bitmaps

    def sort_key(self) -> str:
        sort = self.form.cleaned_data.get("sort") or ""
        if sort not in SORT_ORDER or (sort == "relevance" and not self.search_query):
            sort = "relevance" if self.search_query else "newest"
        return sort

    def ranked(self) -> RankedCases:
        """The matching case ids in the chosen order, as a sequence a Paginator can slice."""
        matching = self.bitmap()
        if self.sort_key() != "relevance":
            return RankedCases(self.catalog(), [matching], [None], batch_ascending=self.sort_key() == "number")
        everything = self.catalog().everything
        title, headings, intro = self.search_bitmaps()[1:]
        classes, scores = [], []
        for in_title, in_headings, in_intro in RELEVANCE_CLASSES:
            members = matching
            for wanted, tier in ((in_title, title), (in_headings, headings), (in_intro, intro)):
                members &= tier if wanted else everything ^ tier
            classes.append(members)
            scores.append(1 + 8 * in_title + 4 * in_headings + 2 * in_intro)
        return RankedCases(self.catalog(), classes, scores)

    def search_match(self) -> SearchMatch:
        if "_search_match" not in self.__dict__:
            self._search_match = SearchMatch(self.queryset.db, self.search_query)
        return self._search_match

    def count(self) -> int:
        return self.bitmap().bit_count()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        ids = self.case_ids()
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        query = self.search_query
        if query:
            queryset = queryset.annotate(relevance=self.search_match().relevance())
        sort = self.form.cleaned_data.get("sort") or ""
        if sort not in SORT_ORDER or (sort == "relevance" and not query):
            sort = "relevance" if query else "newest"
        return queryset.order_by(*SORT_ORDER[sort])


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


class ResponsibilityFilter(django_filters.FilterSet):
    """The responsibility table (Annex 2), filterable by unit and by case."""

    agency = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        to_field_name="slug",
        queryset=Agency.objects.filter(responsibilities__case__status="published").distinct(),
        empty_label=_("全部单位"),
    )
    case = django_filters.ChoiceFilter(label=_("案例"), method="filter_case", empty_label=_("全部案例"))

    class Meta:
        model = Responsibility
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cases = (
            Case.objects.published().filter(responsibilities__isnull=False).distinct()
            .select_related("notice").order_by("-batch", "number")
        )
        self.filters["case"].extra["choices"] = [
            (case.code, f"{case.notice.batch_label}案例{case.number} {case.title}") for case in cases
        ]

    def filter_case(self, queryset, name, value):
        batch, _, number = value.partition("-")
        return queryset.filter(case__batch=int(batch), case__number=int(number))
