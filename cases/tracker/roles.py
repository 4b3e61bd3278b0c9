"""The provincial office's group, kept in step with the code after every migrate.

省营商环境办 (the provincial business-environment office) is a group granted
the permission ``tracker.manage_all_reports`` (see and edit every report,
front end and admin), the admin permissions of the tracker's models, and
what giving officials accounts takes (``ELSEWHERE``).
Access is checked by permission (cases.tracker.access), never by group name.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

PROVINCIAL_OFFICE = "省营商环境办"
MANAGE_ALL = "manage_all_reports"
MODELS = [
    "adoptionreport",
    "adoptionresult",
    "evidence",
    "reviewcomment",
    "officialprofile",
    "promotionplan",
    "planmilestone",
    "planmeasure",
    "sentreminder",
    "bulletin",
]
ACTIONS = ["add", "change", "delete", "view"]
# Giving officials their accounts (a user, then a 工作人员 profile naming a region or an agency): the office adds
# and changes accounts (cases.tracker.admin.OfficialAccountAdmin keeps staff and superusers out of its reach) and
# looks agencies and regions up in the profile's autocomplete.
ELSEWHERE = ["auth.add_user", "auth.change_user", "auth.view_user", "cases.view_agency", "cases.view_region"]


def office_codenames() -> set[str]:
    return {MANAGE_ALL} | {f"{action}_{model}" for model in MODELS for action in ACTIONS}


def ensure_office(**kwargs) -> None:
    """post_migrate receiver: create the office's group and give it exactly its permissions."""
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="tracker")}
    if MANAGE_ALL not in permissions:
        return  # the app's permissions are not created yet
    wanted = [permissions[c] for c in sorted(office_codenames()) if c in permissions]
    for label in ELSEWHERE:
        app_label, codename = label.split(".")
        wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    office, _ = Group.objects.get_or_create(name=PROVINCIAL_OFFICE)
    office.permissions.set(wanted)
