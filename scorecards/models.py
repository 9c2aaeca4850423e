"""Indicator snapshots, targets, benchmarks and recompute runs.

Snapshots store numerators and denominators (or sums and counts, or breakdowns), never
rounded percentages: values, RAG and change are derived on read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Snapshot(models.Model):
    """One version of an authority's figures for one month; the newest complete one is current."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="snapshots"
    )
    month = models.DateField(help_text="First day of the reporting month.")
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=False)
    as_of = models.DateField(help_text="Month end, or today for the month to date.")
    month_to_date = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    batch_ids = models.JSONField(default=list, blank=True, help_text="Import batches reflected.")
    fingerprint = models.CharField(max_length=64, blank=True, help_text="Hash of the cells.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "month", "version"], name="snapshot_unique_version"
            ),
            models.UniqueConstraint(
                fields=["la", "month"], condition=Q(is_current=True), name="snapshot_one_current"
            ),
        ]
        ordering = ["la", "month", "-version"]

    def __str__(self) -> str:
        return f"{self.la.code} {self.month:%Y-%m} v{self.version}"


class SnapshotCell(models.Model):
    """One indicator × period of a snapshot, in the export shape of ``indicators.md`` §4."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="cells")
    indicator = models.CharField(max_length=60)
    period = models.CharField(max_length=10)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "indicator", "period"], name="cell_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}"


class RecomputeRun(models.Model):
    """Progress of one recompute of an authority's snapshots (shown on the imports page)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        # The process running it stopped before it finished: the months it wrote stand (each
        # is complete), the rest are recomputed by the run its message names, or by an admin.
        INTERRUPTED = "interrupted", "Interrupted"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="recompute_runs"
    )
    first_month = models.DateField()
    last_month = models.DateField()
    months_total = models.PositiveIntegerField(default=0)
    months_done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    holder = models.CharField(
        max_length=64, blank=True, help_text="Token of the recompute lock held while running."
    )
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text="2 and more: it resumes runs that were interrupted."
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return (
            f"Recompute #{self.pk} {self.first_month:%Y-%m}–{self.last_month:%Y-%m} {self.status}"
        )


class Target(models.Model):
    """An authority's target and tolerance for an indicator in a financial year."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField(max_length=60)
    financial_year = models.PositiveSmallIntegerField(
        help_text="Year the financial year starts (2024 = 2024/25)."
    )
    target = models.DecimalField(max_digits=10, decimal_places=2)
    tolerance = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "indicator", "financial_year"], name="target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.financial_year}: {self.target}"


class Benchmark(models.Model):
    """A comparator value (England, region, statistical neighbours) for an indicator and year."""

    class Scope(models.TextChoices):
        ENGLAND = "england", "England"
        REGION = "region", "Region"
        STAT_NEIGHBOURS = "stat_neighbours", "Statistical neighbours"

    indicator = models.CharField(max_length=60)
    year = models.PositiveSmallIntegerField()
    scope = models.CharField(max_length=20, choices=Scope.choices)
    la = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="benchmarks",
        help_text="For region and statistical-neighbour values.",
    )
    value = models.DecimalField(max_digits=10, decimal_places=2)
    source = models.CharField(max_length=300)

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "scope", "la"], name="benchmark_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} {self.scope}: {self.value}"


class RecomputeLock(models.Model):
    """A lease that lets one recompute of an authority run at a time (coalescing).

    Taken by a compare-and-set UPDATE (free, or its lease expired), so it works the same
    on PostgreSQL and SQLite and never holds a database transaction open while indicators
    are computed. The holder renews the lease from a background thread (and after each
    month it writes); a worker that dies leaves a lease that expires within
    ``WORK_LEASE_SECONDS``.
    """

    la = models.OneToOneField(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="recompute_lock",
    )
    token = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recompute lock {self.la_id}: {'held' if self.token else 'free'}"


# --- commentary and publication (issue 9) ------------------------------------------------


class Commentary(models.Model):
    """The current commentary on one section of an authority's scorecard for one month.

    Written by admins and committee leads (``roles.md``); every edit leaves a
    ``CommentaryRevision`` with the text it replaced, so the history shows who wrote what
    and when. A publication freezes the texts it printed (``Publication.commentary``).
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="commentaries"
    )
    month = models.DateField(help_text="First day of the reporting month.")
    section = models.CharField(max_length=40, help_text="Registry section key (e.g. health).")
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "month", "section"], name="commentary_unique_section_month"
            )
        ]
        ordering = ["la", "month", "section"]
        verbose_name_plural = "commentaries"

    def __str__(self) -> str:
        return f"{self.la.code} {self.month:%Y-%m} {self.section}"


class CommentaryRevision(models.Model):
    """One edit of a commentary: who, when, the text it replaced and the text written."""

    commentary = models.ForeignKey(Commentary, on_delete=models.CASCADE, related_name="revisions")
    previous_text = models.TextField(blank=True)
    text = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.commentary} edited {self.edited_at:%Y-%m-%d %H:%M}"


class Publication(models.Model):
    """A committee lead's sign-off of a month: the snapshot version and commentary published.

    The snapshot is protected: a version referenced by a publication is kept for ever
    (``indicators.md`` §1), so ``snapshots_prune`` skips it. A month may be published again
    (after corrections); the newest publication is the month's published scorecard, the
    older ones stay as the record of what the board received.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="publications"
    )
    month = models.DateField(help_text="First day of the reporting month.")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="publications")
    snapshot_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64, help_text="The snapshot's fingerprint.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField()
    commentary = models.JSONField(
        default=dict, blank=True, help_text="Section key → commentary text, as published."
    )

    class Meta:
        ordering = ["la", "month", "-published_at", "-id"]
        indexes = [models.Index(fields=["la", "month", "published_at"])]

    def __str__(self) -> str:
        return f"{self.la.code} {self.month:%Y-%m} v{self.snapshot_version} published"


class RenderedPdf(models.Model):
    """A stored scorecard PDF: a draft of a snapshot version, or a publication's PDF.

    The file lives under ``MEDIA_ROOT`` (outside the web root) and is served only by the
    download view. A draft is keyed by the snapshot version and ``inputs_key`` (a hash of
    everything else the page reads: the year's other months, targets, benchmarks, feeds,
    commentary), so a changed input renders a new draft. A published PDF is rendered once
    and never again: its bytes are what the board received.
    """

    class Kind(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="pdfs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    publication = models.OneToOneField(
        Publication, on_delete=models.PROTECT, null=True, blank=True, related_name="pdf"
    )
    inputs_key = models.CharField(max_length=64)
    path = models.CharField(max_length=300, help_text="Relative to MEDIA_ROOT.")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField()
    rendered_at = models.DateTimeField()
    render_seconds = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "inputs_key"],
                condition=Q(kind="draft"),
                name="rendered_pdf_one_draft_per_inputs",
            )
        ]
        ordering = ["-rendered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.kind} PDF"
