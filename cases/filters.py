"""The responsibility table's filter (Annex 2): by unit and by case."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Agency, Case, Responsibility
from .querysets import PUBLISHED


class ResponsibilityFilter(django_filters.FilterSet):
    """The responsibility table (Annex 2), filterable by unit and by case."""

    agency = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        to_field_name="slug",
        queryset=Agency.objects.filter(responsibilities__case__status=PUBLISHED).distinct(),
        empty_label=_("全部单位"),
    )
    case = django_filters.ChoiceFilter(label=_("案例"), method="filter_case", empty_label=_("全部案例"))

    class Meta:
        model = Responsibility
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cases = (
            Case.objects.published()
            .filter(responsibilities__isnull=False)
            .distinct()
            .select_related("notice")
            .order_by("-batch", "number")
        )
        self.filters["case"].extra["choices"] = [
            (case.code, f"{case.notice.batch_label}案例{case.number} {case.title}") for case in cases
        ]

    def filter_case(self, queryset, name, value):
        batch, _, number = value.partition("-")
        return queryset.filter(case__batch=int(batch), case__number=int(number))
