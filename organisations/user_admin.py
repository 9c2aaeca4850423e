"""The Django admin's user and membership pages, audited (``roles.md``: role changes leave
an access event).

Superusers manage users, roles and scope in the admin. Django's own ``UserAdmin`` is kept;
saving a user additionally writes a ``ROLE_CHANGE`` row for every role group granted or
revoked and for the superuser flag, a ``USER_DEACTIVATE`` / ``USER_REACTIVATE`` row when
*Active* changes, and saving or deleting a membership (a user's scope) one row for the
authority, in the admin's transaction (``organisations.services``).

A user with audit history is never deleted (the audit rows protect them): the delete page
says to untick *Active* instead, and the bulk delete action lists them as protected.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse

from organisations.admin import MembershipAdmin
from organisations.models import Membership
from organisations.services import (
    SUPERUSER_ROLE,
    user_active_record_change,
    user_has_audit_history,
    user_roles_record_change,
    user_scope_record,
)

MSG_DEACTIVATE_INSTEAD = (
    "{name} has audit history, so cannot be deleted: the access events must keep who acted. "
    "Untick Active and save to stop them signing in (the change is audited)."
)

User = get_user_model()


def _roles(user) -> set[str]:
    if user.pk is None:
        return set()
    roles = set(user.groups.values_list("name", flat=True))
    if User.objects.filter(pk=user.pk, is_superuser=True).exists():
        roles.add(SUPERUSER_ROLE)
    return roles


class AuditedUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        request._roles_before = _roles(obj) if change else set()
        request._was_active = (
            User.objects.filter(pk=obj.pk).values_list("is_active", flat=True).first()
            if change
            else obj.is_active
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_roles_record_change(
            acting_user=request.user,
            user=form.instance,
            before=getattr(request, "_roles_before", set()),
            after=_roles(form.instance),
            request=request,
        )
        user_active_record_change(
            acting_user=request.user,
            user=form.instance,
            was_active=getattr(request, "_was_active", form.instance.is_active),
            request=request,
        )

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is not None and user_has_audit_history(user=user):
            messages.error(request, MSG_DEACTIVATE_INSTEAD.format(name=user.get_username()))
            return redirect(reverse("admin:auth_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)


class AuditedMembershipAdmin(MembershipAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        membership = form.instance
        user_scope_record(
            acting_user=request.user,
            user=membership.user,
            la=membership.la,
            team_ids=list(membership.teams.values_list("team_id", flat=True)),
            request=request,
        )

    def delete_model(self, request, obj):
        user_scope_record(
            acting_user=request.user, user=obj.user, la=obj.la, team_ids=None, request=request
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "la"):
            user_scope_record(
                acting_user=request.user,
                user=membership.user,
                la=membership.la,
                team_ids=None,
                request=request,
            )
        super().delete_queryset(request, queryset)


admin.site.unregister(Membership)
admin.site.register(Membership, AuditedMembershipAdmin)
