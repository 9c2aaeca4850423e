"""Children, episodes and periods of care, and the child-level casework records.

Field names follow the SSDA903 guidance (``ssda903.md``) and the Standard Safeguarding
Dataset (``ssd-extracts.md``); the 903 column each field holds is named in its help text.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Source(models.TextChoices):
    SSDA903 = "903", "SSDA903 return"
    SSD = "ssd", "Standard Safeguarding Dataset"
    DEMO = "demo", "Demo generator"


class ChildQuerySet(models.QuerySet):
    def for_la(self, la) -> ChildQuerySet:
        return self.filter(la=la)

    def visible_to(self, user, *, on: date | None = None) -> ChildQuerySet:
        """The children ``user`` may see case by case on ``on`` (default today).

        The one place scoping lives (``roles.md``): see ``organisations.selectors``.
        """
        from organisations.selectors import children_visible_to

        return children_visible_to(self, user=user, on=on)


class Child(models.Model):
    """A child or young person known to the authority, by the LA's own id (903 CHILD)."""

    class Sex(models.TextChoices):
        MALE = "M", "Male"
        FEMALE = "F", "Female"
        UNKNOWN = "U", "Unknown"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="children"
    )
    child_id = models.CharField("CHILD", max_length=48)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    sex = models.CharField("SEX", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    dob = models.DateField("DOB", null=True, blank=True)
    ethnicity = models.CharField("ETHNIC", max_length=4, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    mother = models.BooleanField("MOTHER", null=True, blank=True)
    mc_dob = models.DateField("MC_DOB", null=True, blank=True)
    disability = models.BooleanField(
        null=True, blank=True, help_text="Diagnosed disability recorded."
    )
    death_date = models.DateField(null=True, blank=True)
    legacy_id = models.CharField(max_length=48, blank=True)
    header_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Latest 903 collection year whose Header row is held here."
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "child_id"], name="child_unique_la_child_id")
        ]
        indexes = [models.Index(fields=["la", "dob"])]
        ordering = ["la", "child_id"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.child_id


class ChildHeader(models.Model):
    """The 903 Header row as returned for one collection year (kept per year so changes show)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="headers")
    year = models.PositiveSmallIntegerField(help_text="Collection year ending 31 March YYYY.")
    sex = models.CharField(max_length=1)
    dob = models.DateField()
    ethnicity = models.CharField(max_length=4)
    upn = models.CharField(max_length=13, blank=True)
    mother = models.BooleanField(null=True, blank=True)
    mc_dob = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="childheader_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.child} header {self.year}"


class UASCRecord(models.Model):
    """903 UASC table: the child was an unaccompanied asylum-seeking child in the year.

    UASC status runs until ``duc`` (date UASC status ceased), when given.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="uasc_records")
    year = models.PositiveSmallIntegerField()
    duc = models.DateField("DUC", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="uasc_unique_child_year")
        ]

    def __str__(self) -> str:
        return f"{self.child} UASC {self.year}"


