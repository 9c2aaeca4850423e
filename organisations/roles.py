"""The roles of ``roles.md`` "Roles": held per authority, several at once.

A user holds roles **in an authority**: each ``organisations.Membership`` (one per user and
authority) says which of the three roles the user holds there and, for a team manager, which
teams they manage. Being an admin of 874 gives nothing in 873. Superusers need no
membership: they hold every role everywhere.

The role keys below are also the names of the ``Membership`` fields that hold them
(``membership.admin`` is True when the user is an admin of that authority). What each role
may do is the capability table of ``organisations.permissions``.
"""

from __future__ import annotations

TEAM_MANAGER = "team_manager"
ADMIN = "admin"
COMMITTEE_LEAD = "committee_lead"

ROLES: tuple[str, ...] = (TEAM_MANAGER, ADMIN, COMMITTEE_LEAD)
ROLE_LABELS: dict[str, str] = {
    TEAM_MANAGER: "Team manager",
    ADMIN: "Admin (performance / data)",
    COMMITTEE_LEAD: "Committee lead",
}

#: Reference data an admin edits in the Django admin ("Django admin: reference data
#: only"): (app label, model, actions), rows of the authorities where they are an admin only
#: (``organisations.admin_scoping``). Authorities are never added or removed there; schools
#: are national (Ofsted) data, read only. The Django permissions come with the role
#: (``organisations.backends``), not from a group.
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

#: ``app_label.codename`` of each permission of ``ADMIN_REFERENCE_MODELS``.
ADMIN_REFERENCE_PERMISSIONS: frozenset[str] = frozenset(
    f"{app}.{action}_{model}"
    for app, model, actions in ADMIN_REFERENCE_MODELS
    for action in actions
)


def role_label(role: str) -> str:
    """ "Team manager", "Admin (performance / data)", "Committee lead"."""
    return ROLE_LABELS[role]
