"""Agencies: their aliases, checking the ones an import created, merging duplicates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cases.admin_history import HistoryAdmin
from cases.admin_inlines import LabelledTabularInline
from cases.models import Agency, AgencyAlias
from cases.spreadsheets import AgencyResource
from cases.workbench.merging import MergeConflict, merge_agencies

from .base import ExportSelectedMixin


class AgencyAliasInline(LabelledTabularInline):
    model = AgencyAlias
    extra = 1


class MergeAgenciesForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Agency.objects.none(), widget=forms.RadioSelect, label=_("保留哪一个单位"), empty_label=None
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = agencies


@admin.register(Agency)
class AgencyAdmin(ExportSelectedMixin, HistoryAdmin):
    list_display = ["name", "kind", "level", "region", "case_count", "needs_review", "suggested_match"]
    list_filter = ["needs_review", "kind", "level", "region"]
    search_fields = ["name", "aliases__name"]
    list_select_related = ["region", "suggested_match"]
    inlines = [AgencyAliasInline]
    actions = ["merge_agencies_action", "merge_into_suggested_action", "mark_reviewed_action"]
    readonly_fields = ["review_note"]
    fieldsets = [
        (None, {"fields": ["name", "slug", ("kind", "level", "region")]}),
        (
            _("联系方式"),
            {
                "fields": [("contact_office", "contact_person"), "contact_phone", "contact_address", "website"],
                "description": _(
                    "在单位页和案例页上公开，供各市县、各部门学习借鉴时联系。通知原文不含联系方式，请按单位提供的信息填写。"
                ),
            },
        ),
        (
            _("核对"),
            {
                "fields": ["needs_review", "review_note", "suggested_match"],
                "description": _("导入通知时新建的单位标为“待核对”：核对名称、类别、层级和所在市县后取消勾选。"),
            },
        ),
    ]
    resource_classes = [AgencyResource]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    @admin.display(description=_("申报案例数"), ordering="case_count")
    def case_count(self, obj) -> int:
        return obj.case_count

    @admin.action(description=_("合并所选单位（把引用移到保留的单位，删除其余）"), permissions=["change", "delete"])
    def merge_agencies_action(self, request, queryset):
        agencies = queryset.model.objects.filter(pk__in=queryset.values("pk")).order_by("name")
        if agencies.count() < 2:
            self.message_user(request, _("请至少选择两个单位再合并。"), messages.WARNING)
            return None
        form = MergeAgenciesForm(request.POST if "keep" in request.POST else None, agencies=agencies)
        if form.is_bound and form.is_valid():
            keep = form.cleaned_data["keep"]
            duplicates = [a for a in agencies if a.pk != keep.pk]
            try:
                result = merge_agencies(keep, duplicates)
            except MergeConflict as conflict:
                self.message_user(request, str(conflict), messages.ERROR)
                return None
            message = _("已把 %(names)s 合并到“%(keep)s”：移动 %(moved)s 处引用，删除 %(n)s 个单位。") % {
                "names": "、".join(a.name for a in duplicates),
                "keep": keep.name,
                "moved": result.moved,
                "n": len(duplicates),
            }
            self.message_user(request, message, messages.SUCCESS)
            return None
        initial = request.GET.get("keep") or request.POST.get("keep")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "agencies": agencies,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "title": _("合并单位"),
            "initial": initial,
        }
        return TemplateResponse(request, "admin/cases/agency/merge.html", context)

    @admin.action(description=_("并入建议的单位（本单位名称成为其简称）"), permissions=["change", "delete"])
    def merge_into_suggested_action(self, request, queryset):
        merged = []
        for agency in queryset.model.objects.filter(pk__in=queryset.values("pk"), suggested_match__isnull=False):
            keep = agency.suggested_match
            try:
                merge_agencies(keep, [agency])
            except MergeConflict as conflict:
                self.message_user(request, str(conflict), messages.ERROR)
                continue
            merged.append(f"{agency.name} → {keep.name}")
        if merged:
            self.message_user(request, _("已并入：%(list)s。") % {"list": "；".join(merged)}, messages.SUCCESS)
        else:
            self.message_user(request, _("所选单位都没有建议并入的单位。"), messages.WARNING)

    @admin.action(description=_("标为已核对"), permissions=["change"])
    def mark_reviewed_action(self, request, queryset):
        changed = 0
        for agency in queryset.filter(needs_review=True):
            agency.needs_review = False
            agency._change_reason = "核对完毕"
            agency.save()
            changed += 1
        self.message_user(request, _("已将 %(n)s 个单位标为已核对。") % {"n": changed}, messages.SUCCESS)

    def get_urls(self):
        return [
            path("<path:object_id>/merge/", self.admin_site.admin_view(self.merge_view), name="cases_agency_merge"),
            *super().get_urls(),
        ]

    def merge_view(self, request, object_id):
        """Start a merge from one agency (offered when deleting it is refused)."""
        if not (self.has_change_permission(request) and self.has_delete_permission(request)):
            raise PermissionDenied
        agency = get_object_or_404(Agency, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "agency": agency,
            "title": _("把“%(name)s”合并到另一个单位") % {"name": agency.name},
            "candidates": Agency.objects.exclude(pk=agency.pk).order_by("name"),
        }
        if request.method == "POST":
            keep = Agency.objects.filter(pk=request.POST.get("keep")).exclude(pk=agency.pk).first()
            if keep is None:
                context["error"] = _("请选择要保留的单位。")
            else:
                result = merge_agencies(keep, [agency])
                self.message_user(
                    request,
                    _("已把“%(dup)s”合并到“%(keep)s”，移动 %(moved)s 处引用。")
                    % {"dup": agency.name, "keep": keep.name, "moved": result.moved},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:cases_agency_change", args=[keep.pk]))
        return TemplateResponse(request, "admin/cases/agency/merge_one.html", context)

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "merge_url": reverse("admin:cases_agency_merge", args=[object_id])}
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        try:
            super().delete_queryset(request, queryset)
        except ProtectedError:
            self.message_user(
                request, _("所选单位中有被案例引用的，不能删除；请用“合并所选单位”把它并入保留的单位。"), messages.ERROR
            )
