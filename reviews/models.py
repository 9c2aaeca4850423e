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

    The largest table of a casework extract (500,000 rows for a big authority), written
    only by the SSD importer, so its write cost is kept low (issue 6):

    - **No database foreign keys** (``db_constraint=False``). A deferred FK check costs one
      index probe per row at commit, as much as the COPY itself. Nothing is lost: the
      importer rejects a visit whose child is neither in the batch's ``ssd_person`` nor
      held for the authority (``validate_links``, error ``unknown_child``) and writes
      ``child_id`` from the authority's ``Child`` rows read inside the write transaction;
      ``la_id`` is the batch's authority. Deleting a child or an authority goes through
      Django's collector, which deletes the visits itself (``on_delete=CASCADE`` is
      emulated by the ORM, never by the database).
    - **Three indexes only**: the primary key; the unique ``(la, visit_id)``, which the
      upsert's ``ON CONFLICT`` needs and which also serves every ``la = …`` filter (the
      engine's authority-wide read, the import's "is anything held", the date-range
      replacement, which reads the authority's rows anyway); and ``(child, visit_date)``,
      for the worklists' per-team reads (``child_id IN …``), child pages and the
      collector's cascade. Single-column ``la``/``child`` indexes would only repeat the
      leading column of these.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    visit_id = models.CharField(max_length=48)
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        related_name="visits",
        db_constraint=False,
        db_index=False,
    )
    visit_date = models.DateField()
    seen = models.BooleanField(null=True, blank=True)
    seen_alone = models.BooleanField(null=True, blank=True)
    ssd_cla_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "visit_id"], name="visit_unique_la_id")
        ]
        indexes = [models.Index(fields=["child", "visit_date"])]
        ordering = ["child", "visit_date"]

    def __str__(self) -> str:
        return f"{self.child}: visit {self.visit_date}"
