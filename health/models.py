"""Health assessments, dental checks and immunisation status (SSD ``ssd_cla_health``)."""

from __future__ import annotations

from django.db import models


class HealthAssessment(models.Model):
    """A dated health check. The first completed assessment of a period of care is its
    initial health assessment whatever type it was recorded with (``ssd-extracts.md`` §3.4).
    """

    class Kind(models.TextChoices):
        IHA = "IHA", "Initial health assessment"
        RHA = "RHA", "Review health assessment"
        HA = "HA", "Health assessment (type not stated)"
        DENTAL = "DENTAL", "Dental check"
        OPTICIAN = "OPTICIAN", "Optician check"
        OTHER = "OTHER", "Other"

    class Status(models.TextChoices):
        COMPLETED = "COMPLETED", "Completed"
        PLANNED = "PLANNED", "Planned"
        REFUSED = "REFUSED", "Refused"
        CANCELLED = "CANCELLED", "Cancelled"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    check_id = models.CharField(max_length=48)
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="health_assessments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recorded_type = models.CharField(
        max_length=500, blank=True, help_text="Type as sent in the extract."
    )
    check_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "check_id"], name="health_unique_la_id")
        ]
        indexes = [
            models.Index(fields=["la", "check_date"]),
            models.Index(fields=["child", "kind", "check_date"]),
        ]
        ordering = ["child", "check_date"]

    def __str__(self) -> str:
        return f"{self.child}: {self.kind} {self.check_date} {self.status}"


class ImmunisationStatus(models.Model):
    """Whether a child's immunisations are up to date (``ssd_cla_immunisations``), one per child."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.OneToOneField(
        "children.Child", on_delete=models.CASCADE, related_name="immunisation_status"
    )
    up_to_date = models.BooleanField(null=True, blank=True)
    status_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.child}: immunisations up to date {self.up_to_date}"
