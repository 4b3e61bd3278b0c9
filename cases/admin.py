"""Django admin for editors: one page per case, with its parts inline, history, publishing and spreadsheets.

Roles (cases.roles): 编辑 edit content; 发布人 also publish and withdraw.
Every change is recorded by django-simple-history and can be reverted from
the object's history page; a case's own page links to one timeline of the
case and all its parts. Metrics and responsibilities import from XLSX with
a preview (django-import-export); every catalog list exports to XLSX/CSV.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin, ImportExportMixin

from . import history, roles
from .admin_history import HistoryAdmin
from .importing import ImportFailed, import_notice, read_notice
from .merging import merge_agencies
from .metric_candidates import propose_metrics
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
    SynonymSet,
    Theme,
)
from .spreadsheets import AgencyResource, CaseResource, MetricResource, ResponsibilityResource

admin.site.site_header = _("营商环境示范案例库 · 编辑后台")
admin.site.site_title = _("示范案例库后台")
admin.site.index_title = _("内容管理")

MAX_NOTICE_BYTES = 5 * 1024 * 1024  # a notice with pictures saved as .docx stays well under this


class ExportSelectedMixin(ExportActionMixin):
    """django-import-export's "export selected" action, with Django 6.1's ``action_location``.

    import-export 4.4 overrides ``get_actions(request)`` without the new
    parameter, which Django 6.1 deprecates; here the export action is added
    on the change list only and other locations get Django's own actions.
    """

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        if action_location == admin.ActionLocation.CHANGE_LIST:
            return super().get_actions(request)
        return admin.ModelAdmin.get_actions(self, request, action_location=action_location)

    def get_valid_export_item_pks(self, request):
        # import-export 4.4 still calls this hook, deprecated by itself, from its own action flow.
        return self.get_queryset(request).values_list("pk", flat=True)


@admin.register(Region)
class RegionAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "kind", "code", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"slug": ["name"]}


class AnnexInline(admin.TabularInline):
    model = Annex
    extra = 0


class NoticeUploadForm(forms.Form):
    file = forms.FileField(label=_("通知原文（.txt 纯文本、.docx Word 文件或保存的网页 .html）"))
    publish = forms.BooleanField(label=_("导入后直接发布"), required=False)


@admin.register(Notice)
class NoticeAdmin(HistoryAdmin):
    list_display = ["batch", "title", "issuer", "issued_on", "publicity", "case_count"]
    search_fields = ["title", "body", "issuer"]
    list_filter = ["publicity", "issuer"]
    inlines = [AnnexInline]
    change_list_template = "admin/cases/notice/change_list.html"

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(case_count=Count("cases"))

    @admin.display(description=_("案例数"), ordering="case_count")
    def case_count(self, obj) -> int:
        return obj.case_count

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="cases_notice_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a notice's text, see the dry-run report, then confirm."""
        if not (self.has_add_permission(request) and request.user.has_perm("cases.add_case")):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("从通知文本导入一批案例"), "can_publish": roles.can_publish(request.user)}
        if request.method == "POST" and "confirm" in request.POST:
            text = request.session.get("notice_import_text")
            name = request.session.get("notice_import_name", "")
            publish = request.session.get("notice_import_publish", False)
            web_page = request.session.get("notice_import_web_page", False)
            if text is None:
                messages.error(request, _("导入预览已过期，请重新上传文件。"))
                return HttpResponseRedirect(reverse("admin:cases_notice_import"))
            try:
                report = import_notice(text, source_name=name, publish=publish, user=request.user, web_page=web_page)
            except ImportFailed as exc:
                context.update(form=NoticeUploadForm(), errors=exc.messages)
                return TemplateResponse(request, "admin/cases/notice/import.html", context)
            for key in ("notice_import_text", "notice_import_name", "notice_import_publish", "notice_import_web_page"):
                request.session.pop(key, None)
            messages.success(request, _("已导入第%(batch)s批：%(n)s 项变更。下面是这一批的案例。") % {
                "batch": report.batch, "n": len(report.changes)})
            # The case list's own "notice" filter, so the admin accepts the lookup.
            notice = Notice.objects.get(batch=report.batch)
            return HttpResponseRedirect(reverse("admin:cases_case_changelist") + f"?notice__id__exact={notice.pk}")
        form = NoticeUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            publish = form.cleaned_data["publish"]
            if publish and not context["can_publish"]:
                raise PermissionDenied
            if upload.size > MAX_NOTICE_BYTES:
                context.update(form=form, errors=[_("文件超过 %(mb)s MB，不像是一份通知。") % {
                    "mb": MAX_NOTICE_BYTES // 1024 // 1024}])
                return TemplateResponse(request, "admin/cases/notice/import.html", context)
            try:
                source = read_notice(upload.read(), upload.name)
                text = source.text
                report = import_notice(text, source_name=upload.name, publish=publish, dry_run=True,
                                       web_page=source.web_page)
            except ImportFailed as exc:
                context.update(form=form, errors=exc.messages)
                return TemplateResponse(request, "admin/cases/notice/import.html", context)
            request.session["notice_import_text"] = text
            request.session["notice_import_name"] = upload.name
            request.session["notice_import_publish"] = publish
            request.session["notice_import_web_page"] = source.web_page
            context.update(report=report, file_name=upload.name, publish=publish)
            return TemplateResponse(request, "admin/cases/notice/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/cases/notice/import.html", context)


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


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1


class MergeAgenciesForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Agency.objects.none(), widget=forms.RadioSelect,
                                  label=_("保留哪一个单位"), empty_label=None)

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
        (_("核对"), {"fields": ["needs_review", "review_note", "suggested_match"],
                   "description": _("导入通知时新建的单位标为“待核对”：核对名称、类别、层级和所在市县后"
                                    "取消勾选。")}),
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
            result = merge_agencies(keep, duplicates)
            message = _("已把 %(names)s 合并到“%(keep)s”：移动 %(moved)s 处引用，删除 %(n)s 个单位。") % {
                "names": "、".join(a.name for a in duplicates), "keep": keep.name, "moved": result.moved,
                "n": len(duplicates)}
            self.message_user(request, message, messages.SUCCESS)
            return None
        initial = request.GET.get("keep") or request.POST.get("keep")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "agencies": agencies, "action_checkbox_name": ACTION_CHECKBOX_NAME,
                   "title": _("合并单位"), "initial": initial}
        return TemplateResponse(request, "admin/cases/agency/merge.html", context)

    @admin.action(description=_("并入建议的单位（本单位名称成为其简称）"), permissions=["change", "delete"])
    def merge_into_suggested_action(self, request, queryset):
        merged = []
        for agency in queryset.model.objects.filter(pk__in=queryset.values("pk"), suggested_match__isnull=False):
            keep = agency.suggested_match
            merge_agencies(keep, [agency])
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
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "agency": agency,
                   "title": _("把“%(name)s”合并到另一个单位") % {"name": agency.name},
                   "candidates": Agency.objects.exclude(pk=agency.pk).order_by("name")}
        if request.method == "POST":
            keep = Agency.objects.filter(pk=request.POST.get("keep")).exclude(pk=agency.pk).first()
            if keep is None:
                context["error"] = _("请选择要保留的单位。")
            else:
                result = merge_agencies(keep, [agency])
                self.message_user(request, _("已把“%(dup)s”合并到“%(keep)s”，移动 %(moved)s 处引用。") % {
                    "dup": agency.name, "keep": keep.name, "moved": result.moved}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cases_agency_change", args=[keep.pk]))
        return TemplateResponse(request, "admin/cases/agency/merge_one.html", context)

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "merge_url": reverse("admin:cases_agency_merge", args=[object_id])}
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        try:
            super().delete_queryset(request, queryset)
        except ProtectedError:
            self.message_user(request, _("所选单位中有被案例引用的，不能删除；请用“合并所选单位”把它并入保留的单位。"),
                              messages.ERROR)


