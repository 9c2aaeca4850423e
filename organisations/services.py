"""Writes about authorities, users and access (``roles.md`` "Audit")."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from organisations.models import AuditEvent, LocalAuthority, Membership, Team
from organisations.permissions import access_cache_clear
from organisations.roles import ROLES, TEAM_MANAGER

#: The ``role`` of the audit row written when the superuser flag changes.
SUPERUSER_ROLE = "superuser"
WHOLE_AUTHORITY_TEXT = "whole authority"


def client_address_of(request: Any) -> str | None:
    """The client's address, for audit rows, sign-in lockout and API throttles alike.

    With ``TRUSTED_PROXY_COUNT`` = 0 (the default) it is ``REMOTE_ADDR``, the address that
    connected to the web server: ``X-Forwarded-For`` is ignored, since any client can send
    one. Behind N trusted proxies (the documented TLS proxy: N = 1), each proxy appends the
    address it was connected from to ``X-Forwarded-For``, so the client is the N-th entry
    from the right; entries further left were written by the client and are not trusted.
    A header with fewer entries than proxies (a request that bypassed one) falls back to
    its leftmost entry, as Django REST framework's ``NUM_PROXIES`` does. ``None`` when
    unknown or not an IP address.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded.strip():
        entries = [entry.strip() for entry in forwarded.split(",")]
        address = entries[-min(proxies, len(entries))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    user: Any,
    action: AuditEvent.Action | int,
    la: LocalAuthority | None = None,
    object_type: str = "",
    object_id: str = "",
    n_children: int | None = None,
    detail: dict[str, Any] | None = None,
    request: Any = None,
) -> AuditEvent:
    """Write one access event: who, when, which authority, what, how many children.

    ``roles.md``: every case-level page view, export and child view leaves a row, written
    before the response is returned (for reads) or in the transaction of the action it
    records (callers wrap both in ``transaction.atomic``). ``detail`` holds the filter or
    parameters (never a child's name); ``request`` gives the client address.
    """
    signed_in = getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if signed_in else None,
        username=user.get_username() if signed_in else "",
        la=la,
        action=int(action),
        object_type=object_type,
        object_id=str(object_id),
        n_children=n_children,
        detail=detail or {},
        client_address=client_address_of(request),
    )


# --- roles per authority ----------------------------------------------------------------------

#: What a user holds in one authority: role → a team manager's team ids (extract ids, sorted;
#: empty for the whole authority, and for every other role).
Holding = dict[str, tuple[str, ...]]


class RoleChangeRefused(ValueError):
    """The role change asked for makes no sense as given; the message says why."""


def membership_holding(*, membership: Membership | None) -> Holding:
    """The roles of ``membership`` with a team manager's teams (empty for no membership)."""
    if membership is None:
        return {}
    teams = tuple(sorted(t.team_id for t in membership.teams.all()))
    return {role: teams if role == TEAM_MANAGER else () for role in membership.roles}


def _teams_detail(teams: tuple[str, ...]) -> list[str] | str:
    return list(teams) or WHOLE_AUTHORITY_TEXT


def role_changes_record(
    *,
    acting_user: Any,
    user: Any,
    la: LocalAuthority,
    before: Holding,
    after: Holding,
    request: Any = None,
) -> list[AuditEvent]:
    """One ``ROLE_CHANGE`` row of ``la`` per role granted or revoked there, and one when a
    team manager's teams change; nothing changed, no row.

    For changes already made (the services below, the Django admin's membership form);
    the caller holds the transaction.
    """
    events = []
    for role in ROLES:
        if role not in before and role not in after:
            continue
        if role in before and role in after and before[role] == after[role]:
            continue
        if role not in before:
            change = "granted"
        else:
            change = "revoked" if role not in after else "teams set"
        detail: dict[str, Any] = {"username": user.get_username(), "role": role, "change": change}
        if role == TEAM_MANAGER and role in after:
            detail["teams"] = _teams_detail(after[role])
        events.append(
            audit_record(
                user=acting_user,
                la=la,
                action=AuditEvent.Action.ROLE_CHANGE,
                object_type="User",
                object_id=str(user.pk),
                detail=detail,
                request=request,
            )
        )
    access_cache_clear(user=user)
    return events


def superuser_flag_record(
    *, acting_user: Any, user: Any, granted: bool, request: Any = None
) -> AuditEvent:
    """The ``ROLE_CHANGE`` row of a superuser flag set or cleared (no authority: everywhere).
    The caller holds the transaction (the Django admin's user form)."""
    return audit_record(
        user=acting_user,
        action=AuditEvent.Action.ROLE_CHANGE,
        object_type="User",
        object_id=str(user.pk),
        detail={
            "username": user.get_username(),
            "role": SUPERUSER_ROLE,
            "change": "granted" if granted else "revoked",
        },
        request=request,
    )


def _role_check(role: str, team_ids: Sequence[str]) -> None:
    if role not in ROLES:
        raise RoleChangeRefused(f"{role!r} is not a role; the roles are {', '.join(ROLES)}")
    if team_ids and role != TEAM_MANAGER:
        raise RoleChangeRefused("teams are named for the team manager role only")


def _teams_get(la: LocalAuthority, team_ids: Sequence[str]) -> list[Team]:
    teams = list(Team.objects.filter(la=la, team_id__in=team_ids))
    missing = sorted(set(team_ids) - {t.team_id for t in teams})
    if missing:
        raise RoleChangeRefused(f"no team {', '.join(missing)} in {la.code}")
    return teams


