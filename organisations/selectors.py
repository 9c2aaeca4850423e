"""Reads about authorities, teams and who may see which child (``roles.md`` "Scope").

Scoping lives here, in one place: ``Child.objects.visible_to(user)`` calls
``children_visible_to`` and every view, export, API and PDF goes through it.

A child's team on day D (``ssd-extracts.md`` §3.11) is the team of the allocated social
worker: the ``ALLOCATED_SW`` allocation open on D — started on or before D, and not
ended or ending after D — with the latest start (ties: the latest imported). A care
leaver with no open social-worker allocation falls back to the team of their open
personal-adviser (``PA``) allocation.

Readings chosen:

- A team in a user's scope covers the teams below it (``Team.parent``): a manager of a
  service (T01 in the worked example) sees the children of its teams (T10, T30).
- Who sees what in each authority is the user's case scope there
  (``organisations.permissions.case_scope``, from the roles held in that authority): an
  admin the whole authority, a team manager their teams (the whole authority when their
  membership names no team), a committee lead no child; superusers every child.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from organisations.models import (
    Allocation,
    AllocationRole,
    AuditEvent,
    LocalAuthority,
    Membership,
    Team,
)
from organisations.permissions import case_scopes
from organisations.roles import ROLES, TEAM_MANAGER, role_label


def allocation_open_q(*, on: date, prefix: str = "") -> Q:
    """Open on D: started on or before D and not ended, or ending after D."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on})
    )


def _open_allocations(role: str, on: date) -> QuerySet:
    return (
        Allocation.objects.filter(child=OuterRef("pk"), role=role)
        .filter(allocation_open_q(on=on))
        .order_by("-start_date", "-pk")
    )


def child_team_on(*, child, on: date | None = None) -> Team | None:
    """The child's team on ``on`` (default today): social worker's, else personal adviser's."""
    on = on or timezone.localdate()
    for role in (AllocationRole.ALLOCATED_SW, AllocationRole.PA):
        allocation = (
            Allocation.objects.filter(child=child, role=role)
            .filter(allocation_open_q(on=on))
            .select_related("team")
            .order_by("-start_date", "-pk")
            .first()
        )
        if allocation is not None:
            return allocation.team
    return None


def children_with_team_on(queryset: QuerySet, *, on: date) -> QuerySet:
    """``queryset`` annotated with ``scope_team_id``: each child's team on ``on``, or null.

    The social worker's team when a social-worker allocation is open (even one without a
    team: then null), else the personal adviser's.
    """
    sw = _open_allocations(AllocationRole.ALLOCATED_SW, on)
    pa = _open_allocations(AllocationRole.PA, on)
    return queryset.annotate(
        _scope_has_sw=Exists(sw),
        _scope_sw_team=Subquery(sw.values("team_id")[:1]),
        _scope_pa_team=Subquery(pa.values("team_id")[:1]),
    ).annotate(
        scope_team_id=Case(
            When(_scope_has_sw=True, then=F("_scope_sw_team")), default=F("_scope_pa_team")
        )
    )


def teams_with_descendants(*, team_ids: Iterable[int]) -> set[int]:
    """The teams and every team below them (``Team.parent``), any depth."""
    found = set(team_ids)
    frontier = set(found)
    while frontier:
        below = set(Team.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = below - found
        found |= frontier
    return found


def children_visible_to(queryset: QuerySet, *, user, on: date | None = None) -> QuerySet:
    """The children of ``queryset`` the user may see case by case: in each authority, the
    user's case scope there (``organisations.permissions.case_scope``: whole authority, own
    teams and the teams below them, or none); every child for a superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    scopes = case_scopes(user=user)
    whole_las = {scope.la_id for scope in scopes if scope.whole_authority}
    teams = {team for scope in scopes if not scope.whole_authority for team in scope.team_ids}
    if not whole_las and not teams:
        return queryset.none()
    condition = Q(la_id__in=whole_las)
    if teams:
        queryset = children_with_team_on(queryset, on=on or timezone.localdate())
        condition |= Q(scope_team_id__in=teams_with_descendants(team_ids=teams))
    return queryset.filter(condition)


@dataclass(frozen=True)
class AuthorityRoles:
    """A user's roles in one authority, as ``user_role`` lists them."""

    la: LocalAuthority
    roles: tuple[str, ...]
    team_ids: tuple[str, ...]  # a team manager's teams; empty: the whole authority

    @property
    def text(self) -> str:
        """ "Team manager (T10, T11); Committee lead", or "no role"."""
        parts = []
        for role in self.roles:
            label = role_label(role)
            if role == TEAM_MANAGER:
                label += f" ({', '.join(self.team_ids) or 'whole authority'})"
            parts.append(label)
        return "; ".join(parts) or "no role"


def user_roles_by_authority(*, user: Any) -> list[AuthorityRoles]:
    """The user's memberships by authority code, each with the roles held there."""
    memberships = (
        Membership.objects.filter(user=user).select_related("la").prefetch_related("teams")
    )
    return [
        AuthorityRoles(
            la=m.la,
            roles=tuple(role for role in ROLES if getattr(m, role)),
            team_ids=tuple(sorted(t.team_id for t in m.teams.all())),
        )
        for m in sorted(memberships, key=lambda m: m.la.code)
    ]


def audit_events_filter(
    *,
    la: int | None = None,
    action: int | None = None,
    username: str = "",
    on_or_after: date | None = None,
    on_or_before: date | None = None,
    object_type: str = "",
) -> QuerySet:
    """Access events for the superusers' audit page, newest first, narrowed by each filter.

    Dates are days in the service's time zone (``TIME_ZONE``), both ends included.
    """
    events = AuditEvent.objects.select_related("user", "la").order_by("-at", "-pk")
    if la is not None:
        events = events.filter(la_id=la)
    if action is not None:
        events = events.filter(action=action)
    if username:
        events = events.filter(username__iexact=username)
    if on_or_after is not None:
        events = events.filter(at__date__gte=on_or_after)
    if on_or_before is not None:
        events = events.filter(at__date__lte=on_or_before)
    if object_type:
        events = events.filter(object_type=object_type)
    return events
