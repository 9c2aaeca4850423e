"""Indicator snapshots, targets, benchmarks and recompute runs.

Snapshots store numerators and denominators (or sums and counts, or breakdowns), never
rounded percentages: values, RAG and change are derived on read.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


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

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="recompute_runs"
    )
    first_month = models.DateField()
    last_month = models.DateField()
    months_total = models.PositiveIntegerField(default=0)
    months_done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
    are computed. The holder renews the lease after each month it writes; a worker that
    dies leaves a lease that simply expires.
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