def _membership_locked(user: Any, la: LocalAuthority) -> Membership | None:
    return (
        Membership.objects.select_for_update()
        .filter(user=user, la=la)
        .prefetch_related("teams")
        .first()
    )


def user_role_grant(
    *,
    acting_user: Any,
    user: Any,
    la: LocalAuthority,
    role: str,
    team_ids: Sequence[str] = (),
    request: Any = None,
) -> bool:
    """Give ``user`` the role ``role`` in ``la`` (and nowhere else), audited.

    A team manager manages the teams named (added to those they already manage), or the
    whole authority when none is named. Turning a whole-authority team manager into a
    manager of some teams, or the reverse, is refused: revoke the role first, so a scope
    never widens or narrows as a side effect. Returns False (and writes nothing) when the
    user already holds exactly that.
    """
    _role_check(role, team_ids)
    with transaction.atomic():
        teams = _teams_get(la, team_ids)
        membership = _membership_locked(user, la)
        before = membership_holding(membership=membership)
        if role == TEAM_MANAGER and role in before and bool(before[role]) != bool(teams):
            if teams:
                raise RoleChangeRefused(
                    f"{user.get_username()} is team manager of the whole of {la.code}: revoke "
                    "team_manager there first to limit them to teams"
                )
            raise RoleChangeRefused(
                f"{user.get_username()} is team manager of {', '.join(before[role])} in "
                f"{la.code}: revoke team_manager there first to make them team manager of "
                "the whole authority"
            )
        if membership is None:
            membership = Membership.objects.create(user=user, la=la)
        setattr(membership, role, True)
        membership.save(update_fields=[role])
        membership.teams.add(*teams)
        after = membership_holding(membership=Membership.objects.get(pk=membership.pk))
        if after == before:
            return False
        role_changes_record(
            acting_user=acting_user, user=user, la=la, before=before, after=after, request=request
        )
    return True


def user_role_revoke(
    *,
    acting_user: Any,
    user: Any,
    la: LocalAuthority,
    role: str,
    team_ids: Sequence[str] = (),
    request: Any = None,
) -> bool:
    """Take the role ``role`` in ``la`` away from ``user``, audited.

    With ``team_ids`` (team managers) only those teams go; when the last one goes the role
    goes with it (never "no team named", which would mean the whole authority). A
    membership left with no role is removed. Returns False when there was nothing to take.
    """
    _role_check(role, team_ids)
    with transaction.atomic():
        teams = _teams_get(la, team_ids)
        membership = _membership_locked(user, la)
        before = membership_holding(membership=membership)
        if membership is None or role not in before:
            return False
        if teams and not before[role]:
            raise RoleChangeRefused(
                f"{user.get_username()} is team manager of the whole of {la.code}: revoke "
                "team_manager there without --team"
            )
        membership.teams.remove(*teams)
        if not teams or not membership.teams.exists():
            setattr(membership, role, False)
            membership.save(update_fields=[role])
            if role == TEAM_MANAGER:
                membership.teams.clear()
        after = membership_holding(membership=Membership.objects.get(pk=membership.pk))
        if not after:
            membership.delete()
        if after == before:
            return False
        role_changes_record(
            acting_user=acting_user, user=user, la=la, before=before, after=after, request=request
        )
    return True


def user_authority_remove(
    *, acting_user: Any, user: Any, la: LocalAuthority, request: Any = None
) -> bool:
    """Every role of ``user`` in ``la`` taken away (the membership removed), audited; False
    when they were not a member."""
    with transaction.atomic():
        membership = _membership_locked(user, la)
        if membership is None:
            return False
        before = membership_holding(membership=membership)
        membership.delete()
        role_changes_record(
            acting_user=acting_user, user=user, la=la, before=before, after={}, request=request
        )
    return True


# --- users: deactivation instead of deletion ---------------------------------------------------


def user_has_audit_history(*, user: Any) -> bool:
    """Whether any access event names ``user`` as the one who acted (then they cannot be
    deleted: ``AuditEvent.user`` is protected, and they are deactivated instead)."""
    return AuditEvent.objects.filter(user=user).exists()


def user_active_record_change(
    *, acting_user: Any, user: Any, was_active: bool, request: Any = None
) -> AuditEvent | None:
    """The ``USER_DEACTIVATE`` or ``USER_REACTIVATE`` row of a change already made (the
    Django admin's user form); nothing when ``is_active`` did not change. The caller holds
    the transaction."""
    if bool(user.is_active) == bool(was_active):
        return None
    action = (
        AuditEvent.Action.USER_REACTIVATE if user.is_active else AuditEvent.Action.USER_DEACTIVATE
    )
    return audit_record(
        user=acting_user,
        action=action,
        object_type="User",
        object_id=str(user.pk),
        detail={"username": user.get_username()},
        request=request,
    )


def user_active_set(*, acting_user: Any, user: Any, active: bool, request: Any = None) -> bool:
    """Deactivate (or reactivate) a user, audited in the same transaction.

    A deactivated user cannot sign in or use an API token, and keeps their audit history:
    how a user with history leaves the service. Returns False when already so.
    """
    with transaction.atomic():
        was_active = (
            type(user)
            .objects.select_for_update()
            .values_list("is_active", flat=True)
            .get(pk=user.pk)
        )
        if bool(was_active) == active:
            return False
        user.is_active = active
        user.save(update_fields=["is_active"])
        user_active_record_change(
            acting_user=acting_user, user=user, was_active=was_active, request=request
        )
    return True
