"""Admin for looked-after reviews and statutory visits."""

from __future__ import annotations

from django.contrib import admin

from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.admin_scoping import AuthorityScopedAdmin
from reviews.models import Review, StatutoryVisit

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


@admin.register(Review)
class ReviewAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = [
        "child",
        "review_date",
        "review_code",
        "cancelled",
        "supplied_due_date",
        "source",
        "la",
    ]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "source", "cancelled", "review_code", "review_date"]
    search_fields = ["child__child_id", "ssd_review_id", "ssd_cla_id"]
    raw_id_fields = ["child"]
    date_hierarchy = "review_date"


@admin.register(StatutoryVisit)
class StatutoryVisitAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    list_display = ["child", "visit_date", "seen", "seen_alone", "visit_id", "la"]
    list_select_related = ["la", "child"]
    list_filter = [LA_FILTER, "seen", "seen_alone", "visit_date"]
    search_fields = ["child__child_id", "visit_id", "ssd_cla_id"]
    raw_id_fields = ["child"]
    date_hierarchy = "visit_date"
