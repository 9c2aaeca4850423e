"""Admin for import batches, their files and row issues, code maps and feed status.

Batches are written by the import machinery; here they are for inspection.
"""

from __future__ import annotations

from django.contrib import admin

from imports.models import CodeMap, FeedStatus, ImportBatch, ImportFile, ImportIssue
from organisations.admin_audit import CaseRecordAuditAdmin
from organisations.admin_scoping import AuthorityScopedAdmin

LA_FILTER = ("la", admin.RelatedOnlyFieldListFilter)


class ImportFileInline(admin.TabularInline):
    model = ImportFile
    extra = 0
    fields = ["name", "size", "sha256", "tables"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(ImportBatch)
class ImportBatchAdmin(AuthorityScopedAdmin):
    list_display = [
        "id",
        "la",
        "format",
        "collection_year",
        "as_at",
        "status",
        "dry_run",
        "rows_written",
        "error_count",
        "warning_count",
        "created_at",
        "created_by",
    ]
    list_select_related = ["la", "created_by"]
    list_filter = [LA_FILTER, "format", "status", "dry_run", "collection_year", "created_at"]
    search_fields = ["id", "message", "files__name", "created_by__username"]
    raw_id_fields = ["created_by", "rerun_of"]
    date_hierarchy = "created_at"
    inlines = [ImportFileInline]


@admin.register(ImportFile)
class ImportFileAdmin(AuthorityScopedAdmin):
    la_path = "batch__la"
    list_display = ["name", "batch", "size", "sha256"]
    list_select_related = ["batch__la"]
    list_filter = [("batch__la", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "sha256"]
    raw_id_fields = ["batch"]


@admin.register(ImportIssue)
class ImportIssueAdmin(CaseRecordAuditAdmin, AuthorityScopedAdmin):
    la_path = "batch__la"
    list_display = [
        "batch",
        "severity",
        "kind",
        "rule_code",
        "file_name",
        "row_number",
        "column",
        "value",
        "message",
    ]
    list_select_related = ["batch__la"]
    list_filter = ["severity", "kind", ("batch__la", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["kind", "rule_code", "file_name", "column", "value", "message"]
    raw_id_fields = ["batch"]


@admin.register(CodeMap)
class CodeMapAdmin(AuthorityScopedAdmin):
    list_display = ["la", "table", "field", "local_value", "ssd_value"]
    list_select_related = ["la"]
    list_filter = [LA_FILTER, "table", "field"]
    search_fields = ["table", "field", "local_value", "ssd_value"]


@admin.register(FeedStatus)
class FeedStatusAdmin(AuthorityScopedAdmin):
    list_display = ["la", "feed", "as_at", "imported_at", "batch"]
    list_select_related = ["la", "batch"]
    list_filter = [LA_FILTER, "feed"]
    search_fields = ["feed", "la__code"]
    raw_id_fields = ["batch"]
