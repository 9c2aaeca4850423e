"""Who may do what, where (``roles.md`` "Roles" and "Scope"): the one access module.

Pages, the API (tokens included), exports, drill-downs, the child page, imports, the Django
admin and the ``user_role`` command all ask here, and nothing else decides.

**Roles are held per authority.** A user's ``Membership`` of an authority says which roles
they hold *there* (``organisations.roles``; several add up) and, for a team manager, the
teams they manage. An admin of 874 who is committee lead of 873 is an admin in 874 and a
committee lead in 873, nothing more. Superusers hold every role in every authority.

**One table.** ``CAPABILITY_TABLE`` is the matrix of ``roles.md`` cell by cell: for each
capability, the *reach* of each role that has it — ``WHOLE_AUTHORITY``, or ``OWN_TEAMS`` for
a team manager's case-level access. Every decision reads it:

- may this user do X in authority A? ``user_can(user=, capability=, la=)``;
- in which authorities may they do X? ``las_for_capability``;
- the authority of a URL, or a refusal: ``la_get_for_capability``;
- which children of A may they read case by case? ``case_scope`` (whole authority, own
  teams, or none), applied to querysets by ``Child.objects.visible_to(user)``.

Reading kept from before: a team manager whose membership names no team manages the whole
authority (a head of service), so their case scope is the whole authority.

**Refusals** are domain errors: ``NotFound`` for an authority the user is not a member of
(answered exactly as one that does not exist, so nothing confirms which authorities the
service holds) or anything else outside their scope; ``NotPermitted`` for a member whose
roles *in that authority* lack the capability. ``organisations.middleware`` maps them to
404/403 for pages and ``api.exceptions`` for the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from organisations.models import LocalAuthority, Membership
from organisations.roles import ADMIN, COMMITTEE_LEAD, ROLES, TEAM_MANAGER


class AccessRefused(Exception):
    """The user may not have what they asked for; the message says so in plain words."""


class NotFound(AccessRefused):
    """Does not exist, or is outside the user's authorities or scope: answered as 404."""


class NotPermitted(AccessRefused):
    """A member of the authority whose roles there lack the capability: answered as 403."""


# Capabilities: the rows of the matrix in roles.md.
AGGREGATES = "aggregates"  # scorecard, dashboard, demographics, trends, aggregate API
PDF_DOWNLOAD = "pdf_download"  # the monthly scorecard PDF
COMMENTARY = "commentary"  # write / edit section commentary for a month
PUBLISH = "publish"  # publish (sign off) a month's scorecard
CASE_LEVEL = "case_level"  # worklists, drill-down, child page and their exports
#: Case-level access to the whole authority (``case_scope(...).whole_authority``): every child
#: whatever team they are in, and worklists as of an earlier day. Derived from the reach of
#: ``CASE_LEVEL``, not a row of its own.
CASE_LEVEL_WHOLE_AUTHORITY = "case_level_whole_authority"
IMPORTS = "imports"  # upload extracts, import history, row errors, data quality
REFERENCE_DATA = "reference_data"  # targets, tolerances, populations, benchmarks, teams
RECOMPUTE = "recompute"  # trigger a recompute of the snapshots
MANAGE_USERS = "manage_users"  # users, roles and API tokens (superusers only)
AUDIT_LOG = "audit_log"  # the access events ("viewable by superusers")

# Reach: how far a role's capability goes within an authority.
WHOLE_AUTHORITY = "whole authority"
OWN_TEAMS = "own teams"

#: roles.md "Roles", cell by cell: capability → {role: reach}; a role not named is "no".
#: Superusers hold every capability everywhere.
CAPABILITY_TABLE: dict[str, dict[str, str]] = {
    AGGREGATES: {TEAM_MANAGER: WHOLE_AUTHORITY, ADMIN: WHOLE_AUTHORITY,
                 COMMITTEE_LEAD: WHOLE_AUTHORITY},
    PDF_DOWNLOAD: {TEAM_MANAGER: WHOLE_AUTHORITY, ADMIN: WHOLE_AUTHORITY,
                   COMMITTEE_LEAD: WHOLE_AUTHORITY},
    COMMENTARY: {ADMIN: WHOLE_AUTHORITY, COMMITTEE_LEAD: WHOLE_AUTHORITY},
    PUBLISH: {COMMITTEE_LEAD: WHOLE_AUTHORITY},
    CASE_LEVEL: {TEAM_MANAGER: OWN_TEAMS, ADMIN: WHOLE_AUTHORITY},
    IMPORTS: {ADMIN: WHOLE_AUTHORITY},
    REFERENCE_DATA: {ADMIN: WHOLE_AUTHORITY},
    RECOMPUTE: {ADMIN: WHOLE_AUTHORITY},
    MANAGE_USERS: {},
    AUDIT_LOG: {},
}  # fmt: skip
CAPABILITIES: tuple[str, ...] = (*CAPABILITY_TABLE, CASE_LEVEL_WHOLE_AUTHORITY)

MSG_NO_SUCH_AUTHORITY = "No such authority."
MSG_NOT_ALLOWED = "Your role in this authority does not allow this."


# --- the user's memberships, read once per request ----------------------------------------


def _is_active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _memberships(user: Any) -> dict[int, Membership]:
    """The user's memberships by authority id, with their teams (cached on the user object,
    which lives as long as the request; ``organisations.services`` drops it on a change)."""
    cached = getattr(user, "_cps_memberships", None)
    if cached is None:
        cached = {
            m.la_id: m
            for m in Membership.objects.filter(user=user)
            .select_related("la")
            .prefetch_related("teams")
        }
        user._cps_memberships = cached
    return cached


