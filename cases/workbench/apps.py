from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The editors' workbench: the admin of the catalog (its ``admin`` package is found by Django's autodiscovery)."""

    name = "cases.workbench"
    label = "workbench"
    verbose_name = _("编辑后台")
