"""Admin for children, their episodes and periods of care and child-level casework records.

Lists filter by authority and the codes people look for; each record links to its child
through a raw id box, because an authority holds thousands of children.
"""

from __future__ import annotations

from django.contrib import admin

from children.models import (
    CareLeaverObservation,
    Child,
    ChildHeader,
    CINAssessment,
    CINEpisode,
    DeprivationOfLiberty,
    Episode,
    ExploitationRisk,
    MissingEpisode,
    OC2Outcome,
    OC3Outcome,
    PeriodOfCare,
    PersonalEducationPlan,
    PreviousPermanence,
    ReturnYear,
    School,
    SchoolPlacement,
    SupervisionRecord,
    UASCRecord,
)
from children.resources import SchoolResource
from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.admin_scoping import AuthorityScopedAdmin, NationalReferenceAdmin
from organisations.spreadsheet_admin import CappedImportExportModelAdmin

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


class ChildRecordAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    """Shared options for records that belong to one child of one authority."""

    list_select_related = ["la", "child"]
    raw_id_fields = ["child"]
    search_fields = ["child__child_id"]


@admin.register(Child)
class ChildAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = ["child_id", "la", "sex", "dob", "ethnicity", "disability", "header_year"]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "sex", "disability", "ethnicity", "header_year"]
    search_fields = ["child_id", "upn", "legacy_id", "forename", "surname"]


@admin.register(ChildHeader)
class ChildHeaderAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    la_path = "child__la"
    list_display = ["child", "year", "sex", "dob", "ethnicity"]
    list_select_related = ["child__la"]
    list_filter = [("child__la", admin.RelatedOnlyFieldListFilter), "year", "sex"]
    search_fields = ["child__child_id", "upn"]
    raw_id_fields = ["child"]


@admin.register(UASCRecord)
class UASCRecordAdmin(ChildRecordAdmin):
    list_display = ["child", "year", "duc", "la"]
    list_filter = [LA_FILTER, "year"]


@admin.register(PeriodOfCare)
class PeriodOfCareAdmin(ChildRecordAdmin):
    list_display = [
        "child",
        "start_date",
        "end_date",
        "reason_ceased",
        "starts_with_s",
        "is_short_break",
        "la",
    ]
    list_filter = [LA_FILTER, "reason_ceased", "starts_with_s", "is_short_break", "start_date"]
    date_hierarchy = "start_date"


@admin.register(Episode)
class EpisodeAdmin(ChildRecordAdmin):
    list_display = [
        "child",
        "decom",
        "dec",
        "rne",
        "ls",
        "cin",
        "place",
        "place_provider",
        "rec",
        "pl_location",
        "source",
        "collection_year",
        "la",
    ]
    list_filter = [
        LA_FILTER,
        "source",
        "collection_year",
        "rne",
        "ls",
        "place",
        "rec",
        "pl_location",
        "is_short_break",
    ]
    search_fields = ["child__child_id", "ssd_episode_id", "ssd_placement_id", "urn"]
    raw_id_fields = ["child", "period_of_care"]
    date_hierarchy = "decom"


@admin.register(MissingEpisode)
class MissingEpisodeAdmin(ChildRecordAdmin):
    list_display = [
        "child",
        "missing_type",
        "start_date",
        "end_date",
        "rhi_offered",
        "rhi_accepted",
        "la",
    ]
    list_filter = [LA_FILTER, "missing_type", "rhi_offered", "rhi_accepted", "source"]
    date_hierarchy = "start_date"


@admin.register(School)
class SchoolAdmin(NationalReferenceAdmin, CappedImportExportModelAdmin):
    resource_classes = [SchoolResource]
    list_display = ["urn", "name", "la_code", "ofsted_rating", "inspection_date"]
    list_filter = ["ofsted_rating", "la_code"]
    search_fields = ["urn", "name"]


