"""What every catalog admin page shares: the site's titles and the "export selected" action."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin

admin.site.site_header = _("营商环境示范案例库 · 编辑后台")
admin.site.site_title = _("示范案例库后台")
admin.site.index_title = _("内容管理")


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
