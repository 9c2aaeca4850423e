"""Role groups (``roles.md`` "Roles"): Django groups a user may hold, several at once.

Superusers need no group. Scope (which authorities, which teams) lives on
``organisations.Membership``; these groups say what a user may do within it.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

TEAM_MANAGER = "Team manager"
ADMIN = "Admin"
COMMITTEE_LEAD = "Committee lead"

ROLE_GROUPS: tuple[str, ...] = (TEAM_MANAGER, ADMIN, COMMITTEE_LEAD)

#: Reference data an admin edits in the Django admin ("Django admin: reference data
#: only"): (app label, model, actions), rows of their own authorities only
#: (``organisations.admin_scoping``). Authorities are never added or removed there; schools
#: are national (Ofsted) data, read only.
ADMIN_REFERENCE_MODELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("organisations", "localauthority", ("view", "change")),
    ("organisations", "population", ("view", "add", "change", "delete")),
    ("organisations", "team", ("view", "add", "change", "delete")),
    ("organisations", "worker", ("view", "add", "change", "delete")),
    ("organisations", "teammembership", ("view", "add", "change", "delete")),
    ("organisations", "staffestablishment", ("view", "add", "change", "delete")),
    ("children", "school", ("view",)),
    ("scorecards", "target", ("view", "add", "change", "delete")),
    ("scorecards", "benchmark", ("view", "add", "change", "delete")),
)


def role_groups_ensure() -> dict[str, Group]:
    """Create the three role groups if missing and give Admin exactly its reference-data
    permissions (a permission dropped from the table is taken away again).

    Idempotent; permissions of models not installed (yet) are simply skipped.
    """
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_GROUPS}
    wanted = [
        (app, f"{action}_{model}")
        for app, model, actions in ADMIN_REFERENCE_MODELS
        for action in actions
    ]
    perms = [
        p
        for p in Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
        if (p.content_type.app_label, p.codename) in set(wanted)
    ]
    groups[ADMIN].permissions.set(perms)
    return groups
