from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "cases.tracker"
    label = "tracker"
    verbose_name = _("推广落实")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases import journal
        from cases.caching import register_version
        from cases.extensions import register_case_page_context, register_comparison_rows, register_list_filter

        from . import listing, pages, receivers, roles  # noqa: F401 - receivers connect on import
        from .models import TrackerVersion

        register_version("tracker", TrackerVersion)
        journal.register("tracker", lambda keys: TrackerVersion.bump())
        register_case_page_context(pages.case_page_context)
        register_comparison_rows(pages.comparison_rows)
        register_list_filter(listing.LANDING)

        post_migrate.connect(roles.ensure_office, sender=self, dispatch_uid="tracker.roles")
