"""The Django admin's permissions that come with a role (``roles.md``: "Django admin — admin:
reference data only").

A user who is an admin of at least one authority holds the model permissions of
``organisations.roles.ADMIN_REFERENCE_MODELS``; which *rows* they reach is decided per
authority by ``organisations.admin_scoping`` (only the authorities where they are an admin).
No group is involved, so a group can neither grant nor widen the role. Staff status is still
needed to enter the admin at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from organisations.permissions import REFERENCE_DATA, user_can
from organisations.roles import ADMIN_REFERENCE_PERMISSIONS


class RolePermissionsBackend(BaseBackend):
    """Grants permissions only (never authenticates)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or user_obj.is_superuser:  # superusers: ModelBackend has them all
            return set()
        if not user_can(user=user_obj, capability=REFERENCE_DATA):
            return set()
        return set(ADMIN_REFERENCE_PERMISSIONS)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