class CaseAgencyInline(admin.TabularInline):
    model = CaseAgency
    extra = 0
    autocomplete_fields = ["agency"]
    ordering = ["position"]


class SectionInline(admin.StackedInline):
    extra = 0
    fields = [("position", "label"), "heading", "body"]
    ordering = ["position"]


class MeasureInline(SectionInline):
    model = Measure


class OutcomeInline(SectionInline):
    model = Outcome


class MetricInline(admin.StackedInline):
    model = Metric
    extra = 0
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


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["agency"]
    ordering = ["position"]


@admin.register(Case)
class CaseAdmin(ExportSelectedMixin, HistoryAdmin):
    list_display = ["code_display", "title", "status_display", "lead_agencies", "updated_at", "published_at"]
    list_display_links = ["code_display", "title"]
    list_filter = ["status", "notice", "themes", "agencies__kind"]
    search_fields = ["title", "subtitle", "intro", "agencies__name", "agencies__aliases__name"]
    filter_horizontal = ["themes"]
    readonly_fields = ["published_at", "updated_at"]
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
        colour = "#1a7f37" if obj.is_published else "#8a5a00"
        return format_html('<strong style="color:{}">{}</strong>', colour, obj.get_status_display())

    @admin.display(description=_("申报单位"))
    def lead_agencies(self, obj: Case) -> str:
        return "、".join(link.agency.name for link in obj.case_agencies.all())

    def _set_status(self, request, queryset, status: str) -> int:
        changed = 0
        with transaction.atomic():
            for case in queryset.exclude(status=status):
                case.status = status
                if status == Case.Status.PUBLISHED and case.published_at is None:
                    case.published_at = timezone.now()
                case._change_reason = str(Case.Status(status).label)
                case.save()
                changed += 1
        return changed

    @admin.action(description=_("发布所选案例"), permissions=["publish"])
    def publish_cases(self, request, queryset):
        n = self._set_status(request, queryset, Case.Status.PUBLISHED)
        self.message_user(request, _("已发布 %(n)s 个案例。") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("撤回所选案例为草稿"), permissions=["publish"])
    def withdraw_cases(self, request, queryset):
        n = self._set_status(request, queryset, Case.Status.DRAFT)
        self.message_user(request, _("已撤回 %(n)s 个案例。") % {"n": n}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/changes/", view(self.timeline_view), name="cases_case_timeline"),
            path("<path:object_id>/metric-candidates/", view(self.metric_candidates_view),
                 name="cases_case_metric_candidates"),
            *super().get_urls(),
        ]

    def timeline_view(self, request, object_id):
        """Every recorded change to the case and its parts, newest first, with what changed."""
        case = get_object_or_404(Case, pk=object_id)
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": case,
                   "title": _("变更记录：%(case)s") % {"case": case}, "entries": history.case_timeline(case)}
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
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": case,
                   "title": _("数据指标候选：%(case)s") % {"case": case}, "candidates": candidates,
                   "errors": errors}
        return TemplateResponse(request, "admin/cases/case/metric_candidates.html", context)


