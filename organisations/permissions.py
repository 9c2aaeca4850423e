"""Who may do what (``roles.md`` "Roles"): one table, one helper, used by pages and the API.

A user's right to do something in an authority needs two things:

- **scope**: a ``Membership`` of that authority (superusers have every authority);
- **role**: one of the Django groups of ``organisations.roles`` whose column says "yes" (or
  "own teams") for the capability in the matrix of ``roles.md``. Roles add up.

Which *children* a case-level reader sees within an authority (own teams or the whole
authority) is not decided here but by ``Child.objects.visible_to(user)``; this module only
answers "may this user open that kind of page of this authority at all?".

Refusals follow one rule everywhere (``roles.md`` "Scope"): an authority the user is not
a member of answers 404, the same as one that does not exist, so a page never confirms
which authorities the service holds; a member whose roles lack the capability gets 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from organisations.models import LocalAuthority, Membership
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER

# Capabilities: the rows of the matrix in roles.md.
AGGREGATES = "aggregates"  # scorecard, dashboard, demographics, trends, aggregate API
PDF_DOWNLOAD = "pdf_download"  # the monthly scorecard PDF
COMMENTARY = "commentary"  # write / edit section commentary for a month
PUBLISH = "publish"  # publish (sign off) a month's scorecard
CASE_LEVEL = "case_level"  # worklists, drill-down, child page and their exports
#: The "whole LA" cell of the case-level row: every child of the authority whatever teams the
#: membership names, and worklists as of an earlier day (team managers: own teams, today).
CASE_LEVEL_WHOLE_AUTHORITY = "case_level_whole_authority"
IMPORTS = "imports"  # upload extracts, import history, row errors, data quality
REFERENCE_DATA = "reference_data"  # targets, tolerances, populations, benchmarks, teams
RECOMPUTE = "recompute"  # trigger a recompute of the snapshots
MANAGE_USERS = "manage_users"  # users, roles and API tokens (superusers only)
AUDIT_LOG = "audit_log"  # the access events ("viewable by superusers")

#: capability → the role groups that hold it. Superusers hold every capability.
CAPABILITY_ROLES: dict[str, frozenset[str]] = {
    AGGREGATES: frozenset({TEAM_MANAGER, ADMIN, COMMITTEE_LEAD}),
    PDF_DOWNLOAD: frozenset({TEAM_MANAGER, ADMIN, COMMITTEE_LEAD}),
    COMMENTARY: frozenset({ADMIN, COMMITTEE_LEAD}),
    PUBLISH: frozenset({COMMITTEE_LEAD}),
    CASE_LEVEL: frozenset({TEAM_MANAGER, ADMIN}),
    CASE_LEVEL_WHOLE_AUTHORITY: frozenset({ADMIN}),
    IMPORTS: frozenset({ADMIN}),
    REFERENCE_DATA: frozenset({ADMIN}),
    RECOMPUTE: frozenset({ADMIN}),
    MANAGE_USERS: frozenset(),
    AUDIT_LOG: frozenset(),
}
CAPABILITIES: tuple[str, ...] = tuple(CAPABILITY_ROLES)

MSG_NO_SUCH_AUTHORITY = "No such authority."
MSG_NOT_ALLOWED = "Your role does not allow this."


def user_roles(*, user: Any) -> frozenset[str]:
    """The role groups the user holds (cached on the user object for the request)."""
    cached = getattr(user, "_cps_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._cps_roles = cached
    return cached


def _is_active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def user_can(*, user: Any, capability: str, la: LocalAuthority | None = None) -> bool:
    """True when ``user`` holds ``capability`` (in ``la``, when given: a member of it).

    Without ``la`` the answer is "in at least some authority": the role alone, for menus
    and for lists that are then narrowed by ``las_for_capability``.
    """
    if capability not in CAPABILITY_ROLES:
        raise ValueError(f"unknown capability {capability!r}")
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    if not CAPABILITY_ROLES[capability] & user_roles(user=user):
        return False
    if la is None:
        return True
    return Membership.objects.filter(user=user, la=la).exists()


def las_for_capability(*, user: Any, capability: str) -> QuerySet[LocalAuthority]:
    """The authorities in which ``user`` holds ``capability``, by code (all for superusers)."""
    if not user_can(user=user, capability=capability):
        return LocalAuthority.objects.none()
    if user.is_superuser:
        return LocalAuthority.objects.order_by("code")
    return LocalAuthority.objects.filter(memberships__user=user).distinct().order_by("code")


def la_get_for_capability(*, user: Any, code: str, capability: str) -> LocalAuthority:
    """The authority ``code`` when ``user`` may exercise ``capability`` in it.

    404 for an authority that does not exist or that the user is not a member of; 403 for a
    member whose roles lack the capability (the refusal rule in the module docstring).
    """
    la = LocalAuthority.objects.filter(code=code).first()
    if la is None or not _is_active(user):
        raise Http404(MSG_NO_SUCH_AUTHORITY)
    if not user.is_superuser and not Membership.objects.filter(user=user, la=la).exists():
        raise Http404(MSG_NO_SUCH_AUTHORITY)
    if not user_can(user=user, capability=capability):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    return la
