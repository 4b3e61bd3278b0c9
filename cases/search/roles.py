"""Editors and publishers keep the synonym sets too: search adds those permissions to the catalog's groups.

They also read (and may clear) the searches that found nothing (SearchMiss), which they turn into synonym sets.
"""

from django.contrib.auth.models import Group, Permission

from cases.roles import EDITOR, PUBLISHER

ACTIONS = ["add", "change", "delete", "view"]


def grant_editors(**kwargs) -> None:
    """post_migrate receiver: the catalog's editor and publisher groups may edit synonym sets."""
    codenames = [f"{action}_synonymset" for action in ACTIONS] + ["view_searchmiss", "delete_searchmiss"]
    permissions = list(Permission.objects.filter(content_type__app_label="search", codename__in=codenames))
    if len(permissions) < len(codenames):
        return  # permissions not created yet
    for name in (EDITOR, PUBLISHER):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)
