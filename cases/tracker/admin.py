"""The provincial office's view of adoption reports and officials in the admin."""

from django.contrib import admin

from cases.admin_history import HistoryAdmin, InlineOnlyAdmin

from .models import AdoptionReport, AdoptionResult, Evidence, OfficialProfile, ReviewComment


class ResultInline(admin.TabularInline):
    model = AdoptionResult
    extra = 0


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "url", "file", "original_name", "size", "uploaded_by"]
    readonly_fields = ["original_name", "size", "uploaded_by"]


class CommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0
    readonly_fields = ["author", "created_at"]


@admin.register(AdoptionReport)
class AdoptionReportAdmin(HistoryAdmin):
    list_display = ["case", "region", "agency", "status", "completed_on", "reviewed", "is_demo", "updated_at"]
    list_filter = ["status", "reviewed", "is_demo", "region", "case__notice"]
    search_fields = ["case__title", "region__name", "agency__name", "actions"]
    list_select_related = ["case__notice", "region", "agency"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["version", "reviewed_by", "reviewed_at", "updated_by", "created_at", "updated_at"]
    inlines = [ResultInline, EvidenceInline, CommentInline]


@admin.register(OfficialProfile)
class OfficialProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "agency", "phone"]
    list_filter = ["region"]
    search_fields = ["user__username", "agency__name", "region__name"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "region", "agency"]


@admin.register(AdoptionResult)
class AdoptionResultAdmin(InlineOnlyAdmin, HistoryAdmin):
    list_display = ["report", "label", "value", "unit"]
    search_fields = ["label"]


@admin.register(Evidence)
class EvidenceAdmin(InlineOnlyAdmin, HistoryAdmin):
    list_display = ["report", "title", "original_name", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["title", "original_name"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(InlineOnlyAdmin, admin.ModelAdmin):
    list_display = ["report", "author", "created_at"]
    search_fields = ["body"]
