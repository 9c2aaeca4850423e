"""Writes about authorities, users and access (``roles.md`` "Audit")."""

from __future__ import annotations

from typing import Any

from organisations.models import AuditEvent, LocalAuthority


def client_address_of(request: Any) -> str | None:
    """The client's address as the web server saw it (``REMOTE_ADDR``), ``None`` if unknown.

    Behind a proxy the WSGI server is configured to pass the real client address; a header
    the client sets itself (``X-Forwarded-For``) is never trusted for an audit row.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        la=la,
        action=int(action),
        object_type=object_type,
        object_id=str(object_id),
        n_children=n_children,
        detail=detail or {},
        client_address=client_address_of(request),
    )