@admin.register(SchoolPlacement)
class SchoolPlacementAdmin(ChildRecordAdmin):
    list_display = ["child", "school_urn", "school_name", "start_date", "end_date", "la"]
    list_filter = [LA_FILTER, "start_date"]
    search_fields = ["child__child_id", "record_id", "school_urn", "school_name"]


@admin.register(PersonalEducationPlan)
class PersonalEducationPlanAdmin(ChildRecordAdmin):
    list_display = ["child", "pep_date", "status", "review_due_date", "la"]
    list_filter = [LA_FILTER, "status", "pep_date"]
    search_fields = ["child__child_id", "record_id"]
    date_hierarchy = "pep_date"


@admin.register(CareLeaverObservation)
class CareLeaverObservationAdmin(ChildRecordAdmin):
    list_display = [
        "child",
        "as_at",
        "eligibility",
        "in_touch",
        "accommodation",
        "accommodation_suitable",
        "activity",
        "pathway_plan_review_date",
        "la",
    ]
    list_filter = [
        LA_FILTER,
        "as_at",
        "eligibility",
        "in_touch",
        "accommodation_suitable",
        "activity",
    ]
    search_fields = ["child__child_id", "personal_advisor", "worker_id"]


@admin.register(OC2Outcome)
class OC2OutcomeAdmin(ChildRecordAdmin):
    list_display = ["child", "year", "sdq_score", "convicted", "health_check", "la"]
    list_filter = [LA_FILTER, "year", "health_check", "teeth_check", "immunisations"]


@admin.register(OC3Outcome)
class OC3OutcomeAdmin(ChildRecordAdmin):
    list_display = ["child", "year", "in_touch", "activity", "accommodation", "la"]
    list_filter = [LA_FILTER, "year", "in_touch", "activity", "accommodation"]


@admin.register(PreviousPermanence)
class PreviousPermanenceAdmin(ChildRecordAdmin):
    list_display = ["child", "year", "prev_perm", "la_perm", "date_perm", "la"]
    list_filter = [LA_FILTER, "year", "prev_perm"]


@admin.register(DeprivationOfLiberty)
class DeprivationOfLibertyAdmin(ChildRecordAdmin):
    list_display = ["child", "start_date", "end_date", "la"]
    list_filter = [LA_FILTER, "start_date"]


@admin.register(CINEpisode)
class CINEpisodeAdmin(ChildRecordAdmin):
    list_display = ["referral_id", "child", "referral_date", "close_date", "la"]
    list_filter = [LA_FILTER, "referral_date"]
    search_fields = ["child__child_id", "referral_id"]


@admin.register(CINAssessment)
class CINAssessmentAdmin(ChildRecordAdmin):
    list_display = ["assessment_id", "child", "start_date", "authorised_date", "team_id", "la"]
    list_filter = [LA_FILTER, "authorised_date"]
    search_fields = ["child__child_id", "assessment_id", "referral_id", "worker_id"]


@admin.register(ExploitationRisk)
class ExploitationRiskAdmin(ChildRecordAdmin):
    list_display = ["child", "risk_type", "level", "start_date", "end_date", "la"]
    list_filter = [LA_FILTER, "risk_type", "level", "start_date"]
    search_fields = ["child__child_id", "record_id", "assessment_id"]
    date_hierarchy = "start_date"


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(ChildRecordAdmin):
    list_display = ["child", "supervision_date", "supervisor_id", "professional_id", "la"]
    list_filter = [LA_FILTER, "supervision_date"]
    search_fields = ["child__child_id", "record_id", "supervisor_id", "professional_id"]
    date_hierarchy = "supervision_date"


@admin.register(ReturnYear)
class ReturnYearAdmin(AuthorityScopedAdmin):
    """Which SSDA903 years each authority has loaded (superusers; the importer records them).

    A year recorded here is what lets a later return end an earlier one's open episodes
    (docs/ssda903.md §3); it is set by imports, and a change here takes effect at the
    authority's next 903 import.
    """

    list_display = ["la", "year", "loaded_at"]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "year"]
    search_fields = ["la__code", "la__name"]
