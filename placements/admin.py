"""Admin for placements and adoption milestones."""

from __future__ import annotations

from django.contrib import admin

from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.admin_scoping import AuthorityScopedAdmin, NationalReferenceAdmin
from placements.models import AdoptionRecord, OnsPostcode, Placement, PlacementDecision

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


@admin.register(Placement)
class PlacementAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = [
        "child",
        "start_date",
        "end_date",
        "place",
        "latest_place",
        "placement_group",
        "pl_location",
        "pl_distance",
        "source",
        "la",
    ]
    list_select_related = ["la", "child"]
    list_filter = [
        LA_FILTER,
        "place",
        "placement_group",
        "pl_location",
        "place_provider",
        "is_temporary",
        "source",
    ]
    search_fields = ["child__child_id", "ssd_placement_id", "urn", "pl_la"]
    raw_id_fields = ["child", "period_of_care"]
    date_hierarchy = "start_date"


@admin.register(AdoptionRecord)
class AdoptionRecordAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = ["child", "year", "date_int", "date_match", "foster_care", "la"]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "year", "foster_care"]
    search_fields = ["child__child_id"]
    raw_id_fields = ["child"]


@admin.register(PlacementDecision)
class PlacementDecisionAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = [
        "child",
        "date_placed",
        "date_placed_ceased",
        "reason_placed_ceased",
        "year",
        "la",
    ]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "reason_placed_ceased", "year"]
    search_fields = ["child__child_id"]
    raw_id_fields = ["child"]
    date_hierarchy = "date_placed"


@admin.register(OnsPostcode)
class OnsPostcodeAdmin(NationalReferenceAdmin):
    """Read-only: rows come from ``load_ons_postcodes``, never from hand edits."""

    list_display = ["postcode", "easting", "northing", "laua"]
    search_fields = ["postcode", "laua"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
