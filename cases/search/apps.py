from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "cases.search"
    label = "search"
    verbose_name = _("检索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases import journal
        from cases.caching import register_version
        from cases.extensions import register_case_page_context

        from . import indexing, receivers, related, roles  # noqa: F401  (receivers connect on import)
        from .models import CatalogVersion

        register_case_page_context(related.case_page_context)
        register_version("catalog", CatalogVersion)
        # What a write owes search once it commits (cases.journal): reindexed cases, a new catalog version.
        journal.register("reindex", indexing.reindex_recorded)
        journal.register("catalog", lambda keys: CatalogVersion.bump())
        post_migrate.connect(roles.grant_editors, sender=self, dispatch_uid="search.roles")
        post_migrate.connect(indexing.refresh_stale_index, sender=self, dispatch_uid="search.refresh_stale_index")
