"""One FilterSet for the case list page and /api/cases/: filters, search, sort.

Facet filters are OR within a facet and AND across facets. Each is a
``pk IN (SELECT case_id FROM cases_casefacet WHERE key IN …)``, so the main
query never joins agencies or needs DISTINCT, and facet counts read the same
table (see cases.facets).
"""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Agency, Case, CaseFacet, Notice, Region, Responsibility, Theme
from .search import SearchMatch, SearchQuery

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


def facet_key(name: str, value) -> str:
    """The CaseFacet key of one cleaned filter value (a Notice, Theme, Region, Agency or a string)."""
    if isinstance(value, Notice):
        value = value.batch
    elif hasattr(value, "slug"):
        value = value.slug
    return f"{FACET_PREFIX.get(name, name)}:{value}"


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_search")
    batch = django_filters.ModelMultipleChoiceFilter(
        label=_("批次"), to_field_name="batch", queryset=Notice.objects.all(), method="filter_facet"
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("主题"), to_field_name="slug", queryset=Theme.objects.all(), method="filter_facet"
    )
    kind = django_filters.MultipleChoiceFilter(label=_("单位类别"), choices=Agency.Kind.choices, method="filter_facet")
    level = django_filters.MultipleChoiceFilter(
        label=_("单位层级"), choices=Agency.Level.choices, method="filter_facet"
    )
    region = django_filters.ModelMultipleChoiceFilter(
        label=_("市县"), to_field_name="slug", queryset=Region.objects.all(), method="filter_facet"
    )
    agency = django_filters.ModelMultipleChoiceFilter(
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

    # Filters are not applied one by one: filter_queryset reads the cleaned
    # values and builds the set of matching ids from CaseFacet and the search
    # index alone, touching the case table only for the page shown.
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

    def search_match(self) -> SearchMatch:
        if "_search_match" not in self.__dict__:
            self._search_match = SearchMatch(self.queryset.db, self.search_query)
        return self._search_match

    def count(self) -> int:
        if "_count" not in self.__dict__:
            ids = self.case_ids()
            self._count = Case.objects.count() if ids is None else ids.count()
        return self._count

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
    queryset = Case.objects.all() if queryset is None else queryset
    case_filter = CaseFilter(data, queryset=queryset)
    if case_filter.is_valid():
        return case_filter, []
    invalid = [name for name in case_filter.errors if name in case_filter.filters]
    cleaned = data.copy()
    for name in invalid:
        cleaned.pop(name, None)
    return CaseFilter(cleaned, queryset=queryset), invalid


class ResponsibilityFilter(django_filters.FilterSet):
    """The responsibility table (Annex 2), filterable by unit and by case."""

    agency = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        to_field_name="slug",
        queryset=Agency.objects.filter(responsibilities__isnull=False).distinct(),
        empty_label=_("全部单位"),
    )
    case = django_filters.ChoiceFilter(label=_("案例"), method="filter_case", empty_label=_("全部案例"))

    class Meta:
        model = Responsibility
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cases = (
            Case.objects.filter(responsibilities__isnull=False).distinct()
            .select_related("notice").order_by("-batch", "number")
        )
        self.filters["case"].extra["choices"] = [
            (case.code, f"{case.notice.batch_label}案例{case.number} {case.title}") for case in cases
        ]

    def filter_case(self, queryset, name, value):
        batch, _, number = value.partition("-")
        return queryset.filter(case__batch=int(batch), case__number=int(number))
