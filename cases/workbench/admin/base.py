"""What every catalog admin page shares: the site's titles and the "export selected" action."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin
from import_export.forms import SelectableFieldsExportForm

from cases.downloads import attachment

admin.site.site_header = _("营商环境示范案例库 · 编辑后台")
admin.site.site_title = _("示范案例库后台")
admin.site.index_title = _("内容管理")

#: The admin index, grouped by the editors' tasks rather than by Django app: (title, models as app_label.Model).
TASKS = [
    (_("案例目录"), None),  # every model of the catalog and search not named below
    (_("推广落实"), {"tracker.adoptionreport", "tracker.adoptionresult", "tracker.evidence", "tracker.reviewcomment"}),
    (_("账号与权限"), {"auth.user", "auth.group", "tracker.officialprofile", "tracker.mailpreference"}),
]


def _grouped_app_list(request, app_label=None, _original=admin.site.get_app_list):
    """The index by task (案例目录, 推广落实, 账号与权限); an app's own page stays as Django draws it."""
    apps = _original(request, app_label)
    if app_label is not None:
        return apps
    groups = [
        {"name": str(title), "app_label": "", "app_url": "", "has_module_perms": True, "models": []}
        for title, _ in TASKS
    ]
    for app in apps:
        for model in app["models"]:
            key = f"{app['app_label']}.{model['object_name'].lower()}"
            index = next((i for i, (_, members) in enumerate(TASKS) if members and key in members), 0)
            groups[index]["models"].append(model)
            groups[index]["app_url"] = groups[index]["app_url"] or app["app_url"]
            groups[index]["app_label"] = groups[index]["app_label"] or app["app_label"]
    return [group for group in groups if group["models"]]


admin.site.get_app_list = _grouped_app_list


class ChineseFieldsExportForm(SelectableFieldsExportForm):
    """The export page's field boxes named by their Chinese column names alone (not "Code (案例编号)")."""

    class Media:
        js = ["js/admin-export.js"]

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return field.column_name if field and field.column_name else field_name


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

    export_form_class = ChineseFieldsExportForm

    def get_export_filename(self, request, queryset, file_format) -> str:
        """案例-2026-12-04.xlsx: the model's Chinese name and the day, not Case-2026-12-04.xlsx."""
        day = timezone.localdate().isoformat()
        return f"{self.model._meta.verbose_name_plural}-{day}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        # import-export writes the name between quotes, which no browser reads in Chinese: RFC 6266's filename*.
        response["Content-Disposition"] = attachment(self.get_export_filename(request, queryset, file_format))
        return response

    def get_valid_export_item_pks(self, request):
        # import-export 4.4 still calls this hook, deprecated by itself, from its own action flow.
        return self.get_queryset(request).values_list("pk", flat=True)
