"""The admin base class for every model with history (django-simple-history)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, with its revert form held to the rules of the change form.

    simple-history lets anyone who may *view* the history post its revert
    form, and saves the historical value of every field the form does not
    show, read-only ones included (a case's status, for an editor who may not
    publish). Here posting needs the change permission, a field the user
    cannot edit keeps its current value, and the revert runs in one
    transaction, so the search index follows it when it commits.
    """

    def set_history_delta_changes(self, request, historical_records, *args, **kwargs):
        super().set_history_delta_changes(request, historical_records, *args, **kwargs)
        for record in historical_records:
            if not record.history_change_reason:  # shown as a dash, not as "None"; nothing is saved
                record.history_change_reason = "—"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        current = self.get_object(request, unquote(object_id))
        if current is None:
            raise Http404(_("没有这条记录。"))
        if not self.has_change_permission(request, current):
            raise PermissionDenied
        request._history_revert_current = current
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        current = getattr(request, "_history_revert_current", None)
        if current is not None and current.pk == obj.pk:
            editable = set(form.fields) - set(self.get_readonly_fields(request, current))
            for model_field in obj._meta.concrete_fields:
                if model_field.name not in editable and not model_field.primary_key:
                    setattr(obj, model_field.attname, getattr(current, model_field.attname))
        super().save_model(request, obj, form, change)


class InlineOnlyAdmin:
    """A model edited inline on the page of what it belongs to: not listed on the admin index.

    Its own pages stay (history and revert link to them); ``get_model_perms``
    returning nothing is Django's documented way to leave a model off the index.
    """

    def get_model_perms(self, request):
        return {}
