import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Agency, Case, Notice, Region, Theme


class CaseFilter(django_filters.FilterSet):
    """One FilterSet for the case list page and /api/cases/."""

    batch = django_filters.ModelChoiceFilter(
        label=_("批次"), field_name="notice", to_field_name="batch", queryset=Notice.objects.all(),
        empty_label=_("全部批次"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("主题"), field_name="themes", to_field_name="slug", queryset=Theme.objects.all(),
        empty_label=_("全部主题"),
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("申报单位"), field_name="agencies", to_field_name="slug", queryset=Agency.objects.all(),
        empty_label=_("全部单位"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("单位类别"), field_name="agencies__kind", choices=Agency.Kind.choices, distinct=True,
        empty_label=_("全部类别"),
    )
    level = django_filters.ChoiceFilter(
        label=_("单位层级"), field_name="agencies__level", choices=Agency.Level.choices, distinct=True,
        empty_label=_("全部层级"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("市县"), field_name="agencies__region", to_field_name="slug", queryset=Region.objects.all(),
        distinct=True, empty_label=_("全部市县"),
    )

    class Meta:
        model = Case
        fields: list[str] = []
