from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Developer tools: synthetic cases and the benchmark. Nothing that serves the portal imports them."""

    name = "cases.devtools"
    label = "devtools"
    verbose_name = _("开发工具")
