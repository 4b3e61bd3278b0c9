"""Django admin for editors: one page per case, with its parts inline."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Agency,
    AgencyAlias,
    Annex,
    Case,
    CaseAgency,
    Measure,
    Metric,
    Notice,
    Outcome,
    Region,
    Responsibility,
    Section,
    Theme,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "code", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"slug": ["name"]}


class AnnexInline(admin.TabularInline):
    model = Annex
    extra = 0


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["batch", "title", "issuer", "issued_on", "publicity"]
    search_fields = ["title", "body", "issuer"]
    list_filter = ["publicity", "issuer"]
    inlines = [AnnexInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "case_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_case_counts()

    @admin.display(description=_("案例数"), ordering="case_count")
    def case_count(self, obj) -> int:
        return obj.case_count


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "region", "case_count"]
    list_filter = ["kind", "level", "region"]
    search_fields = ["name", "aliases__name"]
    list_select_related = ["region"]
    inlines = [AgencyAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    @admin.display(description=_("申报案例数"), ordering="case_count")
    def case_count(self, obj) -> int:
        return obj.case_count


class CaseAgencyInline(admin.TabularInline):
    model = CaseAgency
    extra = 0
    autocomplete_fields = ["agency"]


class SectionInline(admin.StackedInline):
    extra = 0
    fields = [("position", "label"), "heading", "body"]


class MeasureInline(SectionInline):
    model = Measure


class OutcomeInline(SectionInline):
    model = Outcome


class MetricInline(admin.StackedInline):
    model = Metric
    extra = 0
    fields = [
        ("position", "is_key", "label"),
        ("printed", "value", "upper_value", "unit", "approximate"),
        ("baseline_printed", "baseline_value", "baseline_unit"),
        ("section", "period"),
        "source_text",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            # Only the sections of the case being edited are valid sources.
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(case_id=object_id).select_related("case__notice")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["code_display", "title", "lead_agencies", "updated_at"]
    list_display_links = ["code_display", "title"]
    list_filter = ["notice", "themes", "agencies__kind"]
    search_fields = ["title", "subtitle", "intro", "agencies__name", "agencies__aliases__name"]
    filter_horizontal = ["themes"]
    fieldsets = [
        (None, {"fields": [("notice", "number", "label"), "title", ("subtitle", "subtitle_separator"), "intro"]}),
        (_("小标题"), {"fields": [("measures_heading", "outcomes_heading")]}),
        (_("主题（编辑分类）"), {"fields": ["themes"]}),
    ]
    inlines = [CaseAgencyInline, MeasureInline, OutcomeInline, MetricInline, ResponsibilityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    @admin.display(description=_("编号"), ordering="number")
    def code_display(self, obj: Case) -> str:
        return obj.code

    @admin.display(description=_("申报单位"))
    def lead_agencies(self, obj: Case) -> str:
        return "、".join(link.agency.name for link in obj.case_agencies.all())


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "position", "label", "heading"]
    list_filter = ["kind", "case__notice"]
    search_fields = ["heading", "body", "case__title"]
    list_select_related = ["case__notice"]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["case", "label", "printed", "value", "unit", "baseline_printed", "period", "is_key"]
    list_filter = ["is_key", "approximate", "case__notice", "case"]
    search_fields = ["label", "printed", "source_text"]
    list_select_related = ["case__notice"]


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ["case", "agency", "role", "reconstructed", "note"]
    list_filter = ["reconstructed", "role", "case__notice"]
    search_fields = ["agency__name", "case__title"]
    list_select_related = ["case__notice", "agency"]
    autocomplete_fields = ["agency"]


@admin.register(AgencyAlias)
class AgencyAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "agency"]
    search_fields = ["name", "agency__name"]
    list_select_related = ["agency"]


@admin.register(CaseAgency)
class CaseAgencyAdmin(admin.ModelAdmin):
    list_display = ["case", "position", "agency"]
    list_filter = ["case__notice"]
    search_fields = ["agency__name", "case__title"]
    list_select_related = ["case__notice", "agency"]
    autocomplete_fields = ["agency"]


@admin.register(Annex)
class AnnexAdmin(admin.ModelAdmin):
    list_display = ["notice", "number", "title", "kind", "image_name"]
    list_filter = ["kind"]
    search_fields = ["title"]
