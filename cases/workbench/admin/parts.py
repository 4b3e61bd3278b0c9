"""The parts of a case and the small lists editors keep: regions, themes, sections, metrics, responsibilities,
aliases, lead agencies and annexes. Metrics and responsibilities import from spreadsheets with a preview."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from cases.admin_history import HistoryAdmin, InlineOnlyAdmin
from cases.models import AgencyAlias, Annex, CaseAgency, Metric, Region, Responsibility, Section, Theme
from cases.spreadsheets import MetricResource, ResponsibilityResource

from .base import ExportSelectedMixin


@admin.register(Region)
class RegionAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "kind", "code", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(HistoryAdmin):
    list_display = ["name", "slug", "position", "case_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_case_counts()

    @admin.display(description=_("案例数"), ordering="case_count")
    def case_count(self, obj) -> int:
        return obj.case_count


@admin.register(Section)
class SectionAdmin(InlineOnlyAdmin, HistoryAdmin):
    list_display = ["case", "kind", "position", "label", "heading"]
    list_filter = ["kind", "case__notice"]
    search_fields = ["heading", "body", "case__title"]
    list_select_related = ["case__notice"]


@admin.register(Metric)
class MetricAdmin(ImportExportMixin, ExportSelectedMixin, HistoryAdmin):
    list_display = ["case", "label", "printed", "value", "unit", "baseline_printed", "period", "is_key"]
    list_filter = ["is_key", "approximate", "case__notice", "case"]
    search_fields = ["label", "printed", "source_text"]
    list_select_related = ["case__notice"]
    resource_classes = [MetricResource]


@admin.register(Responsibility)
class ResponsibilityAdmin(ImportExportMixin, ExportSelectedMixin, HistoryAdmin):
    list_display = ["case", "agency", "role", "reconstructed", "note"]
    list_filter = ["reconstructed", "role", "case__notice"]
    search_fields = ["agency__name", "case__title"]
    list_select_related = ["case__notice", "agency"]
    autocomplete_fields = ["agency"]
    resource_classes = [ResponsibilityResource]


@admin.register(AgencyAlias)
class AgencyAliasAdmin(InlineOnlyAdmin, HistoryAdmin):
    list_display = ["name", "agency"]
    search_fields = ["name", "agency__name"]
    list_select_related = ["agency"]


@admin.register(CaseAgency)
class CaseAgencyAdmin(InlineOnlyAdmin, HistoryAdmin):
    list_display = ["case", "position", "agency"]
    list_filter = ["case__notice"]
    search_fields = ["agency__name", "case__title"]
    list_select_related = ["case__notice", "agency"]
    autocomplete_fields = ["agency"]


@admin.register(Annex)
class AnnexAdmin(InlineOnlyAdmin, HistoryAdmin):
    list_display = ["notice", "number", "title", "kind", "image_name"]
    list_filter = ["kind"]
    search_fields = ["title"]
