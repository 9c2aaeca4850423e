"""Writes about authorities, users and access (``roles.md`` "Audit")."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from organisations.models import AuditEvent, LocalAuthority, Membership, Team
from organisations.roles import ROLE_GROUPS

#: Stands for the superuser flag in the role sets of ``user_roles_record_change``.
SUPERUSER_ROLE = "Superuser"


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


# --- roles and scope ------------------------------------------------------------------------


def user_roles_record_change(
    *,
    acting_user: Any,
    user: Any,
    before: set[str] | frozenset[str],
    after: set[str] | frozenset[str],
    request: Any = None,
) -> list[AuditEvent]:
    """One ``ROLE_CHANGE`` row per role granted or revoked between ``before`` and ``after``.

    For changes already made (the Django admin's user form saves the groups itself); the
    caller holds the transaction. The three role groups count, and ``SUPERUSER_ROLE`` for
    the superuser flag; nothing changed, no row.
    """
    events = []
    for role in (*ROLE_GROUPS, SUPERUSER_ROLE):
        if (role in before) == (role in after):
            continue
        events.append(
            audit_record(
                user=acting_user,
                action=AuditEvent.Action.ROLE_CHANGE,
                object_type="User",
                object_id=str(user.pk),
                detail={
                    "username": user.get_username(),
                    "role": role,
                    "change": "granted" if role in after else "revoked",
                },
                request=request,
            )
        )
    user.__dict__.pop("_cps_roles", None)  # organisations.permissions caches the roles
    return events


def user_role_change(
    *, acting_user: Any, user: Any, role: str, grant: bool, request: Any = None
) -> bool:
    """Grant or revoke one role (a Django group of ``organisations.roles``), audited.

    Atomic: the group change and its ``ROLE_CHANGE`` row commit together. Returns False
    (and writes nothing) when the user already has, or already lacks, the role.
    """
    if role not in ROLE_GROUPS:
        raise ValueError(f"{role!r} is not a role; the roles are {', '.join(ROLE_GROUPS)}")
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=role)
        before = set(user.groups.values_list("name", flat=True))
        if (role in before) == grant:
            return False
        if grant:
            user.groups.add(group)
        else:
            user.groups.remove(group)
        after = (before | {role}) if grant else (before - {role})
        user_roles_record_change(
            acting_user=acting_user, user=user, before=before, after=after, request=request
        )
    return True


def user_scope_set(
    *,
    acting_user: Any,
    user: Any,
    la: LocalAuthority,
    team_ids: list[str] | None = None,
    remove: bool = False,
    request: Any = None,
) -> bool:
    """Make ``user`` a member of ``la`` (whole authority, or the teams by extract id), or
    remove the membership; audited as a role change of that authority.

    Returns False (and writes nothing) when the scope is already as asked. Unknown team
    ids raise ``ValueError`` naming them.
    """
    with transaction.atomic():
        membership = Membership.objects.filter(user=user, la=la).first()
        if remove:
            if membership is None:
                return False
            membership.delete()
        else:
            wanted = list(Team.objects.filter(la=la, team_id__in=team_ids or []))
            missing = sorted(set(team_ids or []) - {t.team_id for t in wanted})
            if missing:
                raise ValueError(f"no team {', '.join(missing)} in {la.code}")
            current = (
                set(membership.teams.values_list("team_id", flat=True)) if membership else None
            )
            if current == {t.team_id for t in wanted}:
                return False
            if membership is None:
                membership = Membership.objects.create(user=user, la=la)
            membership.teams.set(wanted)
        user_scope_record(
            acting_user=acting_user,
            user=user,
            la=la,
            team_ids=None if remove else [t.team_id for t in wanted],
            request=request,
        )
    return True


def user_scope_record(
    *,
    acting_user: Any,
    user: Any,
    la: LocalAuthority,
    team_ids: list[str] | None,
    request: Any = None,
) -> AuditEvent:
    """The ``ROLE_CHANGE`` row of a scope change already made: ``team_ids`` the teams now
    (empty: the whole authority), ``None`` when the membership was removed. The caller
    holds the transaction (the Django admin's membership form, ``user_scope_set``)."""
    if team_ids is None:
        change: dict[str, Any] = {"change": "membership removed"}
    else:
        change = {"change": "membership set", "teams": sorted(team_ids) or "whole authority"}
    return audit_record(
        user=acting_user,
        la=la,
        action=AuditEvent.Action.ROLE_CHANGE,
        object_type="User",
        object_id=str(user.pk),
        detail={"username": user.get_username(), **change},
        request=request,
    )


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
