"""The editors' roles, as Django groups kept in step with the code after every migrate.

编辑 (editor) may add, change and delete catalog content; 发布人 (publisher)
may do the same and also publish and withdraw cases. Staff accounts in
neither group can log in to the admin but change nothing. (Search adds the
synonym sets to both groups; the tracker keeps the provincial office's group.)
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

EDITOR = "编辑"
PUBLISHER = "发布人"

# Catalog content editors look after, by model name.
CATALOG_MODELS = [
    "notice",
    "annex",
    "noticefile",
    "case",
    "caseagency",
    "section",
    "metric",
    "responsibility",
    "agency",
    "agencyalias",
    "theme",
    "region",
]
# Proxies get their own permissions; the admin checks them for the inlines.
PROXY_MODELS = ["measure", "outcome"]
ACTIONS = ["add", "change", "delete", "view"]
PUBLISH = "publish_case"


def editor_codenames() -> set[str]:
    return {f"{action}_{model}" for model in CATALOG_MODELS + PROXY_MODELS for action in ACTIONS}


def ensure_roles(**kwargs) -> None:
    """post_migrate receiver: create both groups and give them exactly their permissions."""
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="cases")}
    if PUBLISH not in permissions:
        return  # the app's permissions are not created yet (first migrate of a fresh database)
    editing = [permissions[c] for c in sorted(editor_codenames()) if c in permissions]
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(editing)
    publisher, _ = Group.objects.get_or_create(name=PUBLISHER)
    publisher.permissions.set([*editing, permissions[PUBLISH]])


def can_publish(user) -> bool:
    return user.has_perm(f"cases.{PUBLISH}")


def can_preview_drafts(user) -> bool:
    """Editors and publishers (anyone who may view cases in the admin) preview drafts on the public pages."""
    return user.is_authenticated and user.is_staff and user.has_perm("cases.view_case")
