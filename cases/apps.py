from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("示范案例库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from . import gc_tuning, indexing, roles, signals  # noqa: F401

        request_finished.connect(gc_tuning.freeze_after_warm_up, dispatch_uid="cases.gc_tuning")
        # After auth's own post_migrate handler has created the permissions.
        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="cases.roles")
        post_migrate.connect(indexing.refresh_stale_index, sender=self, dispatch_uid="cases.refresh_stale_index")
