"""Admin for snapshots, recompute runs, targets and benchmarks.

Targets and benchmarks are reference data an administrator maintains, so they import and
export as spreadsheets (django-import-export, matched on natural keys).
"""

from __future__ import annotations

from django.contrib import admin

from organisations.admin_scoping import AuthorityScopedAdmin
from organisations.spreadsheet_admin import CappedImportExportModelAdmin
from scorecards.models import (
    Benchmark,
    Commentary,
    CommentaryRevision,
    Publication,
    RecomputeLock,
    RecomputeRun,
    RenderedPdf,
    Snapshot,
    SnapshotCell,
    Target,
)
from scorecards.resources import BenchmarkResource, TargetResource

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


@admin.register(Snapshot)
class SnapshotAdmin(AuthorityScopedAdmin):
    list_display = [
        "la",
        "month",
        "version",
        "is_current",
        "as_of",
        "month_to_date",
        "computed_at",
    ]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "is_current", "month_to_date", "month"]
    search_fields = ["la__code", "la__name", "fingerprint"]
    date_hierarchy = "month"


@admin.register(SnapshotCell)
class SnapshotCellAdmin(AuthorityScopedAdmin):
    la_path = "snapshot__la"
    list_display = ["snapshot", "indicator", "period"]
    list_select_related = ["snapshot__la"]
    list_filter = [("snapshot__la", admin.RelatedOnlyFieldListFilter), "period", "indicator"]
    search_fields = ["indicator", "period"]
    raw_id_fields = ["snapshot"]


@admin.register(RecomputeRun)
class RecomputeRunAdmin(AuthorityScopedAdmin):
    list_display = [
        "id",
        "la",
        "first_month",
        "last_month",
        "months_done",
        "months_total",
        "status",
        "started_at",
        "finished_at",
    ]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "status"]
    search_fields = ["la__code", "message"]
    raw_id_fields = ["batch"]


@admin.register(Target)
class TargetAdmin(AuthorityScopedAdmin, CappedImportExportModelAdmin):
    resource_classes = [TargetResource]
    list_display = ["la", "indicator", "financial_year", "target", "tolerance"]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "financial_year", "indicator"]
    search_fields = ["indicator", "la__code", "la__name"]


@admin.register(Benchmark)
class BenchmarkAdmin(AuthorityScopedAdmin, CappedImportExportModelAdmin):
    """England-wide values (no authority) are read by every admin, changed by superusers."""

    national_rows = True
    resource_classes = [BenchmarkResource]
    list_display = ["indicator", "year", "scope", "la", "value", "source"]
    list_select_related = ["la"]
    list_filter = ["scope", "year", "indicator", LA_FILTER]
    search_fields = ["indicator", "source", "la__code", "la__name"]


class ReadOnlyAdmin(AuthorityScopedAdmin):
    """Rows written only by services (with their audit rows): shown, never edited here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecomputeLock)
class RecomputeLockAdmin(ReadOnlyAdmin):
    list_display = ["la", "token", "expires_at"]
    list_select_related = ["la"]
    search_fields = ["la__code", "la__name"]


@admin.register(Commentary)
class CommentaryAdmin(ReadOnlyAdmin):
    list_display = ["la", "month", "section", "updated_by"]
    list_select_related = ["la", "updated_by"]
    list_filter = [LA_FILTER, "section", "month"]
    search_fields = ["la__code", "section", "text"]


@admin.register(CommentaryRevision)
class CommentaryRevisionAdmin(ReadOnlyAdmin):
    la_path = "commentary__la"
    list_display = ["commentary", "edited_by", "edited_at"]
    list_select_related = ["commentary__la", "edited_by"]
    search_fields = ["commentary__la__code", "commentary__section", "text"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["la", "month", "snapshot_version", "published_by", "published_at"]
    list_select_related = ["la", "published_by"]
    list_filter = [LA_FILTER, "month"]
    search_fields = ["la__code", "fingerprint"]


@admin.register(RenderedPdf)
class RenderedPdfAdmin(ReadOnlyAdmin):
    la_path = "snapshot__la"
    list_display = ["snapshot", "kind", "pages", "size", "rendered_at", "render_seconds"]
    list_select_related = ["snapshot__la"]
    list_filter = ["kind"]
    search_fields = ["snapshot__la__code", "path"]