class PeriodOfCare(models.Model):
    """A chain of episodes with no gap (derived from episodes after every import)."""

    la = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (la, date) indexes lead with la
    )
    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="periods_of_care",
        db_index=False,  # the unique (child, start) index leads with it
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason_ceased = models.CharField(max_length=3, blank=True)
    starts_with_s = models.BooleanField(
        default=True,
        help_text="False when the first known episode is not RNE S (data begin mid-period).",
    )
    is_short_break = models.BooleanField(default=False)
    ssd_cla_id = models.CharField(max_length=48, blank=True)
    end_of_record = models.BooleanField(
        default=False,
        help_text=(
            "True when the period ends only because a later return omits its open episode "
            "(an end of record, not a ceasing: never counted as leaving care)."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "start_date"], name="period_unique_child_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="period_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "start_date"]),
            models.Index(fields=["la", "end_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.child}: period from {self.start_date}"


class Episode(models.Model):
    """An SSDA903 episode of care (or an SSD episode for a child the 903 does not hold).

    Natural key (child, DECOM): the same episode recurs in next year's file when open on
    31 March; the later collection year's values win.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # (la, date) indexes lead with la
    )
    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="episodes",
        db_index=False,  # the unique (child, start) index leads with it
    )
    decom = models.DateField("DECOM")
    rne = models.CharField("RNE", max_length=1)
    ls = models.CharField("LS", max_length=2)
    cin = models.CharField("CIN", max_length=2, blank=True)
    place = models.CharField("PLACE", max_length=3)
    place_provider = models.CharField("PLACE_PROVIDER", max_length=3, blank=True)
    dec = models.DateField("DEC", null=True, blank=True)
    rec = models.CharField("REC", max_length=3, blank=True)
    reason_place_change = models.CharField("REASON_PLACE_CHANGE", max_length=6, blank=True)
    home_post = models.CharField("HOME_POST", max_length=8, blank=True)
    pl_post = models.CharField("PL_POST", max_length=8, blank=True)
    urn = models.CharField("URN", max_length=8, blank=True)
    # Location derived from the postcodes (ssda903.md §4) or supplied.
    pl_la = models.CharField("PL_LA", max_length=9, blank=True)
    pl_location = models.CharField("PL_LOCATION", max_length=3, blank=True)
    pl_distance = models.DecimalField(
        "PL_DISTANCE", max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Provenance.
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.SSDA903)
    collection_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ssd_episode_id = models.CharField(max_length=48, blank=True)
    ssd_cla_id = models.CharField(max_length=48, blank=True)
    ssd_placement_id = models.CharField(max_length=48, blank=True)
    # Derived per-episode fields (ssda903.md §8), refreshed after each import.
    period_of_care = models.ForeignKey(
        PeriodOfCare, on_delete=models.SET_NULL, null=True, blank=True, related_name="episodes"
    )
    is_short_break = models.BooleanField(default=False)
    is_temporary = models.BooleanField(default=False)
    is_move = models.BooleanField(default=False)
    placement_group = models.CharField(max_length=40, blank=True)
    end_of_record = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "Derived: where the next loaded return omits this episode, open on 31 March of "
            "its own return, the day its record ends (1 April, or the start of the child's "
            "next episode). DEC stays blank: this is an end of record, not a ceasing."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "decom"], name="episode_unique_child_decom"),
            models.CheckConstraint(
                condition=Q(dec__isnull=True) | Q(dec__gte=models.F("decom")),
                name="episode_dec_not_before_decom",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "decom"]),
            models.Index(fields=["la", "dec"]),
            models.Index(fields=["la", "collection_year"]),
        ]
        ordering = ["child", "decom"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.decom} {self.rne}/{self.ls}/{self.place}"


class ReturnYear(models.Model):
    """An SSDA903 collection year whose Episodes table an authority has loaded.

    Each return speaks for its own year (``docs/ssda903.md`` §5): an episode open on 31
    March Y ends with an end of record only once return Y+1 has been loaded and does not
    hold it. While Y+1 is not loaded, Y's open episodes stay open.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(help_text="Collection year ending 31 March YYYY.")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "year"], name="returnyear_unique_la_year")
        ]
        ordering = ["la", "year"]
        verbose_name = "SSDA903 return year loaded"
        verbose_name_plural = "SSDA903 return years loaded"

    def __str__(self) -> str:
        return f"{self.la_id}: {self.year}"


class MissingEpisode(models.Model):
    """A period missing (M) or away without authorisation (A).

    From the 903 Missing table or SSD ``ssd_missing``.
    """

    class Type(models.TextChoices):
        MISSING = "M", "Missing"
        AWAY = "A", "Away without authorisation"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="missing_episodes")
    missing_type = models.CharField("MISSING", max_length=1, choices=Type.choices)
    start_date = models.DateField("MIS_START")
    end_date = models.DateField("MIS_END", null=True, blank=True)
    rhi_offered = models.CharField(max_length=2, blank=True)
    rhi_accepted = models.CharField(max_length=2, blank=True)
    rhi_completed_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.SSDA903)
    ssd_id = models.CharField(max_length=48, blank=True)
    collection_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="903 year whose file last wrote the row (later year wins)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "start_date"], name="missing_unique_child_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="missing_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "start_date"]),
            models.Index(fields=["la", "end_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.missing_type} from {self.start_date}"


class School(models.Model):
    """Reference data: a school by Ofsted URN and its latest graded overall effectiveness."""

    class Rating(models.IntegerChoices):
        OUTSTANDING = 1, "Outstanding"
        GOOD = 2, "Good"
        REQUIRES_IMPROVEMENT = 3, "Requires improvement"
        INADEQUATE = 4, "Inadequate"

    urn = models.CharField("URN", max_length=8, unique=True)
    name = models.CharField(max_length=200, blank=True)
    la_code = models.CharField(max_length=3, blank=True)
    ofsted_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    inspection_date = models.DateField(null=True, blank=True)

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        ordering = ["urn"]

    def __str__(self) -> str:
        return f"{self.urn} {self.name}"


class SchoolPlacement(models.Model):
    """The school a child attends (project extension ``ext_cla_school``)."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    record_id = models.CharField(max_length=48)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="schools")
    school_urn = models.CharField(max_length=8)
    school_name = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "record_id"], name="schoolplacement_unique_id")
        ]
        indexes = [models.Index(fields=["child", "start_date"])]

    def __str__(self) -> str:
        return f"{self.child}: {self.school_urn} from {self.start_date}"


class PersonalEducationPlan(models.Model):
    """A PEP (project extension ``ext_cla_pep``); only COMPLETE PEPs count."""

    class Status(models.TextChoices):
        COMPLETE = "COMPLETE", "Complete"
        DRAFT = "DRAFT", "Draft"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    record_id = models.CharField(max_length=48)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="peps")
    pep_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE)
    review_due_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["la", "record_id"], name="pep_unique_id")]
        indexes = [models.Index(fields=["la", "pep_date"])]

    def __str__(self) -> str:
        return f"{self.child}: PEP {self.pep_date}"


class CareLeaverObservation(models.Model):
    """A care leaver's status as observed on an extract's as-at date (``ssd_care_leavers``).

    SSD holds only the current status; each import adds an observation so that past
    months keep the status they had (``ssd-extracts.md`` §3.7).
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="care_leaver_observations"
    )
    as_at = models.DateField()
    eligibility = models.CharField(max_length=30, blank=True)
    in_touch = models.CharField(max_length=4, blank=True)
    latest_contact = models.DateField(null=True, blank=True)
    accommodation = models.CharField(max_length=1, blank=True)
    accommodation_suitable = models.CharField(
        max_length=1, blank=True, help_text="1 suitable, 2 unsuitable"
    )
    activity = models.CharField(max_length=2, blank=True)
    pathway_plan_review_date = models.DateField(null=True, blank=True)
    personal_advisor = models.CharField(max_length=100, blank=True)
    allocated_team = models.CharField(max_length=48, blank=True)
    worker_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "as_at"], name="careleaver_unique_child_asat")
        ]
        indexes = [models.Index(fields=["la", "as_at"])]

    def __str__(self) -> str:
        return f"{self.child}: care leaver at {self.as_at}"


