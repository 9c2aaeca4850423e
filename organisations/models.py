"""Local authorities, their teams and staff, allocations, user scope and audit.

Every case record in the project belongs to one local authority (``roles.md`` "Scope");
within an authority a child's team is the team of the allocated social worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class LocalAuthority(models.Model):
    """An English local authority with children's services (DfE 3-digit code).

    Reference data loaded by migration from the DfE's published list, so ``--la 873``
    works on an empty database.
    """

    class VisitStandard(models.TextChoices):
        STATUTORY = (
            "statutory",
            "Statutory (reg. 28: 6 weeks, then 3 months in long-term foster care)",
        )
        SIX_WEEKLY = "six_weekly", "Local standard: every 6 weeks for every child"

    code = models.CharField("DfE LA code", max_length=3, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=40, blank=True)
    is_current = models.BooleanField(
        default=True, help_text="False for authorities abolished by a reorganisation."
    )
    small_number_suppression = models.BooleanField(
        default=False, help_text="Show counts of 1–4 as “<5” on committee outputs."
    )
    visit_standard = models.CharField(
        max_length=20, choices=VisitStandard.choices, default=VisitStandard.STATUTORY
    )

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LowerTierAuthority(models.Model):
    """A district or unitary (ONS lower-tier code) mapped to its children's services authority.

    The ONS Postcode Directory gives lower-tier codes; placement location needs the
    upper tier (``ssda903.md`` §4).
    """

    ons_code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    upper_tier = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="lower_tier_authorities"
    )

    class Meta:
        ordering = ["ons_code"]

    def __str__(self) -> str:
        return f"{self.ons_code} {self.name} → {self.upper_tier.code}"


class Population(models.Model):
    """ONS mid-year estimate of the population aged 0–17, the denominator of the rate per 10,000."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(help_text="Mid-year of the estimate (e.g. 2023).")
    population_0_17 = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "year"], name="population_unique_la_year")
        ]
        ordering = ["la", "year"]

    def __str__(self) -> str:
        return f"{self.la.code} {self.year}: {self.population_0_17}"


class Team(models.Model):
    """A team of the authority (SSD ``ssd_department``)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="teams")
    team_id = models.CharField("extract team id", max_length=48)
    name = models.CharField(max_length=255)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "team_id"], name="team_unique_la_team_id")
        ]
        ordering = ["la", "name"]

    def __str__(self) -> str:
        return self.name


class WorkerRole(models.TextChoices):
    """Catalogue roles (``ssd-extracts.md`` §4.7), used by the staffing indicator."""

    CIC_SOCIAL_WORKER = "cic_social_worker", "Children in care qualified social worker"
    FAMILY_SAFEGUARDING_SOCIAL_WORKER = (
        "family_safeguarding_social_worker",
        "Family safeguarding qualified social worker",
    )
    LEAVING_CARE_PA = "leaving_care_pa", "Leaving care personal adviser"
    IRO = "iro", "Independent reviewing officer"
    TEAM_MANAGER = "team_manager", "Team manager"
    OTHER = "other", "Other"


class Worker(models.Model):
    """A professional (SSD ``ssd_professionals``)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="workers")
    professional_id = models.CharField(max_length=48)
    staff_id = models.CharField(max_length=48, blank=True)
    name = models.CharField(max_length=300, blank=True)
    registration_no = models.CharField(max_length=48, blank=True)
    job_title = models.CharField(max_length=500, blank=True)
    department = models.CharField(max_length=100, blank=True)
    fte = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    supplied_caseload = models.PositiveIntegerField(null=True, blank=True)
    is_agency = models.BooleanField(null=True, blank=True)
    role = models.CharField(
        max_length=40,
        choices=WorkerRole.choices,
        blank=True,
        help_text="Catalogue role when no dated team membership says otherwise.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker",
    )

    #: Who changed what, from what to what (roles.md: reference data keeps history).
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "professional_id"], name="worker_unique_la_id")
        ]
        ordering = ["la", "name", "professional_id"]

    def __str__(self) -> str:
        return self.name or self.professional_id