def roles_in(*, user: Any, la: LocalAuthority) -> frozenset[str]:
    """The roles the user holds in ``la`` (every role for a superuser)."""
    if not _is_active(user):
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    membership = _memberships(user).get(la.pk)
    return membership.roles if membership is not None else frozenset()


def _reach(capability: str, roles: frozenset[str]) -> set[str]:
    row = CAPABILITY_TABLE[capability]
    return {row[role] for role in roles if role in row}


# --- case scope: whole authority, own teams, or none --------------------------------------


@dataclass(frozen=True)
class CaseScope:
    """Which children of one authority a user reads case by case.

    ``whole_authority``: every child; otherwise the children of ``team_ids`` (a team
    manager's teams; the teams below them are added where the scope is applied), or none.
    """

    la_id: int
    whole_authority: bool = False
    team_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def none(self) -> bool:
        return not self.whole_authority and not self.team_ids


def _case_scope(membership: Membership) -> CaseScope:
    reach = _reach(CASE_LEVEL, membership.roles)
    if WHOLE_AUTHORITY in reach:
        return CaseScope(membership.la_id, whole_authority=True)
    if OWN_TEAMS in reach:
        # Only teams of this authority count, whatever was attached by hand.
        teams = frozenset(t.pk for t in membership.teams.all() if t.la_id == membership.la_id)
        if not teams:  # a team manager with no team named: the whole authority
            return CaseScope(membership.la_id, whole_authority=True)
        return CaseScope(membership.la_id, team_ids=teams)
    return CaseScope(membership.la_id)


def case_scope(*, user: Any, la: LocalAuthority) -> CaseScope:
    """The user's case-level scope in ``la`` (roles.md: own teams, whole LA, or no)."""
    if not _is_active(user):
        return CaseScope(la.pk)
    if user.is_superuser:
        return CaseScope(la.pk, whole_authority=True)
    membership = _memberships(user).get(la.pk)
    return _case_scope(membership) if membership is not None else CaseScope(la.pk)


def case_scopes(*, user: Any) -> list[CaseScope]:
    """The user's case-level scope in each authority they are a member of (not superusers:
    they read every child)."""
    if not _is_active(user):
        return []
    return [_case_scope(m) for m in _memberships(user).values()]


# --- capabilities ---------------------------------------------------------------------------


def _can_in(capability: str, membership: Membership) -> bool:
    if capability == CASE_LEVEL_WHOLE_AUTHORITY:
        return _case_scope(membership).whole_authority
    return bool(_reach(capability, membership.roles))


def user_can(*, user: Any, capability: str, la: LocalAuthority | None = None) -> bool:
    """True when ``user`` holds ``capability`` in ``la`` by the roles they hold there.

    Without ``la``: in at least one authority (menus, and pages not tied to one authority
    whose lists are then narrowed by ``las_for_capability``).
    """
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if not _is_active(user):
        return False
    if user.is_superuser:
        return True
    memberships = _memberships(user)
    if la is None:
        return any(_can_in(capability, m) for m in memberships.values())
    membership = memberships.get(la.pk)
    return membership is not None and _can_in(capability, membership)


def las_for_capability(*, user: Any, capability: str) -> QuerySet[LocalAuthority]:
    """The authorities in which ``user`` holds ``capability``, by code (all for superusers)."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if not _is_active(user):
        return LocalAuthority.objects.none()
    if user.is_superuser:
        return LocalAuthority.objects.order_by("code")
    ids = [
        la_id for la_id, membership in _memberships(user).items() if _can_in(capability, membership)
    ]
    return LocalAuthority.objects.filter(pk__in=ids).order_by("code")


def la_get_for_capability(*, user: Any, code: str, capability: str) -> LocalAuthority:
    """The authority ``code`` when ``user`` may exercise ``capability`` in it.

    ``NotFound`` for an authority that does not exist or that the user is not a member of;
    ``NotPermitted`` for a member whose roles there lack the capability.
    """
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if not _is_active(user):
        raise NotFound(MSG_NO_SUCH_AUTHORITY)
    if user.is_superuser:
        la = LocalAuthority.objects.filter(code=code).first()
    else:
        la = next((m.la for m in _memberships(user).values() if m.la.code == code), None)
    if la is None:
        raise NotFound(MSG_NO_SUCH_AUTHORITY)
    if not user_can(user=user, capability=capability, la=la):
        raise NotPermitted(MSG_NOT_ALLOWED)
    return la


def memberships_with_role(*, role: str) -> QuerySet[Membership]:
    """Every membership (any user) holding ``role``: who a role's e-mail goes to (the team
    managers' worklist digest)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return Membership.objects.filter(**{role: True})


def case_scopes_in(*, la: LocalAuthority) -> list[CaseScope]:
    """The case scope of every member of ``la`` (the worklist warm-up builds each team
    manager's teams together)."""
    return [_case_scope(m) for m in Membership.objects.filter(la=la).prefetch_related("teams")]


def user_capabilities_in(*, user: Any, la: LocalAuthority) -> list[str]:
    """The capabilities ``user`` holds in ``la``, in the table's order (the API lists them)."""
    return [c for c in CAPABILITIES if user_can(user=user, capability=c, la=la)]


def access_cache_clear(*, user: Any) -> None:
    """Forget the memberships read for ``user`` (after their roles changed)."""
    user.__dict__.pop("_cps_memberships", None)
