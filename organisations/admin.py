"""Admin for authorities, teams, staff, allocations, user scope and the audit log.

Reference data (authorities, populations, teams, workers) imports and exports through
django-import-export on natural keys; the audit log is read-only. Every list is scoped by
authority (``organisations.admin_scoping``): an admin reaches only their authorities' rows.
"""

from __future__ import annotations

from django.contrib import admin

from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.admin_scoping import AuthorityScopedAdmin, NationalReferenceAdmin
from organisations.models import (
    Allocation,
    AuditEvent,
    LocalAuthority,
    LowerTierAuthority,
    Membership,
    Population,
    SocialWorkerEpisode,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from organisations.resources import (
    LocalAuthorityResource,
    PopulationResource,
    TeamResource,
    WorkerResource,
)
from organisations.spreadsheet_admin import CappedImportExportModelAdmin

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuthorityScopedAdmin, CappedImportExportModelAdmin):
    """An admin sees their own authorities and sets their visit standard and small-number
    suppression; codes, names and regions are the DfE's list (superusers only)."""

    la_path = ""
    superuser_fields = ("code", "ons_code", "name", "region", "is_current")
    resource_classes = [LocalAuthorityResource]
    list_display = [
        "code",
        "name",
        "ons_code",
        "region",
        "is_current",
        "visit_standard",
        "small_number_suppression",
    ]
    list_filter = ["is_current", "region", "visit_standard", "small_number_suppression"]
    search_fields = ["code", "ons_code", "name"]
    ordering = ["code"]


@admin.register(LowerTierAuthority)
class LowerTierAuthorityAdmin(NationalReferenceAdmin):
    list_display = ["ons_code", "name", "upper_tier"]
    list_select_related = ["upper_tier"]
    list_filter = [("upper_tier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["ons_code", "name", "upper_tier__code", "upper_tier__name"]
    raw_id_fields = ["upper_tier"]


@admin.register(Population)
class PopulationAdmin(AuthorityScopedAdmin, CappedImportExportModelAdmin):
    resource_classes = [PopulationResource]
    list_display = ["la", "year", "population_0_17", "source"]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "year"]
    search_fields = ["la__code", "la__name"]


@admin.register(Team)
class TeamAdmin(AuthorityScopedAdmin, CappedImportExportModelAdmin):
    resource_classes = [TeamResource]
    list_display = ["name", "team_id", "la", "parent"]
    list_select_related = ["la", "parent"]
    list_filter = [LA_FILTER]
    search_fields = ["name", "team_id", "la__code"]
    raw_id_fields = ["parent"]


@admin.register(Worker)
class WorkerAdmin(AuthorityScopedAdmin, CappedImportExportModelAdmin):
    resource_classes = [WorkerResource]
    list_display = [
        "professional_id",
        "name",
        "la",
        "role",
        "job_title",
        "fte",
        "is_agency",
        "user",
    ]
    list_select_related = ["la", "user"]
    list_filter = [LA_FILTER, "role", "is_agency"]
    search_fields = ["professional_id", "staff_id", "name", "job_title", "user__username"]
    raw_id_fields = ["user"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(AuthorityScopedAdmin):
    list_display = ["membership_id", "worker", "team", "role", "start_date", "end_date", "la"]
    list_select_related = ["la", "worker", "team"]
    list_filter = [LA_FILTER, "role", "start_date"]
    search_fields = ["membership_id", "worker__professional_id", "worker__name", "team__name"]
    raw_id_fields = ["worker", "team"]
    date_hierarchy = "start_date"


@admin.register(Allocation)
class AllocationAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = [
        "involvement_id",
        "child",
        "worker",
        "team",
        "role",
        "start_date",
        "end_date",
        "la",
    ]
    list_select_related = ["la", "child", "worker", "team"]
    list_filter = [LA_FILTER, "role", "start_date", "end_date"]
    search_fields = ["involvement_id", "child__child_id", "worker__professional_id", "team__name"]
    raw_id_fields = ["child", "worker", "team"]
    date_hierarchy = "start_date"


@admin.register(SocialWorkerEpisode)
class SocialWorkerEpisodeAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = ["child", "sw_id", "start_date", "end_date", "reason", "la"]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "reason", "start_date"]
    search_fields = ["child__child_id", "sw_id"]
    raw_id_fields = ["child"]


@admin.register(StaffEstablishment)
class StaffEstablishmentAdmin(AuthorityScopedAdmin):
    list_display = ["la", "role", "as_at_date", "fte_posts"]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "role", "as_at_date"]
    search_fields = ["la__code", "la__name"]


@admin.register(Membership)
class MembershipAdmin(AuthorityScopedAdmin):
    """A user's roles in one authority (superusers only: managing roles is theirs)."""

    list_display = ["user", "la", "team_manager", "admin", "committee_lead"]
    list_select_related = ["user", "la"]
    list_filter = [LA_FILTER, "team_manager", "admin", "committee_lead"]
    search_fields = ["user__username", "user__email", "la__code", "la__name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["teams"]


@admin.register(AuditEvent)
class AuditEventAdmin(AuthorityScopedAdmin):
    """The audit log can be read and searched here, never written or removed."""

    list_display = ["at", "action", "username", "la", "object_type", "object_id", "n_children"]
    list_select_related = ["la"]
    list_filter = ["action", LA_FILTER, "at"]
    search_fields = ["username", "object_type", "object_id", "client_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Reference-data history, read-only (django-simple-history); users with audited role changes.
from organisations import history_admin, user_admin  # noqa: E402, F401
