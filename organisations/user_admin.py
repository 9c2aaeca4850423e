"""The Django admin's user and membership pages, audited (``roles.md``: role changes leave
an access event; managing users and roles is for superusers).

Roles are held per authority on ``Membership`` rows (``organisations.roles``): the user's
page lists them ("Roles per authority") and *Memberships* lists everyone's. Saving either
writes a ``ROLE_CHANGE`` row of the authority for every role granted or revoked there (and
for a team manager's teams), one for the superuser flag, and a ``USER_DEACTIVATE`` /
``USER_REACTIVATE`` row when *Active* changes, in the admin's transaction
(``organisations.services``).

A user with audit history is never deleted (the audit rows protect them): the delete page
says to untick *Active* instead, and the bulk delete action lists them as protected.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse

from organisations.admin import MembershipAdmin
from organisations.models import LocalAuthority, Membership
from organisations.services import (
    Holding,
    membership_holding,
    role_changes_record,
    superuser_flag_record,
    user_active_record_change,
    user_has_audit_history,
)

MSG_DEACTIVATE_INSTEAD = (
    "{name} has audit history, so cannot be deleted: the access events must keep who acted. "
    "Untick Active and save to stop them signing in (the change is audited)."
)

User = get_user_model()
MSG_TEAMS_ELSEWHERE = "These teams are not teams of {code}: {teams}."
MSG_TEAMS_WITHOUT_MANAGER = "Teams are named for a team manager only: tick Team manager."


class MembershipForm(forms.ModelForm):
    """A membership's roles; a team manager's teams must be teams of that authority."""

    class Meta:
        model = Membership
        fields = ["user", "la", "team_manager", "admin", "committee_lead", "teams"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        la, teams = data.get("la"), list(data.get("teams") or [])
        if la is not None:
            elsewhere = sorted(t.team_id for t in teams if t.la_id != la.pk)
            if elsewhere:
                self.add_error(
                    "teams", MSG_TEAMS_ELSEWHERE.format(code=la.code, teams=", ".join(elsewhere))
                )
        if teams and not data.get("team_manager"):
            self.add_error("teams", MSG_TEAMS_WITHOUT_MANAGER)
        return data


def _holdings(user_id: int | None) -> dict[int, Holding]:
    """authority id → what the user holds there, as stored now."""
    if user_id is None:
        return {}
    memberships = Membership.objects.filter(user_id=user_id).prefetch_related("teams")
    return {m.la_id: membership_holding(membership=m) for m in memberships}


def _record(request: Any, user: Any, before: dict[int, Holding], after: dict[int, Holding]):
    las = LocalAuthority.objects.in_bulk(set(before) | set(after))
    for la_id, la in sorted(las.items(), key=lambda kv: kv[1].code):
        role_changes_record(
            acting_user=request.user,
            user=user,
            la=la,
            before=before.get(la_id, {}),
            after=after.get(la_id, {}),
            request=request,
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    fields = ["la", "team_manager", "admin", "committee_lead", "teams"]
    extra = 0
    verbose_name = "role in an authority"
    verbose_name_plural = "roles per authority"


class AuditedUserAdmin(UserAdmin):
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        stored = (
            User.objects.filter(pk=obj.pk).values_list("is_superuser", "is_active").first()
            if change
            else None
        )
        was_superuser, was_active = stored if stored else (False, obj.is_active)
        request._cps_before = (bool(was_superuser), _holdings(obj.pk if change else None))
        request._was_active = was_active
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        was_superuser, before = getattr(request, "_cps_before", (False, {}))
        if bool(user.is_superuser) != was_superuser:
            superuser_flag_record(
                acting_user=request.user, user=user, granted=user.is_superuser, request=request
            )
        _record(request, user, before, _holdings(user.pk))
        user_active_record_change(
            acting_user=request.user,
            user=user,
            was_active=getattr(request, "_was_active", user.is_active),
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
    form = MembershipForm

    def save_model(self, request, obj, form, change):
        stored = Membership.objects.filter(pk=obj.pk).prefetch_related("teams").first()
        request._cps_before = membership_holding(membership=stored if change else None)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        membership = Membership.objects.prefetch_related("teams").get(pk=form.instance.pk)
        role_changes_record(
            acting_user=request.user,
            user=membership.user,
            la=membership.la,
            before=getattr(request, "_cps_before", {}),
            after=membership_holding(membership=membership),
            request=request,
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Membership.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "la").prefetch_related("teams"):
            role_changes_record(
                acting_user=request.user,
                user=membership.user,
                la=membership.la,
                before=membership_holding(membership=membership),
                after={},
                request=request,
            )
        super().delete_queryset(request, queryset)


admin.site.unregister(Membership)
admin.site.register(Membership, AuditedMembershipAdmin)