class OC2Outcome(models.Model):
    """903 OC2: outcomes for children looked after continuously for 12 months at 31 March."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="oc2_outcomes")
    year = models.PositiveSmallIntegerField()
    sdq_score = models.PositiveSmallIntegerField(null=True, blank=True)
    sdq_reason = models.CharField(max_length=4, blank=True)
    convicted = models.BooleanField(null=True, blank=True)
    health_check = models.BooleanField(null=True, blank=True)
    immunisations = models.BooleanField(null=True, blank=True)
    teeth_check = models.BooleanField(null=True, blank=True)
    health_assessment = models.BooleanField(null=True, blank=True)
    substance_misuse = models.BooleanField(null=True, blank=True)
    intervention_received = models.BooleanField(null=True, blank=True)
    intervention_offered = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="oc2_unique_child_year")
        ]

    def __str__(self) -> str:
        return f"{self.child}: OC2 {self.year}"


class OC3Outcome(models.Model):
    """903 OC3: care leavers' status around their 17th–21st birthday."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="oc3_outcomes")
    year = models.PositiveSmallIntegerField()
    in_touch = models.CharField(max_length=4, blank=True)
    activity = models.CharField(max_length=2, blank=True)
    accommodation = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="oc3_unique_child_year")
        ]

    def __str__(self) -> str:
        return f"{self.child}: OC3 {self.year}"


