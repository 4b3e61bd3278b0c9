"""The case page: the case with its parts inline, publishing, its timeline and metric candidates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases import roles
from cases.admin_history import HistoryAdmin
from cases.admin_inlines import LabelledTabularInline
from cases.models import Case, CaseAgency, Measure, Metric, Outcome, Responsibility, Section
from cases.publishing import set_status
from cases.spreadsheets import CaseResource
from cases.workbench.metric_candidates import propose_metrics
from cases.workbench.timeline import case_timeline

from .base import ExportSelectedMixin


class CaseAgencyInline(LabelledTabularInline):
    model = CaseAgency
    extra = 0
    autocomplete_fields = ["agency"]
    ordering = ["position"]


class SectionInline(admin.StackedInline):
    extra = 0
    classes = ["collapse"]  # long: folded until opened (Django's <details>, no script)
    fields = [("position", "label"), "heading", "body"]
    ordering = ["position"]


class MeasureInline(SectionInline):
    model = Measure


class OutcomeInline(SectionInline):
    model = Outcome


class MetricInline(admin.StackedInline):
    model = Metric
    extra = 0
    classes = ["collapse"]
    ordering = ["position"]
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


class ResponsibilityInline(LabelledTabularInline):
    model = Responsibility
    extra = 0
    classes = ["collapse"]
    autocomplete_fields = ["agency"]
    ordering = ["position"]


@admin.register(Case)
class CaseAdmin(ExportSelectedMixin, HistoryAdmin):
    list_display = ["code_display", "title", "status_display", "lead_agencies", "updated_at", "published_at"]
    list_display_links = ["code_display", "title"]
    list_filter = ["status", "notice", "themes", "agencies__kind"]
    search_fields = ["title", "subtitle", "intro", "agencies__name", "agencies__aliases__name"]
    # A list of boxes, not Django's two-box filter: there are a dozen themes, and the filter's help icons
    # carry an aria-label on a plain span (axe: aria-prohibited-attr).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    readonly_fields = ["published_at", "updated_at"]
    save_on_top = True  # the page is long: save without scrolling to its end

    class Media:
        css = {"all": ["css/admin-cases.css"]}

    fieldsets = [
        (None, {"fields": [("notice", "number", "label"), "title", ("subtitle", "subtitle_separator"), "intro"]}),
        (_("发布"), {"fields": [("status", "published_at", "updated_at")]}),
        (_("小标题"), {"fields": [("measures_heading", "outcomes_heading")]}),
        (_("主题（编辑分类）"), {"fields": ["themes"]}),
    ]
    inlines = [CaseAgencyInline, MeasureInline, OutcomeInline, MetricInline, ResponsibilityInline]
    actions = ["publish_cases", "withdraw_cases"]
    resource_classes = [CaseResource]
    change_form_template = "admin/cases/case/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not roles.can_publish(request.user):
            fields.append("status")
        return fields

    def has_publish_permission(self, request) -> bool:
        return roles.can_publish(request.user)

    @admin.display(description=_("编号"), ordering="number")
    def code_display(self, obj: Case) -> str:
        return obj.code

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj: Case) -> str:
        return format_html(
            '<strong class="case-status case-status-{}">{}</strong>', obj.status, obj.get_status_display()
        )

    @admin.display(description=_("申报单位"))
    def lead_agencies(self, obj: Case) -> str:
        return "、".join(link.agency.name for link in obj.case_agencies.all())

    @admin.action(description=_("发布所选案例"), permissions=["publish"])
    def publish_cases(self, request, queryset):
        n = set_status(queryset, Case.Status.PUBLISHED, user=request.user)
        self.message_user(request, _("已发布 %(n)s 个案例。") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("撤回所选案例为草稿"), permissions=["publish"])
    def withdraw_cases(self, request, queryset):
        n = set_status(queryset, Case.Status.DRAFT, user=request.user)
        self.message_user(request, _("已撤回 %(n)s 个案例。") % {"n": n}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/changes/", view(self.timeline_view), name="cases_case_timeline"),
            path(
                "<path:object_id>/metric-candidates/",
                view(self.metric_candidates_view),
                name="cases_case_metric_candidates",
            ),
            *super().get_urls(),
        ]

    def timeline_view(self, request, object_id):
        """Every recorded change to the case and its parts, newest first, with what changed."""
        case = get_object_or_404(Case, pk=object_id)
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": case,
            "title": _("变更记录：%(case)s") % {"case": case},
            "entries": case_timeline(case),
        }
        return TemplateResponse(request, "admin/cases/case/timeline.html", context)

    def metric_candidates_view(self, request, object_id):
        """The figures in the case's text as candidate metrics; the editor ticks, labels and confirms."""
        case = get_object_or_404(Case, pk=object_id)
        if not (self.has_change_permission(request, case) and request.user.has_perm("cases.add_metric")):
            raise PermissionDenied
        candidates = propose_metrics(case)
        errors: list[str] = []
        if request.method == "POST":
            chosen = [c for c in candidates if c.key in request.POST.getlist("pick")]
            created, errors = create_metrics(case, chosen, request.POST)
            if created and not errors:
                self.message_user(request, _("已添加 %(n)s 个数据指标。") % {"n": created}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]) + "#metrics-group")
            if not chosen:
                errors = [_("请至少勾选一个候选数据。")]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": case,
            "title": _("数据指标候选：%(case)s") % {"case": case},
            "candidates": candidates,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/cases/case/metric_candidates.html", context)


def create_metrics(case: Case, chosen, data) -> tuple[int, list[str]]:
    """Create the confirmed candidates as metrics, all or none; labels come from the form."""

    errors: list[str] = []
    metrics = []
    position = max(case.metrics.values_list("position", flat=True), default=0)
    for candidate in chosen:
        label = data.get(f"label-{candidate.key}", "").strip()
        if not label:
            errors.append(_("“%(p)s”：请填写指标说明。") % {"p": candidate.printed})
            continue
        position += 1
        metric = Metric(
            case=case,
            section=candidate.section,
            position=position,
            label=label,
            value=candidate.value,
            upper_value=candidate.upper_value,
            unit=candidate.unit,
            printed=candidate.printed,
            approximate=candidate.approximate,
            baseline_printed=candidate.baseline_printed,
            baseline_value=candidate.baseline_value,
            baseline_unit=candidate.baseline_unit,
            source_text=candidate.source_text,
        )
        try:
            metric.full_clean()
        except ValidationError as exc:
            errors += [f"“{candidate.printed}”：{m}" for m in exc.messages]
        metrics.append(metric)
    if errors:
        return 0, errors
    with transaction.atomic():
        for metric in metrics:
            metric._change_reason = "由数据指标候选添加"
            metric.save()
    return len(metrics), []
