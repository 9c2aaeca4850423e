"""Looked-after reviews (reg. 33) and statutory visits (reg. 28).

Due dates are never stored as facts: one scheduling module computes them for
indicators and worklists alike (``indicators.md`` §3 "Service standards").
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from children.models import Source


class Review(models.Model):
    """A looked-after review: a 903 Reviews row or an SSD ``ssd_cla_reviews`` row.

    903 rows are keyed by (child, REVIEW date); SSD rows by ``clar_cla_review_id``.
    Cancelled reviews never count as held.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField("REVIEW", null=True, blank=True)
    review_code = models.CharField("REVIEW_CODE", max_length=3, blank=True)
    cancelled = models.BooleanField(default=False)
    supplied_due_date = models.DateField(
        null=True, blank=True, help_text="Due date from the extract: shown for information only."
    )
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.SSDA903)
    ssd_review_id = models.CharField(max_length=48, blank=True)
    ssd_cla_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "review_date"],
                condition=Q(source="903"),
                name="review_unique_903_child_date",
            ),
            models.UniqueConstraint(
                fields=["la", "ssd_review_id"],
                condition=~Q(ssd_review_id=""),
                name="review_unique_ssd_id",
            ),
        ]
        indexes = [models.Index(fields=["la", "review_date"])]
        ordering = ["child", "review_date"]

    def __str__(self) -> str:
        return f"{self.child}: review {self.review_date}"


class StatutoryVisit(models.Model):
    """A statutory visit to a child looked after (SSD ``ssd_cla_visits``).

    Only visits where the child was seen count.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    visit_id = models.CharField(max_length=48)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="visits")
    visit_date = models.DateField()
    seen = models.BooleanField(null=True, blank=True)
    seen_alone = models.BooleanField(null=True, blank=True)
    ssd_cla_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "visit_id"], name="visit_unique_la_id")
        ]
        indexes = [
            models.Index(fields=["la", "visit_date"]),
            models.Index(fields=["child", "visit_date"]),
        ]
        ordering = ["child", "visit_date"]

    def __str__(self) -> str:
        return f"{self.child}: visit {self.visit_date}"