class PreviousPermanence(models.Model):
    """903 PrevPerm for children who started care in the year."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="previous_permanence")
    year = models.PositiveSmallIntegerField()
    prev_perm = models.CharField(max_length=2)
    la_perm = models.CharField(max_length=3, blank=True)
    date_perm = models.CharField(max_length=10, blank=True, help_text="May be partial: ZZ/ZZ/2016.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="prevperm_unique_child_year")
        ]

    def __str__(self) -> str:
        return f"{self.child}: PrevPerm {self.year}"


class DeprivationOfLiberty(models.Model):
    """903 DoLo (2026/27 ruleset): deprivation of liberty orders."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="dolos")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "start_date"], name="dolo_unique_child_start")
        ]

    def __str__(self) -> str:
        return f"{self.child}: DoLO from {self.start_date}"


class CINEpisode(models.Model):
    """SSD ``ssd_cin_episodes``: a child-in-need referral episode (all children)."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    referral_id = models.CharField(max_length=48)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="cin_episodes")
    referral_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "referral_id"], name="cinepisode_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.child}: referral {self.referral_id}"


class CINAssessment(models.Model):
    """SSD ``ssd_cin_assessments`` with its factors (``ssd_assessment_factors``).

    Factor 11A is CSE, 13A gangs and 24A child criminal exploitation: the fallback for
    exploitation risk when no ``ext_exploitation_risk`` file is sent.
    """

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    assessment_id = models.CharField(max_length=48)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="cin_assessments")
    referral_id = models.CharField(max_length=48, blank=True)
    start_date = models.DateField(null=True, blank=True)
    authorised_date = models.DateField(null=True, blank=True)
    team_id = models.CharField(max_length=48, blank=True)
    worker_id = models.CharField(max_length=48, blank=True)
    factors = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "assessment_id"], name="cinassessment_unique_id")
        ]
        indexes = [models.Index(fields=["la", "authorised_date"])]

    def __str__(self) -> str:
        return f"{self.child}: assessment {self.assessment_id}"


class ExploitationRisk(models.Model):
    """An assessed exploitation risk with level and dates (``ext_exploitation_risk``)."""

    class RiskType(models.TextChoices):
        CSE = "CSE", "Child sexual exploitation"
        CCE = "CCE", "Child criminal exploitation"
        GANG = "GANG", "Gang exploitation"

    class Level(models.TextChoices):
        LOW = "LOW", "Low"
        MEDIUM = "MEDIUM", "Medium"
        HIGH = "HIGH", "High"
        NONE = "NONE", "None"

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    record_id = models.CharField(max_length=48)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="exploitation_risks")
    risk_type = models.CharField(max_length=4, choices=RiskType.choices)
    level = models.CharField(max_length=6, choices=Level.choices, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    assessment_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "record_id"], name="exploitationrisk_unique_id"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="exploitationrisk_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["la", "risk_type", "start_date"])]

    def __str__(self) -> str:
        return f"{self.child}: {self.risk_type} {self.level} from {self.start_date}"


class SupervisionRecord(models.Model):
    """A recorded management supervision of a child's case (``ext_supervision``)."""

    la = models.ForeignKey(
        "organisations.LocalAuthority", on_delete=models.CASCADE, related_name="+"
    )
    record_id = models.CharField(max_length=48)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="supervisions")
    supervision_date = models.DateField()
    supervisor_id = models.CharField(max_length=48, blank=True)
    professional_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "record_id"], name="supervision_unique_id")
        ]
        indexes = [models.Index(fields=["la", "supervision_date"])]

    def __str__(self) -> str:
        return f"{self.child}: supervision {self.supervision_date}"