class TeamMembership(models.Model):
    """A worker's dated membership of a team in a catalogue role (``ext_team_membership``)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    membership_id = models.CharField(max_length=48)
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40, choices=WorkerRole.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "membership_id"], name="teammembership_unique_id"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="teammembership_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["la", "role", "start_date"])]

    def __str__(self) -> str:
        return f"{self.worker} in {self.team} ({self.role})"


class AllocationRole(models.TextChoices):
    ALLOCATED_SW = "ALLOCATED_SW", "Allocated social worker"
    PA = "PA", "Personal adviser"
    OTHER = "OTHER", "Other"


class Allocation(models.Model):
    """A dated allocation of a child to a worker and team (SSD ``ssd_involvements``).

    A child's team at D is the team of the ``ALLOCATED_SW`` allocation open at D (latest
    start wins); an allocation is open on D when it started on or before D and has no
    end or ends after D.
    """

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    involvement_id = models.CharField(max_length=48)
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="allocations"
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="allocations"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="allocations"
    )
    role = models.CharField(max_length=20, choices=AllocationRole.choices)
    local_role = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    change_reason = models.CharField(max_length=20, blank=True)
    referral_id = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "involvement_id"], name="allocation_unique_id"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="allocation_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "team", "start_date"]),
            models.Index(fields=["child", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.worker} ({self.start_date}–{self.end_date or ''})"


class SocialWorkerEpisode(models.Model):
    """SSDA903 SWEpisodes (from 2023/24): the child's social worker over time."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="sw_episodes"
    )
    sw_id = models.CharField(max_length=48)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=6, blank=True)
    collection_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="903 year whose file last wrote the row (later year wins)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "start_date"], name="swepisode_unique_child_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.sw_id} from {self.start_date}"


class StaffEstablishment(models.Model):
    """Establishment (FTE posts) per catalogue role on a date (``ext_staff_establishment``)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="establishments")
    role = models.CharField(max_length=40, choices=WorkerRole.choices)
    as_at_date = models.DateField()
    fte_posts = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "role", "as_at_date"], name="establishment_unique_la_role_date"
            )
        ]
        ordering = ["la", "role", "as_at_date"]

    def __str__(self) -> str:
        return f"{self.role} {self.as_at_date}: {self.fte_posts} FTE"


class Membership(models.Model):
    """A user's roles in one authority (``roles.md``: roles are per user and authority).

    ``team_manager``, ``admin`` and ``committee_lead`` are the roles held here (several add
    up; their names are the keys of ``organisations.roles``). ``teams`` are the teams a
    team manager manages, with the teams below them; a team manager with no team named
    manages the whole authority (a head of service). What each role may do is decided in
    ``organisations.permissions`` only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="memberships")
    team_manager = models.BooleanField("team manager", default=False)
    admin = models.BooleanField("admin (performance / data)", default=False)
    committee_lead = models.BooleanField("committee lead", default=False)
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="user_memberships",
        help_text="Team manager only: the teams managed (and the teams below them); "
        "none named means the whole authority.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "la"], name="membership_unique_user_la")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.la.code}"

    @property
    def roles(self) -> frozenset[str]:
        """The role keys held in this authority."""
        from organisations.roles import ROLES

        return frozenset(role for role in ROLES if getattr(self, role))


class AuditEvent(models.Model):
    """An access event (``roles.md`` "Audit"): never editable from the UI."""

    class Action(models.IntegerChoices):
        CHILD_VIEW = 100, "Child detail viewed"
        WORKLIST_VIEW = 101, "Worklist viewed"
        DRILLDOWN_VIEW = 102, "Drill-down list viewed"
        ADMIN_CASE_VIEW = 103, "Case records viewed in the Django admin"
        IMPORT_ISSUES_VIEW = 104, "Import batch and its row errors viewed"
        WORKLIST_EXPORT = 110, "Worklist exported"
        PDF_DOWNLOAD = 120, "Scorecard PDF downloaded"
        SCORECARD_EXPORT = 121, "Scorecard spreadsheet downloaded"
        IMPORT_UPLOAD = 200, "Extract uploaded"
        IMPORT_RUN_AGAIN = 201, "Interrupted import run again"
        RECOMPUTE_TRIGGER = 210, "Recompute triggered"
        COMMENTARY_EDIT = 300, "Commentary edited"
        PUBLISH = 310, "Scorecard published"
        ROLE_CHANGE = 400, "Role changed"
        API_TOKEN = 410, "API token created or revoked"
        USER_DEACTIVATE = 420, "User deactivated"
        USER_REACTIVATE = 421, "User reactivated"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    #: Protected: a user with audit history cannot be deleted (deactivate them instead), so
    #: no row ever loses who acted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    #: The user's name when the event was written, kept on the row itself.
    username = models.CharField(max_length=150, blank=True, db_index=True)
    la = models.ForeignKey(LocalAuthority, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.PositiveSmallIntegerField(choices=Action.choices)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    n_children = models.PositiveIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["la", "action", "at"]), models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        """Every way of writing a row keeps the user's name on it."""
        if self.user_id and not self.username:
            self.username = self.user.get_username()
        super().save(*args, **kwargs)
