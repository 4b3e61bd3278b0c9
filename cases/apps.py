from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The catalog: notices, cases, agencies and their parts, and the catalog's public pages."""

    name = "cases"
    verbose_name = _("示范案例库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import roles, signals  # noqa: F401  (signals connect on import)

        # After auth's own post_migrate handler has created the permissions.
        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="cases.roles")
        # Work a crash left undone after a commit (cases.journal) is done whenever the schema is migrated.
        post_migrate.connect(drain_after_migrate, sender=self, dispatch_uid="cases.journal")


def drain_after_migrate(using="default", **kwargs) -> None:
    from django.db import connections

    from .journal import PendingWork, drain

    with connections[using].cursor() as cursor:
        present = PendingWork._meta.db_table in connections[using].introspection.table_names(cursor)
    if present:
        drain(using=using)
