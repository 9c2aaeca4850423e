"""API tokens for automation: issued and revoked by superusers, audited (``roles.md``).

One token per user (DRF's ``authtoken``). Issuing again replaces the old key, so a leaked
key is dealt with by issuing a new one or revoking. The key itself never reaches the audit
log, only who, for whom and what happened.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from organisations.models import AuditEvent
from organisations.services import audit_record

MSG_INACTIVE = "{username} is not active: activate the user before issuing a token."


class TokenRefused(ValueError):
    """The token cannot be issued; the message says why."""


def api_token_issue(*, user: Any, acting_user: Any = None, request: Any = None) -> Token:
    """A new key for ``user`` (any earlier key stops working at once); audited."""
    if not user.is_active:
        raise TokenRefused(MSG_INACTIVE.format(username=user.get_username()))
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
        audit_record(
            user=acting_user,
            action=AuditEvent.Action.API_TOKEN,
            object_type="User",
            object_id=str(user.pk),
            detail={
                "username": user.get_username(),
                "change": "replaced" if replaced else "created",
            },
            request=request,
        )
    return token


def api_token_revoke(*, user: Any, acting_user: Any = None, request: Any = None) -> bool:
    """Delete ``user``'s key; audited. False (and no row) when they had none."""
    with transaction.atomic():
        deleted = Token.objects.filter(user=user).delete()[0] > 0
        if deleted:
            audit_record(
                user=acting_user,
                action=AuditEvent.Action.API_TOKEN,
                object_type="User",
                object_id=str(user.pk),
                detail={"username": user.get_username(), "change": "revoked"},
                request=request,
            )
    return deleted
