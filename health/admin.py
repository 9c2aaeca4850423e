"""Admin for health assessments and immunisation status."""

from __future__ import annotations

from django.contrib import admin

from health.models import HealthAssessment, ImmunisationStatus
from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.admin_scoping import AuthorityScopedAdmin

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


@admin.register(HealthAssessment)
class HealthAssessmentAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = ["child", "kind", "check_date", "status", "recorded_type", "la"]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "kind", "status", "check_date"]
    search_fields = ["child__child_id", "check_id", "recorded_type"]
    raw_id_fields = ["child"]
    date_hierarchy = "check_date"


@admin.register(ImmunisationStatus)
class ImmunisationStatusAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = ["child", "up_to_date", "status_date", "la"]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "up_to_date"]
    search_fields = ["child__child_id"]
    raw_id_fields = ["child"]
