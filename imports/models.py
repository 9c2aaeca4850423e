"""Import batches, their files and row-level issues (errors and warnings)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportFormat(models.TextChoices):
    SSDA903 = "ssda903", "SSDA903 children looked after return"
    SSD = "ssd", "Standard Safeguarding Dataset (casework)"


class ImportBatch(models.Model):
    """One upload or ``import_extract`` run: a file set for one authority.

    Progress fields are written outside the import's own transaction so a page polling
    the batch sees them advance.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VALIDATING = "validating", "Validating"
        WRITING = "writing", "Writing"
        DONE = "done", "Done"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"
        # The process running it stopped (killed, restarted) before it finished: nothing
        # was written; an admin runs it again from its page.
        INTERRUPTED = "interrupted", "Interrupted"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.PROTECT, related_name="import_batches"
    )
    format = models.CharField(max_length=10, choices=ImportFormat.choices)
    collection_year = models.PositiveSmallIntegerField(null=True, blank=True)
    as_at = models.DateField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_validated = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    counts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per table: read, inserted, updated, unchanged, removed.",
    )
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    issue_summary = models.JSONField(
        default=dict,
        blank=True,
        help_text="Issue counts by rule and warnings per indicator (every issue, kept or not).",
    )
    message = models.TextField(blank=True)
    earliest_changed_date = models.DateField(null=True, blank=True)
    recompute_due = models.BooleanField(default=False)
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )
    # The run in hand (imports/batch_runs.py): which process holds the batch, when it last
    # showed a sign of life, and how many runs have started (an interrupted one included).
    run_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"#{self.pk} {self.la.code} {self.format} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ImportFile(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    tables = models.JSONField(default=list, blank=True, help_text="Tables recognised in the file.")
    stored_path = models.CharField(max_length=500, blank=True)
    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the stored copy was deleted (a rejected upload's files are kept "
        "IMPORT_REJECTED_FILES_KEEP_DAYS days).",
    )

    class Meta:
        ordering = ["batch", "name"]

    def __str__(self) -> str:
        return f"{self.name} (batch #{self.batch_id})"


class ImportIssue(models.Model):
    """A row-level error or warning, naming file, row, column, value and a plain-English message."""

    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=7, choices=Severity.choices)
    kind = models.CharField(max_length=50, help_text="Stable machine-readable rule name.")
    rule_code = models.CharField(
        max_length=20, blank=True, help_text="DfE validator rule code, if any."
    )
    file_name = models.CharField(max_length=255, blank=True)
    table = models.CharField(max_length=50, blank=True)
    row_number = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=255, blank=True)
    location = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="Where in a file without rows: an XML return's element path, e.g. "
        "CHILD A1001 / EPISODE 2 / DECOM.",
    )
    message = models.TextField()
    indicators = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["batch", "severity", "file_name", "row_number"]
        indexes = [models.Index(fields=["batch", "severity"])]

    def __str__(self) -> str:
        return f"{self.severity} {self.kind} {self.file_name}:{self.row_number or ''}"


class CodeMap(models.Model):
    """An authority's local value → SSD/canonical code (``ext_code_map.csv``)."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="code_maps"
    )
    table = models.CharField(max_length=60)
    field = models.CharField(max_length=60)
    local_value = models.CharField(max_length=255)
    ssd_value = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "table", "field", "local_value"], name="codemap_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}.{self.field} {self.local_value!r} → {self.ssd_value}"


class FeedStatus(models.Model):
    """The as-at date of the latest successful import of each feed (table) per authority."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="feeds"
    )
    feed = models.CharField(max_length=60)
    as_at = models.DateField()
    imported_at = models.DateTimeField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "feed"], name="feedstatus_unique_la_feed")
        ]

    def __str__(self) -> str:
        return f"{self.feed} as at {self.as_at}"