def create_metrics(case: Case, chosen, data) -> tuple[int, list[str]]:
    """Create the confirmed candidates as metrics, all or none; labels come from the form."""
    from django.core.exceptions import ValidationError

    errors: list[str] = []
    metrics = []
    position = max(case.metrics.values_list("position", flat=True), default=0)
    for candidate in chosen:
        label = data.get(f"label-{candidate.key}", "").strip()
        if not label:
            errors.append(_("“%(p)s”：请填写指标说明。") % {"p": candidate.printed})
            continue
        position += 1
        metric = Metric(case=case, section=candidate.section, position=position, label=label,
                        value=candidate.value, upper_value=candidate.upper_value, unit=candidate.unit,
                        printed=candidate.printed, approximate=candidate.approximate,
                        baseline_printed=candidate.baseline_printed, baseline_value=candidate.baseline_value,
                        baseline_unit=candidate.baseline_unit, source_text=candidate.source_text)
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


@admin.register(Section)
class SectionAdmin(HistoryAdmin):
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
class AgencyAliasAdmin(HistoryAdmin):
    list_display = ["name", "agency"]
    search_fields = ["name", "agency__name"]
    list_select_related = ["agency"]


@admin.register(CaseAgency)
class CaseAgencyAdmin(HistoryAdmin):
    list_display = ["case", "position", "agency"]
    list_filter = ["case__notice"]
    search_fields = ["agency__name", "case__title"]
    list_select_related = ["case__notice", "agency"]
    autocomplete_fields = ["agency"]


@admin.register(SynonymSet)
class SynonymSetAdmin(HistoryAdmin):
    list_display = ["__str__", "one_way", "note", "updated_at"]
    list_filter = ["one_way"]
    search_fields = ["words", "note"]
    fields = ["words", "one_way", "note"]


@admin.register(Annex)
class AnnexAdmin(HistoryAdmin):
    list_display = ["notice", "number", "title", "kind", "image_name"]
    list_filter = ["kind"]
    search_fields = ["title"]

from .adoption import admin as adoption_admin  # noqa: E402, F401  (registers the tracker's models)
