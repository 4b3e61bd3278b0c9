"""Notices (batches) and their annexes, and importing a notice: upload, preview, confirm."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cases import roles
from cases.admin_history import HistoryAdmin
from cases.admin_inlines import LabelledTabularInline
from cases.models import Annex, Notice, NoticeFile
from cases.notices.importer import ImportFailed, import_notice, read_notice

MAX_NOTICE_BYTES = 5 * 1024 * 1024  # a notice with pictures saved as .docx stays well under this


class AnnexInline(LabelledTabularInline):
    model = Annex
    extra = 0


class NoticeFileInline(LabelledTabularInline):
    """The notice's original documents (PDF, Word, the annex images), shown on the public pages beside the text."""

    model = NoticeFile
    extra = 0
    fields = ["title", "annex", "file", "original_name", "size"]
    readonly_fields = ["original_name", "size"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "annex" and (notice_id := request.resolver_match.kwargs.get("object_id")):
            kwargs["queryset"] = Annex.objects.filter(notice_id=notice_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NoticeUploadForm(forms.Form):
    file = forms.FileField(label=_("通知原文（.txt 纯文本、.docx Word 文件或保存的网页 .html）"))
    publish = forms.BooleanField(label=_("导入后直接发布"), required=False)


@admin.register(Notice)
class NoticeAdmin(HistoryAdmin):
    list_display = ["batch", "title", "issuer", "issued_on", "publicity", "case_count"]
    search_fields = ["title", "body", "issuer"]
    list_filter = ["publicity", "issuer"]
    inlines = [AnnexInline, NoticeFileInline]
    change_list_template = "admin/cases/notice/change_list.html"

    def get_queryset(self, request):

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("从通知文本导入一批案例"),
            "can_publish": roles.can_publish(request.user),
        }
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
            messages.success(
                request,
                _("已导入第%(batch)s批：%(n)s 项变更。下面是这一批的案例。")
                % {"batch": report.batch, "n": len(report.changes)},
            )
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
                context.update(
                    form=form,
                    errors=[_("文件超过 %(mb)s MB，不像是一份通知。") % {"mb": MAX_NOTICE_BYTES // 1024 // 1024}],
                )
                return TemplateResponse(request, "admin/cases/notice/import.html", context)
            try:
                source = read_notice(upload.read(), upload.name)
                text = source.text
                report = import_notice(
                    text, source_name=upload.name, publish=publish, dry_run=True, web_page=source.web_page
                )
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
