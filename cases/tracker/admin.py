"""The provincial office's view of adoption reports and officials in the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from cases.admin_history import HistoryAdmin, InlineOnlyAdmin
from cases.admin_inlines import LabelledTabularInline

from .models import (
    AdoptionReport,
    AdoptionResult,
    Evidence,
    OfficialProfile,
    PlanMeasure,
    PlanMilestone,
    PromotionPlan,
    ReviewComment,
    SentReminder,
)


class ResultInline(LabelledTabularInline):
    model = AdoptionResult
    extra = 0


class EvidenceInline(LabelledTabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "url", "file", "original_name", "size", "uploaded_by"]
    readonly_fields = ["original_name", "size", "uploaded_by"]


class CommentInline(LabelledTabularInline):
    """The report's conversation as it was written: who, when, what kind and when the unit read it."""

    model = ReviewComment
    extra = 0
    fields = ["kind", "author", "author_unit", "body", "created_at", "read_at", "read_by"]
    readonly_fields = ["kind", "author", "author_unit", "created_at", "read_at", "read_by"]

    def has_add_permission(self, request, obj=None):
        return False  # written on the report page, by its reviewers and its unit


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


class OfficialAccountAdmin(UserAdmin):
    """Accounts, as the provincial office gives them to officials: no way from here to more rights than its own.

    The office (permission ``auth.change_user`` without being a superuser)
    sees and changes only accounts that are neither staff nor superusers,
    and its forms have no staff, superuser, group or permission fields; it
    sets names, e-mail, active and passwords. A superuser keeps Django's
    whole page.
    """

    PRIVILEGES = {"is_staff", "is_superuser", "groups", "user_permissions"}

    def get_queryset(self, request):
        accounts = super().get_queryset(request)
        if request.user.is_superuser:
            return accounts
        return accounts.filter(is_staff=False, is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.PRIVILEGES]})
            for name, options in fieldsets
            if any(f not in self.PRIVILEGES for f in options["fields"])
        ]

    def get_list_filter(self, request):
        return super().get_list_filter(request) if request.user.is_superuser else ("is_active",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and (obj.is_staff or obj.is_superuser):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and (obj.is_staff or obj.is_superuser):
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, OfficialAccountAdmin)


class MilestoneInline(LabelledTabularInline):
    model = PlanMilestone
    extra = 0


class PlanMeasureInline(LabelledTabularInline):
    model = PlanMeasure
    extra = 0
    raw_id_fields = ["section"]


@admin.register(PromotionPlan)
class PromotionPlanAdmin(HistoryAdmin):
    """推广工作方案 as the office keeps them; units write and the office approves on the plan page."""

    list_display = ["case", "agency", "status", "starts_on", "approved_at", "updated_at"]
    list_filter = ["status", "case__notice"]
    search_fields = ["case__title", "agency__name"]
    filter_horizontal = ["regions", "departments"]
    readonly_fields = ["approved_by", "approved_at", "updated_by", "updated_at"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["case"]
    inlines = [MilestoneInline, PlanMeasureInline]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """What the daily run has sent: deleting a row lets that reminder go out again on the next run."""

    list_display = ["key", "recipients", "created_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "recipients", "created_at"]

    def has_add_permission(self, request):
        return False
