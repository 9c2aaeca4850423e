"""Team managers' worklists, the drill-down behind scorecard figures, and a child's timeline.

Everything here is read live from the records, never from snapshots (``architecture.md``:
exception lists must be current), and through the same two steps as the indicators, so a
list and its scorecard figure always agree:

1. ``scorecards.engine.la_data_load(child_ids=...)`` turns the records of the children in the
   user's scope into timelines exactly as a recompute does (which visits count, cancelled
   reviews, SSD rows replacing 903 rows, periods of care and placements from
   ``children.care_history``);
2. the due dates come from ``reviews.scheduling`` and the per-child readings the indicators
   themselves expose (``visit_placements``, ``reviews_counted``, ``iha_items``,
   ``annual_health_dues``, ``pep_due_at``, ``pathway_plan_due_at`` …).

Scope (``roles.md``): every selector starts from ``Child.objects.visible_to(user)``, and the
team picker from ``organisations.permissions.case_scope``; a team or child outside it is
``NotFound`` (404), the same as one that does not exist.

Readings chosen for the lists (as of day D, "today" unless an admin picks an earlier day):

- **Overdue** means a due date on or before D not met by D: a visit or review due today and
  not yet done is listed with the overdue ones ("due today", 0 days), because the scorecard
  counts it as not met when D is a month end. Checks repeated every N months (health,
  dental, PEP, pathway plan) are overdue from the day after their last day in time.
- **Visits**: the schedule of the placement the child is in on D. The row shows the first
  unmet due date (the child has not been seen since) and how many due dates have passed
  unmet. "Due in 7 / 14 days": the pending due date falls in the next 7 / 14 days (the
  14-day list includes the 7-day one). Due dates are calendar dates, never moved off
  weekends or bank holidays.
- **Reviews**: the pending review of the current period of care (reg. 33), overdue or due
  in the next 14 days.
- **Initial health assessments**: the current period's 20th working day has passed (or is
  today) with no completed health assessment in the period.
- **Review health assessments**: the indicator's reading (6 months under 5, else 12) for
  children in care 12 months or more, and for newer children whose initial assessment is
  done (an under-5 is due again 6 months after it); **dental checks**: children in care 12
  months or more, as health_assessment_on_time and dental_on_time count them.
- **PEPs**: school-aged children in care for a month or more with no complete PEP in the
  last 6 months (pep_in_place's denominator minus its numerator).
- **Pathway plans**: care leavers (pathway_plan's reading) whose plan was not reviewed in the
  last 6 months.
- **Missing now**: a missing (M) episode open on D. **Return interviews outstanding**:
  missing incidents of looked-after children ended in the financial year to date with no
  return interview accepted and held by D — return_interviews' denominator minus its
  numerator, so declined interviews are listed too, with their status.
- **Team**: a child is in a team on D by the team of their allocated social worker (else
  personal adviser) on D, teams rolling up to their parents (``organisations.selectors``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from children.care_history import PLACEMENT_GROUP_LABELS, EpisodeIn, placement_group
from children.models import (
    CareLeaverObservation,
    Child,
    Episode,
    MissingEpisode,
    OC3Outcome,
    PeriodOfCare,
)
from organisations.models import Allocation, AllocationRole, LocalAuthority, Team
from organisations.permissions import (
    CASE_LEVEL,
    NotFound,
    case_scope,
    case_scopes_in,
    las_for_capability,
    user_can,
)
from organisations.selectors import (
    allocation_open_q,
    children_with_team_on,
    teams_with_descendants,
)
from reviews.scheduling import (
    CarePeriod,
    VisitStandard,
    iha_due,
    review_schedule,
    visit_schedule,
)
from scorecards.engine import ChildTimeline, CLAEntry, LAData, MonthContext, la_data_load
from scorecards.indicators import indicator_get
from scorecards.indicators.adoption import ADOPTION_WAIT_LIMIT_DAYS, adoption_events_index
from scorecards.indicators.care_leavers import NO as CL_NO
from scorecards.indicators.care_leavers import UNKNOWN as CL_UNKNOWN
from scorecards.indicators.care_leavers import YES as CL_YES
from scorecards.indicators.care_leavers import dfe_cohort_members, pathway_plan_due_at
from scorecards.indicators.education import (
    GOOD_OR_OUTSTANDING,
    pep_due_at,
    school_rating_at,
)
from scorecards.indicators.health import (
    HEALTH_ASSESSMENT_KINDS,
    annual_health_dues,
    completed_dates,
    iha_items,
    in_care_12_months,
)
from scorecards.indicators.homes import (
    long_term_stability_status,
    placement_location,
    placements_in_window,
)
from scorecards.indicators.missing import incident_counted, return_interview_done
from scorecards.indicators.registry import LOWER, UNIT_COUNT
from scorecards.indicators.service_standards import (
    SEEN_WINDOW_DAYS,
    reviews_counted,
    seen_between,
    visit_items,
    visit_placements,
)
from scorecards.periods import ReportingDates, financial_year_start
from scorecards.selectors import snapshot_cells, snapshot_current_get

# --- kinds of list --------------------------------------------------------------------------

VISITS_OVERDUE = "visits_overdue"
VISITS_DUE_7 = "visits_due_7"
VISITS_DUE_14 = "visits_due_14"
REVIEWS_OVERDUE = "reviews_overdue"
REVIEWS_DUE_14 = "reviews_due_14"
IHA_OUTSTANDING = "iha_outstanding"
HEALTH_OVERDUE = "health_overdue"
DENTAL_OVERDUE = "dental_overdue"
PEP_OVERDUE = "pep_overdue"
PATHWAY_PLAN_OVERDUE = "pathway_plan_overdue"
MISSING_NOW = "missing_now"
RETURN_INTERVIEWS = "return_interviews"

#: Days ahead of D the "due soon" lists look.
DUE_SOON_DAYS = 7
DUE_LATER_DAYS = 14


@dataclass(frozen=True, slots=True)
class WorklistKind:
    """One list of the team page: its key (URLs, exports), headings and column labels."""

    key: str
    title: str
    short: str
    due_label: str
    last_label: str
    overdue: bool  # an overdue list (counts in "overdue items"), else due soon or a status

    @property
    def days_label(self) -> str:
        if self.key == MISSING_NOW:
            return "Days missing"
        if self.key == RETURN_INTERVIEWS:
            return "Days since return"
        return "Days overdue"

    @property
    def shows_placement(self) -> bool:
        """Lists of children in care show the placement type and distance; the others not."""
        return self.key not in (PATHWAY_PLAN_OVERDUE, MISSING_NOW, RETURN_INTERVIEWS)

    @property
    def counts_days(self) -> bool:
        """True when ``days_overdue`` is a plain count of days (missing, since return)."""
        return self.key in (MISSING_NOW, RETURN_INTERVIEWS)


WORKLIST_KINDS: tuple[WorklistKind, ...] = (
    WorklistKind(VISITS_OVERDUE, "Statutory visits overdue", "Visits overdue", "Due date",
                 "Last seen", True),
    WorklistKind(VISITS_DUE_7, "Statutory visits due in the next 7 days", "Visits due in 7 days",
                 "Due date", "Last seen", False),
    WorklistKind(VISITS_DUE_14, "Statutory visits due in the next 14 days",
                 "Visits due in 14 days", "Due date", "Last seen", False),
    WorklistKind(REVIEWS_OVERDUE, "Looked-after reviews overdue", "Reviews overdue", "Due date",
                 "Last review", True),
    WorklistKind(REVIEWS_DUE_14, "Looked-after reviews due in the next 14 days",
                 "Reviews due in 14 days", "Due date", "Last review", False),
    WorklistKind(IHA_OUTSTANDING, "Initial health assessments outstanding after 20 working days",
                 "Initial health assessments outstanding", "Due by", "In care since", True),
    WorklistKind(HEALTH_OVERDUE, "Review health assessments overdue",
                 "Health assessments overdue", "In time until", "Last assessment", True),
    WorklistKind(DENTAL_OVERDUE, "Dental checks overdue", "Dental checks overdue",
                 "In time until", "Last check", True),
    WorklistKind(PEP_OVERDUE, "Personal education plans older than 6 months", "PEPs overdue",
                 "In time until", "Latest PEP", True),
    WorklistKind(PATHWAY_PLAN_OVERDUE, "Care leavers whose pathway plan review is overdue",
                 "Pathway plans overdue", "In time until", "Last review", True),
    WorklistKind(MISSING_NOW, "Children missing now", "Missing now", "", "Missing since", False),
    WorklistKind(RETURN_INTERVIEWS, "Return interviews outstanding",
                 "Return interviews outstanding", "", "Returned on", True),
)  # fmt: skip
KINDS_BY_KEY = {k.key: k for k in WORKLIST_KINDS}


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One child on one list.

    ``days_overdue`` is D − due date (0: due today; negative: due in that many days), or for
    the missing lists the days since the child went missing / came back; ``None`` when there
    is no due date (never had one).
    """

    kind: str
    child_pk: int
    child_id: str
    child_name: str
    worker_pk: int | None
    worker_name: str
    due_date: date | None
    days_overdue: int | None
    last_date: date | None
    placement: str = ""
    distance: str = ""
    note: str = ""

    @property
    def days_text(self) -> str:
        """ "12 days overdue", "Due today", "Due in 3 days" (the page and the exports say so)."""
        days = self.days_overdue
        if days is None:
            return "No due date"
        if self.kind in (MISSING_NOW, RETURN_INTERVIEWS):
            return f"{days} day{'s' if days != 1 else ''}"
        if days == 0:
            return "Due today"
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} overdue"
        return f"Due in {-days} day{'s' if days != -1 else ''}"


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """A worker's children in the team on D and how many of them are on an overdue list."""

    worker_pk: int | None
    worker_name: str
    children: int
    looked_after: int
    visits_overdue: int
    reviews_overdue: int
    overdue_items: int


@dataclass
class TeamWorklist:
    """Every list for a set of children on one day (before any worker or kind filter)."""

    as_of: date
    rows: dict[str, list[WorklistRow]]
    caseloads: list[CaseloadRow]
    children: int
    looked_after: int
    computed_at: datetime = field(default_factory=timezone.now)
    #: The cache key it is stored under ("" when not cached): pages key their HTML on it.
    cache_key: str = ""

    def counts(self) -> dict[str, int]:
        return {kind.key: len(self.rows.get(kind.key, [])) for kind in WORKLIST_KINDS}

    def child_pks(self, kinds: Iterable[str] | None = None) -> set[int]:
        keys = list(kinds) if kinds is not None else list(self.rows)
        return {row.child_pk for key in keys for row in self.rows.get(key, [])}


# --- small readings --------------------------------------------------------------------------


def distance_band(*, miles: Decimal | None) -> str:
    """Distance from home as a band (``ssda903.md`` PL_DISTANCE; 20 miles is the seeds' line)."""
    if miles is None:
        return "Not known"
    if miles < 5:
        return "Under 5 miles"
    if miles < 20:
        return "5 to 20 miles"
    if miles < 50:
        return "20 to 50 miles"
    return "50 miles or more"


def placement_label(*, place: str) -> str:
    """A PLACE code with its scorecard group, e.g. "U4 · Other foster care"."""
    if not place:
        return ""
    return f"{place} · {PLACEMENT_GROUP_LABELS.get(placement_group(place), 'Other settings')}"


def child_display_name(*, forename: str, surname: str, child_id: str) -> str:
    name = " ".join(part for part in (forename, surname) if part)
    return name or child_id


def _latest_on_or_before(dates: Iterable[date], d: date) -> date | None:
    return max((x for x in dates if x <= d), default=None)


def _days(as_of: date, due: date | None) -> int | None:
    return None if due is None else (as_of - due).days


# --- scope -----------------------------------------------------------------------------------


def worklist_authorities_for_user(*, user: Any) -> list[LocalAuthority]:
    """Authorities whose case lists the user may read (the landing page picks the first);
    for a superuser, those holding children."""
    if user.is_superuser:
        las = LocalAuthority.objects.filter(children__isnull=False).distinct().order_by("code")
        return list(las)
    return list(las_for_capability(user=user, capability=CASE_LEVEL))


@dataclass(frozen=True)
class TeamChoice:
    """What the team picker offers: a team (``team_id`` the extract id), or the whole LA."""

    key: str  # team_id, or ALL_TEAMS
    name: str
    team_pks: tuple[int, ...]


ALL_TEAMS = "all"


def worklist_team_choices(*, user: Any, la: LocalAuthority) -> list[TeamChoice]:
    """The teams the user may pick, their own first; none outside their case scope.

    A reader of the whole authority (``case_scope``) gets it and every team of it; a team
    manager of some teams gets those teams (several together first, then each alone, and
    each team below them).
    """
    scope = case_scope(user=user, la=la)
    choices: list[TeamChoice] = []
    if scope.whole_authority:
        choices.append(TeamChoice(ALL_TEAMS, f"All teams of {la.name}", ()))
        teams = list(Team.objects.filter(la=la).order_by("name"))
    else:
        own = list(Team.objects.filter(pk__in=scope.team_ids))
        if len(own) > 1:
            choices.append(
                TeamChoice("+".join(t.team_id for t in own), "My teams", tuple(t.pk for t in own))
            )
        below = teams_with_descendants(team_ids=[t.pk for t in own])
        teams = sorted(
            Team.objects.filter(pk__in=below), key=lambda t: (t not in own, t.name.lower())
        )
    choices += [TeamChoice(t.team_id, t.name, (t.pk,)) for t in teams]
    return choices


def worklist_warm_up_choices(*, la: LocalAuthority) -> list[TeamChoice]:
    """The picks the warm-up builds: every team of ``la``, and each member's own teams
    together ("My teams", keyed as ``worklist_team_choices`` keys it). Not the whole
    authority: only admins pick it, and never by default."""
    choices = [TeamChoice(t.team_id, t.name, (t.pk,)) for t in Team.objects.filter(la=la)]
    for scope in case_scopes_in(la=la):
        if len(scope.team_ids) > 1:
            own = list(Team.objects.filter(pk__in=scope.team_ids))
            key = "+".join(t.team_id for t in own)
            if all(c.key != key for c in choices):
                choices.append(TeamChoice(key, "My teams", tuple(t.pk for t in own)))
    return choices


def worklist_team_choice_get(
    *,
    user: Any,
    la: LocalAuthority,
    key: str | None,
    choices: list[TeamChoice] | None = None,
) -> TeamChoice:
    """The picked team; ``NotFound`` if the key names a team the user may not pick (another
    team's id guessed, say).

    Default: a team manager's own team(s); for a reader of the whole authority the first
    team by name (the whole authority is one pick away: its lists are long).
    """
    if choices is None:
        choices = worklist_team_choices(user=user, la=la)
    if not choices:
        raise NotFound("No team.")
    if not key:
        teams = [c for c in choices if c.key != ALL_TEAMS]
        return teams[0] if teams else choices[0]
    for choice in choices:
        if choice.key == key:
            return choice
    raise NotFound("No such team.")


def children_in_scope(*, user: Any, la: LocalAuthority) -> QuerySet:
    """The authority's children the user may see case by case (``roles.md`` scope)."""
    return Child.objects.visible_to(user).filter(la=la)


def team_children(
    *, user: Any, la: LocalAuthority, choice: TeamChoice, as_of: date
) -> list[tuple[int, str, str]]:
    """(pk, name, child id) of the children in the picked team(s) on ``as_of``, in scope.

    In scope today (the access rule) and in the team on the as-of day (the list's rule).
    """
    visible = children_in_scope(user=user, la=la).values("pk")
    return _team_children(Child.objects.filter(la=la, pk__in=visible), la, choice, as_of)


def team_children_for_warm_up(
    *, la: LocalAuthority, choice: TeamChoice, as_of: date
) -> list[tuple[int, str, str]]:
    """The children of ``team_children`` with no reader: for the cache warm-up only.

    As of today they are the very children every reader allowed to pick ``choice`` gets (a
    team manager's scope today is their teams' children today; an admin's, the authority),
    which is why ``worklist_cache_key`` names no user.
    """
    return _team_children(Child.objects.filter(la=la), la, choice, as_of)


def _team_children(
    queryset: QuerySet, la: LocalAuthority, choice: TeamChoice, as_of: date
) -> list[tuple[int, str, str]]:
    if choice.team_pks:
        teams = teams_with_descendants(team_ids=choice.team_pks)
        # Only a child with an allocation to one of the teams open that day can be in them:
        # narrowing to those first (an index read) keeps the per-child team reading below
        # off the rest of the authority's children (and PostgreSQL's JIT off the query).
        candidates = (
            Allocation.objects.filter(
                la=la,
                team_id__in=teams,
                role__in=[AllocationRole.ALLOCATED_SW, AllocationRole.PA],
            )
            .filter(allocation_open_q(on=as_of))
            .values_list("child_id", flat=True)
        )
        queryset = children_with_team_on(queryset.filter(pk__in=list(candidates)), on=as_of).filter(
            scope_team_id__in=teams
        )
    else:
        # The whole authority: every child with an open allocation, and every child looked
        # after with none (an unallocated child in care must show up somewhere).
        allocated = Allocation.objects.filter(
            child=OuterRef("pk"), role__in=[AllocationRole.ALLOCATED_SW, AllocationRole.PA]
        ).filter(allocation_open_q(on=as_of))
        in_care = PeriodOfCare.objects.filter(
            child=OuterRef("pk"), is_short_break=False, start_date__lte=as_of
        ).filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
        queryset = queryset.filter(Exists(allocated) | Exists(in_care))
    return [
        (pk, child_display_name(forename=f, surname=s, child_id=cid), cid)
        for pk, f, s, cid in queryset.order_by("child_id").values_list(
            "pk", "forename", "surname", "child_id"
        )
    ]


def allocated_workers_on(
    *, child_pks: Iterable[int], on: date
) -> dict[int, tuple[int | None, str]]:
    """Each child's allocated worker on ``on``: (worker pk, name), social worker else PA.

    The same order as a child's team (``organisations.selectors.child_team_on``): the open
    social-worker allocation with the latest start, else the personal adviser's.
    """
    best: dict[int, tuple[int, date, int, int | None, str]] = {}
    rank = {AllocationRole.ALLOCATED_SW: 0, AllocationRole.PA: 1}
    rows = (
        Allocation.objects.filter(
            child_id__in=list(child_pks), role__in=[AllocationRole.ALLOCATED_SW, AllocationRole.PA]
        )
        .filter(allocation_open_q(on=on))
        .values_list("child_id", "role", "start_date", "pk", "worker_id", "worker__name")
    )
    for child_pk, role, start, pk, worker_pk, name in rows:
        key = (-rank[role], start, pk)
        current = best.get(child_pk)
        if current is None or key > current[:3]:
            best[child_pk] = (*key, worker_pk, name or "")
    return {pk: (v[3], v[4] or ("Unnamed worker" if v[3] else "")) for pk, v in best.items()}


# --- building the lists ----------------------------------------------------------------------


@dataclass
class _ChildRows:
    rows: list[WorklistRow] = field(default_factory=list)
    looked_after: bool = False


def child_worklist_rows(
    *,
    child: ChildTimeline,
    data: LAData,
    as_of: date,
    name: str,
    worker: tuple[int | None, str],
) -> _ChildRows:
    """Every list entry of one child on ``as_of`` (see the module docstring for the rules)."""
    d = as_of
    out = _ChildRows()
    worker_pk, worker_name = worker

    def row(kind: str, **kwargs: Any) -> None:
        out.rows.append(
            WorklistRow(
                kind=kind,
                child_pk=child.pk,
                child_id=child.child_id,
                child_name=name,
                worker_pk=worker_pk,
                worker_name=worker_name,
                **kwargs,
            )
        )

    period = child.history.period_on(d)
    if period is not None:
        out.looked_after = True
        placement = period.placement_on(d)
        episode: EpisodeIn | None = placement.episode_on(d) if placement else None
        where = {
            "placement": placement_label(place=placement.place_on(d)) if placement else "",
            "distance": distance_band(miles=episode.pl_distance if episode else None),
        }
        entry = CLAEntry(child, period, period.episode_on(d), placement)

        # Statutory visits (reg. 28): the schedule of the current placement.
        last_seen = _latest_on_or_before(child.visits, d)
        if placement is not None:
            dues = visit_schedule(
                placements=visit_placements(child),
                seen_visit_dates=child.visits,
                as_of=d,
                standard=VisitStandard(data.visit_standard or VisitStandard.STATUTORY),
                horizon=d + timedelta(days=DUE_LATER_DAYS),
            )
            unmet = [x for x in dues if x.met_date is None and x.placement_start == placement.start]
            missed = [x for x in unmet if x.due_date <= d]
            if missed:
                row(
                    VISITS_OVERDUE,
                    due_date=missed[0].due_date,
                    days_overdue=_days(d, missed[0].due_date),
                    last_date=last_seen,
                    note=f"{len(missed)} due dates missed" if len(missed) > 1 else "",
                    **where,
                )
            elif unmet:
                due = unmet[0].due_date
                days = _days(d, due)
                fields = dict(due_date=due, days_overdue=days, last_date=last_seen, **where)
                if due <= d + timedelta(days=DUE_SOON_DAYS):
                    row(VISITS_DUE_7, **fields)
                if due <= d + timedelta(days=DUE_LATER_DAYS):
                    row(VISITS_DUE_14, **fields)

        # Looked-after reviews (reg. 33): the pending review of the current period.
        care_period = CarePeriod(
            start=period.start, end=period.end, starts_with_s=period.starts_with_s
        )
        reviews = review_schedule(
            period=care_period,
            held_review_dates=child.reviews,
            as_of=d,
            reviews_known_from=data.reviews_known_from,
        )
        pending = reviews[-1] if reviews and reviews[-1].held_date is None else None
        if pending is not None and pending.due_date <= d + timedelta(days=DUE_LATER_DAYS):
            last_review = _latest_on_or_before((r for r in child.reviews if r >= period.start), d)
            note = f"Review {pending.sequence}" if pending.sequence else ""
            row(
                REVIEWS_OVERDUE if pending.due_date <= d else REVIEWS_DUE_14,
                due_date=pending.due_date,
                days_overdue=_days(d, pending.due_date),
                last_date=last_review,
                note=note,
                **where,
            )

        # Initial health assessment: the current period's, 20 working days from its start.
        assessments = completed_dates(child, HEALTH_ASSESSMENT_KINDS)
        iha = iha_due(period=care_period, completed_assessment_dates=assessments, as_of=d)
        if iha is not None and iha.assessment_date is None and iha.due_date <= d:
            row(
                IHA_OUTSTANDING,
                due_date=iha.due_date,
                days_overdue=_days(d, iha.due_date),
                last_date=period.start,
                **where,
            )

        # Review health assessments and dental checks (health_assessment_on_time readings).
        health, dental = annual_health_dues(child, d)
        in_12 = in_care_12_months(entry, d)
        assessed_this_period = any(period.start <= x <= d for x in assessments)
        if health.overdue and (in_12 or assessed_this_period):
            row(
                HEALTH_OVERDUE,
                due_date=health.due_date,
                days_overdue=_days(d, health.due_date),
                last_date=health.latest_date,
                note="" if health.latest_date else "None recorded",
                **where,
            )
        if dental.overdue and in_12:
            row(
                DENTAL_OVERDUE,
                due_date=dental.due_date,
                days_overdue=_days(d, dental.due_date),
                last_date=dental.latest_date,
                note="" if dental.latest_date else "None recorded",
                **where,
            )

        # Personal education plans (pep_in_place).
        pep = pep_due_at(entry, d)
        if pep is not None and pep.overdue:
            row(
                PEP_OVERDUE,
                due_date=pep.due_date,
                days_overdue=_days(d, pep.due_date),
                last_date=pep.latest_date,
                note="" if pep.latest_date else "No complete PEP",
                **where,
            )

    # Care leavers' pathway plans (pathway_plan): looked after or not.
    plan = pathway_plan_due_at(child, d)
    if plan is not None and plan.overdue:
        row(
            PATHWAY_PLAN_OVERDUE,
            due_date=plan.due_date,
            days_overdue=_days(d, plan.due_date),
            last_date=plan.latest_date,
            note="" if plan.latest_date else "No review recorded",
        )

    # Missing now, and return interviews (return_interviews' incidents).
    year_start = financial_year_start(d)
    for incident in child.missing:
        if incident.kind.upper() != "M" or incident.start > d:
            continue
        if incident.end is None or incident.end > d:
            row(
                MISSING_NOW,
                due_date=None,
                days_overdue=(d - incident.start).days,
                last_date=incident.start,
            )
        elif (
            year_start <= incident.end <= d
            and child.history.looked_after_on(incident.start)
            and not return_interview_done(incident, d)
        ):
            accepted = incident.rhi_accepted.strip().upper()
            status = {
                "Y": "Accepted, not held yet",
                "YES": "Accepted, not held yet",
                "N": "Declined",
                "NO": "Declined",
                "NA": "Not offered",
            }.get(accepted, "Not recorded")
            row(
                RETURN_INTERVIEWS,
                due_date=None,
                days_overdue=(d - incident.end).days,
                last_date=incident.end,
                note=status,
            )
    return out


def _sort_key(row: WorklistRow) -> tuple:
    """Most overdue first (no due date at all counts as most overdue), then by due date."""
    days = row.days_overdue if row.days_overdue is not None else 10**6
    return (-days, row.due_date or date.min, row.child_id)


def worklist_build(
    *,
    la: LocalAuthority,
    children: list[tuple[int, str, str]],
    as_of: date,
) -> TeamWorklist:
    """Every list for these children (pk, name, child id) on ``as_of``: no scope check here.

    Callers pass children already in the user's scope (``team_children``). A handful of
    queries whatever the number of children (``la_data_load`` reads each table once).
    """
    names = {pk: name for pk, name, _ in children}
    data = la_data_load(la=la, child_ids=list(names))
    workers = allocated_workers_on(child_pks=names, on=as_of)
    rows: dict[str, list[WorklistRow]] = defaultdict(list)
    per_worker: dict[int | None, Counter] = defaultdict(Counter)
    worker_names: dict[int | None, str] = {}
    looked_after = 0
    for child in data.children:
        worker = workers.get(child.pk, (None, ""))
        built = child_worklist_rows(
            child=child, data=data, as_of=as_of, name=names[child.pk], worker=worker
        )
        looked_after += built.looked_after
        tally = per_worker[worker[0]]
        worker_names[worker[0]] = worker[1] or "Not allocated"
        tally["children"] += 1
        tally["looked_after"] += built.looked_after
        for r in built.rows:
            rows[r.kind].append(r)
            tally[r.kind] += 1
            tally["overdue_items"] += KINDS_BY_KEY[r.kind].overdue
    for key in rows:
        rows[key].sort(key=_sort_key)
    caseloads = sorted(
        (
            CaseloadRow(
                worker_pk=pk,
                worker_name=worker_names[pk],
                children=t["children"],
                looked_after=t["looked_after"],
                visits_overdue=t[VISITS_OVERDUE],
                reviews_overdue=t[REVIEWS_OVERDUE],
                overdue_items=t["overdue_items"],
            )
            for pk, t in per_worker.items()
        ),
        key=lambda c: (c.worker_pk is None, c.worker_name.lower()),
    )
    return TeamWorklist(
        as_of=as_of,
        rows={k.key: rows.get(k.key, []) for k in WORKLIST_KINDS},
        caseloads=caseloads,
        children=len(data.children),
        looked_after=looked_after,
    )


def worklist_data_version(*, la: LocalAuthority) -> str:
    """A token that changes whenever the authority's records change in bulk.

    Records change through imports (a new batch, a feed's new as-at date), the snapshot
    recompute that follows every import, or the demo generator (new children, new
    snapshots): one query reads the latest of each.
    """
    from imports.models import FeedStatus, ImportBatch
    from scorecards.models import Snapshot

    row = (
        LocalAuthority.objects.filter(pk=la.pk)
        .annotate(
            batch=Subquery(
                ImportBatch.objects.filter(la=OuterRef("pk")).order_by("-pk").values("pk")[:1]
            ),
            feed=Subquery(
                FeedStatus.objects.filter(la=OuterRef("pk"))
                .order_by("-imported_at")
                .values("imported_at")[:1]
            ),
            snapshot=Subquery(
                Snapshot.objects.filter(la=OuterRef("pk")).order_by("-pk").values("pk")[:1]
            ),
            # Any authority's newest child (one index read): new children are rare.
            child=Subquery(Child.objects.order_by("-pk").values("pk")[:1]),
        )
        .values_list("batch", "feed", "snapshot", "child")
        .first()
    )
    return ":".join(str(x) for x in row or ())


def worklist_cache_key(*, la: LocalAuthority, choice: TeamChoice, as_of: date) -> str | None:
    """Where a team's lists of one day are cached (``None`` with the cache off).

    The authority, the team choice, the day and ``worklist_data_version``, so an import
    shows at once and nothing is older than ``WORKLIST_CACHE_SECONDS``. The key needs no
    user: ``choice`` comes from ``worklist_team_choice_get``, which offers a user only teams
    inside their scope, and only admins (who see the whole authority) may pick a day other
    than today, so every user allowed a choice on a day gets the same children.
    """
    if getattr(settings, "WORKLIST_CACHE_SECONDS", 0) <= 0:
        return None
    version = worklist_data_version(la=la)
    return f"worklist:v1:{la.pk}:{choice.key}:{as_of.isoformat()}:{version}"


_UNSET = object()


def worklist_for_team(
    *,
    user: Any,
    la: LocalAuthority,
    choice: TeamChoice,
    as_of: date,
    cache_key: Any = _UNSET,
) -> TeamWorklist:
    """The lists of the picked team(s) on ``as_of``, limited to the user's scope.

    Cached under ``worklist_cache_key`` (pass it when already read, ``None`` for no cache).
    """
    key = (
        worklist_cache_key(la=la, choice=choice, as_of=as_of) if cache_key is _UNSET else cache_key
    )
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    worklist = worklist_build(
        la=la, children=team_children(user=user, la=la, choice=choice, as_of=as_of), as_of=as_of
    )
    if key is not None:
        worklist.cache_key = key
        cache.set(key, worklist, settings.WORKLIST_CACHE_SECONDS)
    return worklist


SORT_OVERDUE = "overdue"
SORT_OVERDUE_LEAST = "overdue_least"
SORT_DUE = "due"
SORT_NAME = "name"
#: The team page's "Sort by" choices (``?sort=``); the first is the lists' own order.
WORKLIST_SORTS: dict[str, str] = {
    SORT_OVERDUE: "Days overdue (most first)",
    SORT_OVERDUE_LEAST: "Days overdue (least first)",
    SORT_DUE: "Due date (earliest first)",
    SORT_NAME: "Child’s name",
}


def _least_overdue_key(row: WorklistRow) -> tuple:
    """Least overdue first; rows with no due date at all (the most overdue) go last."""
    days = row.days_overdue if row.days_overdue is not None else 10**6
    return (days, row.due_date or date.max, row.child_id)


def _due_key(row: WorklistRow) -> tuple:
    """Earliest due date first; lists without due dates (missing) by the date beside them."""
    return (row.due_date or row.last_date or date.max, row.child_id)


def _name_key(row: WorklistRow) -> tuple:
    return (row.child_name.casefold(), row.child_id)


_SORT_KEYS = {SORT_OVERDUE_LEAST: _least_overdue_key, SORT_DUE: _due_key, SORT_NAME: _name_key}


def worklist_sort(*, rows: list[WorklistRow], sort: str | None) -> list[WorklistRow]:
    """``rows`` in the order picked; the lists are built most overdue first (``_sort_key``)."""
    key = _SORT_KEYS.get(sort or SORT_OVERDUE)
    return sorted(rows, key=key) if key is not None else rows


def worklist_filter(
    *,
    worklist: TeamWorklist,
    kinds: Iterable[str] | None = None,
    worker: str | None = None,
    sort: str | None = None,
) -> dict[str, list[WorklistRow]]:
    """The lists to show: some kinds, only one worker's children (``"none"``: unallocated),
    in the order ``sort`` picks (``WORKLIST_SORTS``; default most overdue first)."""
    keys = [k for k in (kinds or KINDS_BY_KEY) if k in KINDS_BY_KEY]
    out: dict[str, list[WorklistRow]] = {}
    for key in keys:
        rows = worklist.rows.get(key, [])
        if worker == "none":
            rows = [r for r in rows if r.worker_pk is None]
        elif worker:
            rows = [r for r in rows if str(r.worker_pk) == worker]
        out[key] = worklist_sort(rows=rows, sort=sort)
    return out


# --- drill-down behind a scorecard figure ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrillItem:
    """One item behind a figure: a due visit or review, a period of care's IHA, or a child.

    ``on`` is the item's date when it has one (due date, or the date a review was held);
    ``done`` when it was met or the latest record; ``in_numerator`` whether it counts in the
    figure's numerator. Every item is in the denominator.
    """

    child_pk: int
    child_id: str
    child_name: str
    on: date | None
    done: date | None
    in_numerator: bool
    note: str = ""


#: (child pk, on, done, in numerator, note) as the per-indicator readers give them.
_RawItem = tuple[int, date | None, date | None, bool, str]


def _drill_visits(ctx: MonthContext, period: str) -> list[_RawItem]:
    e = ctx.window(period)[1]
    return [
        (it.child_pk, it.due, it.met if it.met and it.met <= e else None, it.on_time, "")
        for it in visit_items(ctx).between(*ctx.window(period))
    ]


def _drill_reviews(ctx: MonthContext, period: str) -> list[_RawItem]:
    e = ctx.window(period)[1]
    return [
        (
            it.child_pk,
            it.due,
            it.held if it.held and it.held <= e else None,
            it.on_time,
            "" if it.held and it.held <= e else "Not held by the month end",
        )
        for it in reviews_counted(ctx, period)
    ]


def _drill_reviews_late(ctx: MonthContext, period: str) -> list[_RawItem]:
    """reviews_late: the reviews reviews_on_time counts that were not on time."""
    e = ctx.window(period)[1]
    return [
        (
            it.child_pk,
            it.due,
            it.held if it.held and it.held <= e else None,
            True,
            "Held late" if it.held and it.held <= e else "Not held by the month end",
        )
        for it in reviews_counted(ctx, period)
        if not it.on_time
    ]


def _drill_supervision(ctx: MonthContext, period: str) -> list[_RawItem]:
    """supervision_in_month: children in care at E; supervised in the month or not."""
    first, e = ctx.window(period)
    return [
        (
            entry.child.pk,
            None,
            _latest_on_or_before(entry.child.supervisions, e),
            seen_between(entry.child.supervisions, first, e),
            "",
        )
        for entry in ctx.cla
    ]


def _drill_uasc(ctx: MonthContext, period: str) -> list[_RawItem]:
    """uasc_pct: children in care at E; UASC on E or not (``uasc_on``, as the figure)."""
    return [(entry.child.pk, None, None, entry.child.uasc_on(ctx.as_of), "") for entry in ctx.cla]


def _drill_disability(ctx: MonthContext, period: str) -> list[_RawItem]:
    """disability_pct: children in care at E; a recorded disability or not (not recorded:
    in the denominator only, as the figure's 'unknown')."""
    return [
        (
            entry.child.pk,
            None,
            None,
            entry.child.disability is True,
            "Not recorded" if entry.child.disability is None else "",
        )
        for entry in ctx.cla
    ]


def _drill_iha(ctx: MonthContext, period: str) -> list[_RawItem]:
    return [
        (it.child_pk, it.due, None, it.on_time, "")
        for it in iha_items(ctx).between(*ctx.window(period))
    ]


def _drill_annual(which: int) -> Any:
    def read(ctx: MonthContext, period: str) -> list[_RawItem]:
        e = ctx.as_of
        out: list[_RawItem] = []
        for entry in ctx.cla:
            if not in_care_12_months(entry, e):
                continue
            due = annual_health_dues(entry.child, e)[which]
            out.append((entry.child.pk, due.due_date, due.latest_date, not due.overdue, ""))
        return out

    return read


def _drill_pep(ctx: MonthContext, period: str) -> list[_RawItem]:
    out: list[_RawItem] = []
    for entry in ctx.cla:
        due = pep_due_at(entry, ctx.as_of)
        if due is not None:
            out.append((entry.child.pk, due.due_date, due.latest_date, not due.overdue, ""))
    return out


_OFSTED_GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}


def _drill_good_school(ctx: MonthContext, period: str) -> list[_RawItem]:
    """good_outstanding_school: school-aged children in care at E with a known school."""
    out: list[_RawItem] = []
    for entry in ctx.cla:
        school = school_rating_at(entry, ctx.as_of, ctx.data.school_ratings)
        if school is None:
            continue
        urn, grade = school
        rated = _OFSTED_GRADES.get(grade, f"Grade {grade}") if grade is not None else "Unrated"
        out.append(
            (entry.child.pk, None, None, grade in GOOD_OR_OUTSTANDING, f"URN {urn}: {rated}")
        )
    return out


def _drill_three_plus(ctx: MonthContext, period: str) -> list[_RawItem]:
    first, last = ctx.window(period)
    out: list[_RawItem] = []
    for entry in ctx.cla:
        n = placements_in_window(entry.child, first, last)
        note = f"{n} placement{'s' if n != 1 else ''} from {first:%-d %b %Y}"
        out.append((entry.child.pk, None, None, n >= 3, note))
    return out


def _drill_stability(ctx: MonthContext, period: str) -> list[_RawItem]:
    out: list[_RawItem] = []
    for entry in ctx.cla:
        in_d, in_n, home_since = long_term_stability_status(entry, ctx.as_of)
        if in_d:  # home_since: none on a temporary stay that began the period of care
            out.append((entry.child.pk, None, home_since, in_n, ""))
    return out


def _drill_pathway_plan(ctx: MonthContext, period: str) -> list[_RawItem]:
    out: list[_RawItem] = []
    for child in ctx.data.children:
        due = pathway_plan_due_at(child, ctx.as_of)
        if due is not None:
            out.append((child.pk, due.due_date, due.latest_date, not due.overdue, ""))
    return out


def _drill_seen_6_weeks(ctx: MonthContext, period: str) -> list[_RawItem]:
    e = ctx.as_of
    first = e - timedelta(days=SEEN_WINDOW_DAYS)
    return [
        (
            entry.child.pk,
            None,
            _latest_on_or_before(entry.child.visits, e),
            seen_between(entry.child.visits, first, e),
            "",
        )
        for entry in ctx.cla
    ]


def _location_note(where: str, distance: Decimal | None) -> str:
    """Where the child lives, in words, with the distance from home when recorded."""
    text = {"in": "In county", "out": "Out of county"}.get(where, "Location not known")
    return text if distance is None else f"{text}, {distance:g} miles from home"


def _drill_location(*, uasc: bool, far: bool = False) -> Any:
    """An out-of-county figure: the UASC (or non-UASC) children in care at E; in the
    numerator when placed out of county (and 20+ miles away for ``far``)."""

    def read(ctx: MonthContext, period: str) -> list[_RawItem]:
        out: list[_RawItem] = []
        for entry in ctx.cla:
            loc = placement_location(entry, ctx.as_of)
            if loc.uasc != uasc:
                continue
            in_n = loc.far if far else loc.where == "out"
            start = entry.placement.start if entry.placement else None
            out.append((entry.child.pk, None, start, in_n, _location_note(loc.where, loc.distance)))
        return out

    return read


def _drill_placed_in_county(ctx: MonthContext, period: str) -> list[_RawItem]:
    """placed_in_county: the children in care at E placed inside the boundary."""
    out: list[_RawItem] = []
    for entry in ctx.cla:
        loc = placement_location(entry, ctx.as_of)
        if loc.where == "in":
            start = entry.placement.start if entry.placement else None
            out.append((entry.child.pk, None, start, True, _location_note("in", loc.distance)))
    return out


def _adopted_between(ctx: MonthContext, period: str) -> dict[int, Any]:
    """Children adopted in the period, each once (as the adoption figures count them)."""
    index = ctx.data.memo("adoption_events", adoption_events_index)
    return {ev.child_pk: ev for ev in index.between(*ctx.window(period))}


def _drill_adopted_pct(ctx: MonthContext, period: str) -> list[_RawItem]:
    """adopted_pct: children who ceased to be looked after in the period; adopted or not."""
    adopted = _adopted_between(ctx, period)
    return [
        (pk, ev.period.end, None, pk in adopted, "Adopted" if pk in adopted else "")
        for pk, ev in ctx.ceased(*ctx.window(period)).items()
    ]


def _drill_adoption_wait(ctx: MonthContext, period: str) -> list[_RawItem]:
    """adoption_wait_under_14m: adopted children with an A1 time; under 426 days or not."""
    return [
        (pk, ev.adopted_on, None, ev.a1 < ADOPTION_WAIT_LIMIT_DAYS, f"A1: {ev.a1} days")
        for pk, ev in _adopted_between(ctx, period).items()
        if ev.a1 is not None
    ]


def _drill_adoptions(ctx: MonthContext, period: str) -> list[_RawItem]:
    """adoptions: the children adopted in the period."""
    return [(pk, ev.adopted_on, None, True, "") for pk, ev in _adopted_between(ctx, period).items()]


_IN_TOUCH_LABELS = {
    "YES": "In touch",
    "RHOM": "Returned home",
    "NREQ": "No longer requires services",
    "DIED": "Died",
    "NO": "Not in touch",
    "REFU": "Refused contact",
    "": "Nothing recorded",
}


def _rhi_status(incident: Any, as_of: date) -> str:
    """The return interview of an ended incident, in words (the worklist's wording)."""
    if return_interview_done(incident, as_of):
        return f"Interview held {incident.rhi_completed:%-d %b %Y}"
    return {
        "Y": "Accepted, not held by the month end",
        "YES": "Accepted, not held by the month end",
        "N": "Declined",
        "NO": "Declined",
        "NA": "Not offered",
    }.get(incident.rhi_accepted.strip().upper(), "Not recorded")


def _drill_missing_incidents(ctx: MonthContext, period: str) -> list[_RawItem]:
    """missing_incidents: each counted incident that started in the period."""
    first, e = ctx.window(period)
    return [
        (
            child.pk,
            incident.start,
            incident.end if incident.end and incident.end <= e else None,
            True,
            "" if incident.end and incident.end <= e else "Still missing at the month end",
        )
        for child in ctx.data.children
        for incident in child.missing
        if first <= incident.start <= e and incident_counted(child, incident)
    ]


def _drill_missing_children(ctx: MonthContext, period: str) -> list[_RawItem]:
    """missing_children: each child with a counted incident starting in the period."""
    starts: dict[int, list[date]] = defaultdict(list)
    for pk, start, *_ in _drill_missing_incidents(ctx, period):
        starts[pk].append(start)
    return [
        (pk, min(days), None, True, f"{len(days)} incident{'s' if len(days) != 1 else ''}")
        for pk, days in starts.items()
    ]


def _drill_return_interviews(ctx: MonthContext, period: str) -> list[_RawItem]:
    """return_interviews: counted incidents ended in the period; done when held by E."""
    first, e = ctx.window(period)
    out: list[_RawItem] = []
    for child in ctx.data.children:
        for incident in child.missing:
            if incident.end is None or not first <= incident.end <= e:
                continue
            if not incident_counted(child, incident):
                continue
            done = return_interview_done(incident, ctx.as_of)
            held = incident.rhi_completed if done else None
            out.append((child.pk, incident.end, held, done, _rhi_status(incident, ctx.as_of)))
    return out


def _drill_cohort(test: Any, describe: Any) -> Any:
    """A 19–21 care-leaver figure: each birthday of the DfE cohort, in the numerator when
    ``test(status)``; the note says what was recorded around the birthday."""

    def read(ctx: MonthContext, period: str) -> list[_RawItem]:
        return [
            (child.pk, bday, None, test(status), describe(status))
            for child, bday, status in dfe_cohort_members(ctx)
        ]

    return read


_SUITABLE = {CL_YES: "Suitable", CL_NO: "Unsuitable", CL_UNKNOWN: "Not known"}
_ACTIVITY = {CL_YES: "In education, employment or training", CL_NO: "NEET",
             CL_UNKNOWN: "Not known"}  # fmt: skip


def _relevant_missing(*, la: LocalAuthority, first: date, last: date) -> set[int]:
    """Children with a missing row overlapping the period (incidents, returns)."""
    rows = MissingEpisode.objects.filter(la=la, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    return set(rows.values_list("child_id", flat=True))


def _relevant_care_leavers(*, la: LocalAuthority, first: date, last: date) -> set[int]:
    """Young people with a care-leaver observation by the month end, or an OC3 row."""
    observed = CareLeaverObservation.objects.filter(la=la, as_at__lte=last)
    oc3 = OC3Outcome.objects.filter(la=la)
    return set(observed.values_list("child_id", flat=True)) | set(
        oc3.values_list("child_id", flat=True)
    )


@dataclass(frozen=True)
class DrillSpec:
    """How to list one indicator's items, and what its columns and labels say.

    ``relevant`` adds children beyond those with an episode overlapping the period (care
    leavers, incidents that started while in care and ended later); ``yes`` / ``no`` name
    an item in / out of the numerator.
    """

    read: Any
    item: str  # what one item is, e.g. "due visit"
    items: str  # the plural, e.g. "due visits"
    on_label: str
    done_label: str
    yes: str = "Met"
    no: str = "Not met"
    relevant: Any = None


DRILLDOWNS: dict[str, DrillSpec] = {
    "visits_on_time": DrillSpec(_drill_visits, "due visit", "due visits", "Due date", "Seen on"),
    "reviews_on_time": DrillSpec(_drill_reviews, "review", "reviews", "Due date", "Held on"),
    "reviews_late": DrillSpec(
        _drill_reviews_late, "review", "reviews", "Due date", "Held on", yes="Late"
    ),
    "supervision_in_month": DrillSpec(
        _drill_supervision,
        "child",
        "children",
        "",
        "Last supervision",
        yes="Supervised",
        no="Not supervised",
    ),
    "uasc_pct": DrillSpec(_drill_uasc, "child", "children", "", "", yes="UASC", no="Not UASC"),
    "disability_pct": DrillSpec(
        _drill_disability,
        "child",
        "children",
        "",
        "",
        yes="Disability recorded",
        no="No disability, or not recorded",
    ),
    "iha_on_time": DrillSpec(
        _drill_iha, "initial health assessment", "initial health assessments", "Due by", ""
    ),
    "health_assessment_on_time": DrillSpec(
        _drill_annual(0), "child", "children", "In time until", "Latest assessment"
    ),
    "dental_on_time": DrillSpec(
        _drill_annual(1), "child", "children", "In time until", "Latest check"
    ),
    "pep_in_place": DrillSpec(
        _drill_pep, "child", "children", "In time until", "Latest complete PEP"
    ),
    "good_outstanding_school": DrillSpec(
        _drill_good_school,
        "child",
        "children",
        "",
        "",
        yes="Good or outstanding",
        no="Not good, or unrated",
    ),
    "placements_3plus_12m": DrillSpec(
        _drill_three_plus, "child", "children", "", "", yes="3 or more", no="Fewer than 3"
    ),
    "placements_3plus_ytd": DrillSpec(
        _drill_three_plus, "child", "children", "", "", yes="3 or more", no="Fewer than 3"
    ),
    "long_term_stability": DrillSpec(
        _drill_stability, "child", "children", "", "In this home since"
    ),
    "pathway_plan": DrillSpec(
        _drill_pathway_plan,
        "care leaver",
        "care leavers",
        "In time until",
        "Last review",
        relevant=_relevant_care_leavers,
    ),
    "placed_in_county": DrillSpec(
        _drill_placed_in_county, "child", "children", "", "In this home since", yes="In county"
    ),
    "out_of_county_non_uasc": DrillSpec(
        _drill_location(uasc=False),
        "child",
        "children",
        "",
        "In this home since",
        yes="Out of county",
        no="In county or not known",
    ),
    "out_of_county_20_miles": DrillSpec(
        _drill_location(uasc=False, far=True),
        "child",
        "children",
        "",
        "In this home since",
        yes="Out of county, 20+ miles",
        no="In county, nearer or not known",
    ),
    "uasc_out_of_county": DrillSpec(
        _drill_location(uasc=True),
        "child",
        "children",
        "",
        "In this home since",
        yes="Out of county",
        no="In county or not known",
    ),
    "visits_seen_6_weeks": DrillSpec(
        _drill_seen_6_weeks, "child", "children", "", "Last seen", yes="Seen", no="Not seen"
    ),
    "missing_incidents": DrillSpec(
        _drill_missing_incidents,
        "missing incident",
        "missing incidents",
        "Went missing",
        "Came back",
        yes="Counted",
        relevant=_relevant_missing,
    ),
    "missing_children": DrillSpec(
        _drill_missing_children,
        "child",
        "children",
        "First went missing",
        "",
        yes="Counted",
        relevant=_relevant_missing,
    ),
    "return_interviews": DrillSpec(
        _drill_return_interviews,
        "missing incident",
        "missing incidents",
        "Came back",
        "Interview held",
        yes="Interview held",
        no="No interview held",
        relevant=_relevant_missing,
    ),
    "adoptions": DrillSpec(_drill_adoptions, "child", "children", "Adopted on", "", yes="Adopted"),
    "adopted_pct": DrillSpec(
        _drill_adopted_pct,
        "child",
        "children",
        "Left care on",
        "",
        yes="Adopted",
        no="Not adopted",
    ),
    "adoption_wait_under_14m": DrillSpec(
        _drill_adoption_wait,
        "child",
        "children",
        "Adopted on",
        "",
        yes="Under 14 months",
        no="14 months or more",
    ),
    "cl_19_21_in_touch": DrillSpec(
        _drill_cohort(
            lambda s: s.in_touch == "YES",
            lambda s: _IN_TOUCH_LABELS.get(s.in_touch, s.in_touch.title()),
        ),
        "care leaver",
        "care leavers",
        "Birthday",
        "",
        yes="In touch",
        no="Not counted in touch",
        relevant=_relevant_care_leavers,
    ),
    "cl_19_21_unsuitable_accommodation": DrillSpec(
        _drill_cohort(lambda s: s.accommodation != CL_YES, lambda s: _SUITABLE[s.accommodation]),
        "care leaver",
        "care leavers",
        "Birthday",
        "",
        yes="Unsuitable or not known",
        no="Suitable",
        relevant=_relevant_care_leavers,
    ),
    "cl_19_21_neet": DrillSpec(
        _drill_cohort(lambda s: s.activity != CL_YES, lambda s: _ACTIVITY[s.activity]),
        "care leaver",
        "care leavers",
        "Birthday",
        "",
        yes="NEET or not known",
        no="In education, employment or training",
        relevant=_relevant_care_leavers,
    ),
}


def drilldown_links_for(*, user: Any, la: LocalAuthority, month: date) -> dict[str, str] | None:
    """What a page needs to link its figures to their drill-downs, or ``None`` when the user
    may not read case-level data in ``la`` (committee leads: aggregates only, no links).

    Decided per request: the page build it decorates holds no user.
    """
    if not user_can(user=user, capability=CASE_LEVEL, la=la):
        return None
    return {"code": la.code, "month": f"{month:%Y-%m}", "month_label": f"{month:%B %Y}"}


def drilldown_available(*, indicator_id: str, period: str | None = None) -> bool:
    """True when the figure of ``indicator_id`` (and ``period``) has a drill-down list."""
    if indicator_id not in DRILLDOWNS:
        return False
    return period is None or period in indicator_get(indicator_id).periods


@dataclass
class Drilldown:
    """The items behind one figure of one month, limited to the reader's scope."""

    la: LocalAuthority
    indicator: Any
    spec: DrillSpec
    month: date
    period: str
    as_of: date
    month_to_date: bool
    items: list[DrillItem]
    whole_authority: bool
    snapshot_cell: dict[str, Any] | None = None
    snapshot_as_of: date | None = None

    @property
    def numerator(self) -> int:
        return sum(1 for it in self.items if it.in_numerator)

    @property
    def denominator(self) -> int:
        return len(self.items)

    @property
    def numerator_items(self) -> list[DrillItem]:
        return [it for it in self.items if it.in_numerator]

    @property
    def other_items(self) -> list[DrillItem]:
        return [it for it in self.items if not it.in_numerator]

    @property
    def children(self) -> int:
        return len({it.child_pk for it in self.items})

    @property
    def is_count(self) -> bool:
        """A count figure (missing children, incidents): every item is the figure."""
        return self.indicator.unit == UNIT_COUNT

    @property
    def numerator_needs_attention(self) -> bool:
        """True when the numerator counts what went wrong (NEET, unsuitable: lower is better)."""
        return self.indicator.polarity == LOWER

    @property
    def neutral(self) -> bool:
        """Neither direction is better (% UASC, % with a disability): no red or green, and
        the children the figure counts are listed first."""
        return self.indicator.polarity is None

    @property
    def numerator_first(self) -> bool:
        """List the numerator's items first: what went wrong when lower is better (NEET),
        or what the figure counts when it has no better direction."""
        return self.numerator_needs_attention or self.neutral

    @property
    def differs_from_snapshot(self) -> bool:
        """A whole-authority list whose counts differ from the stored figure (records
        dated in the period changed since the recompute): the page says so."""
        cell = self.snapshot_cell
        if not self.whole_authority or not cell:
            return False
        if self.is_count:
            return cell.get("value") != self.denominator
        return (cell.get("numerator"), cell.get("denominator")) != (
            self.numerator,
            self.denominator,
        )

    def items_attention_first(self) -> list[DrillItem]:
        """What needs looking at first: the items not met, or the numerator's when lower is
        better (NEET), then the rest."""
        if self.numerator_first:
            return self.numerator_items + self.other_items
        return self.other_items + self.numerator_items


def drilldown_get(
    *,
    user: Any,
    la: LocalAuthority,
    indicator_id: str,
    month: date,
    period: str,
    today: date | None = None,
) -> Drilldown:
    """The numerator and denominator items of a figure, for the children in the user's scope.

    The month is read as the scorecard reads it (``ReportingDates``: the month end, or today
    for the current month) and every item comes from the indicator's own reading, so for a
    reader who sees the whole authority the counts equal the snapshot's numerator and
    denominator whenever no record dated on or before the month end has changed since it
    was computed (the page shows both). 404 for an unknown figure, period or future month.
    """
    if not drilldown_available(indicator_id=indicator_id, period=period):
        raise NotFound("No list behind this figure.")
    today = today or timezone.localdate()
    if month.replace(day=1) > today.replace(day=1):
        raise NotFound("No figures for a future month.")
    dates = ReportingDates.for_month(month, today=today)
    # Only children with an episode overlapping the period can have an item in it (a due
    # visit or review, an IHA, a child looked after at E); care leavers for pathway plans.
    first = dates.window(period)[0]
    relevant = Episode.objects.filter(la=la, decom__lte=dates.as_of).filter(
        Q(dec__isnull=True) | Q(dec__gte=first)
    )
    wanted = set(relevant.values_list("child_id", flat=True))
    spec = DRILLDOWNS[indicator_id]
    if spec.relevant is not None:
        wanted |= spec.relevant(la=la, first=first, last=dates.as_of)
    wanted = set(
        children_in_scope(user=user, la=la).filter(pk__in=list(wanted)).values_list("pk", flat=True)
    )
    data = la_data_load(la=la, child_ids=wanted)
    raw = spec.read(MonthContext(data, dates), period)
    names = {
        pk: (child_display_name(forename=f, surname=s, child_id=cid), cid)
        for pk, f, s, cid in Child.objects.filter(la=la, pk__in={r[0] for r in raw}).values_list(
            "pk", "forename", "surname", "child_id"
        )
    }
    items = sorted(
        (
            DrillItem(pk, names[pk][1], names[pk][0], on, done, in_n, note)
            for pk, on, done, in_n, note in raw
        ),
        key=lambda it: (it.on or date.min, it.child_id),
    )
    snapshot = snapshot_current_get(la=la, month=dates.month)
    cell = None
    if snapshot is not None:
        cell = snapshot_cells(snapshot=snapshot).get(indicator_id, {}).get(period)
    return Drilldown(
        la=la,
        indicator=indicator_get(indicator_id),
        spec=spec,
        month=dates.month,
        period=period,
        as_of=dates.as_of,
        month_to_date=dates.month_to_date,
        items=items,
        whole_authority=case_scope(user=user, la=la).whole_authority,
        snapshot_cell=cell,
        snapshot_as_of=snapshot.as_of if snapshot is not None else None,
    )


# --- a child's timeline -----------------------------------------------------------------------

MET_ON_TIME = "on_time"
MET_LATE = "late"
MISSED = "missed"
OVERDUE = "overdue"
UPCOMING = "upcoming"
INFO = "info"

TIMELINE_STATUS_LABELS = {
    MET_ON_TIME: "Met on time",
    MET_LATE: "Met late",
    MISSED: "Missed",
    OVERDUE: "Overdue",
    UPCOMING: "Due",
    INFO: "",
}


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One line of a child's timeline: what happened or fell due, and whether it was met.

    ``on`` orders the timeline: the due date of something due, else the day it happened.
    """

    on: date
    kind: str
    title: str
    due_date: date | None = None
    done_date: date | None = None
    status: str = INFO
    detail: str = ""

    @property
    def status_label(self) -> str:
        return TIMELINE_STATUS_LABELS[self.status]


@dataclass
class ChildTimelinePage:
    """Everything the child page shows, as of one day."""

    child: Child
    name: str
    as_of: date
    looked_after: bool
    events: list[TimelineEvent]
    current: list[WorklistRow]


def _due_status(*, due: date, done: date | None, as_of: date, lapsed: bool = False) -> str:
    if done is not None:
        return MET_ON_TIME if done <= due else MET_LATE
    if due > as_of:
        return UPCOMING
    return MISSED if lapsed else OVERDUE


def _recurring_event(
    *, kind: str, title: str, due: Any, as_of: date, none_text: str
) -> TimelineEvent:
    if due.due_date is None:
        return TimelineEvent(as_of, kind, title, None, None, OVERDUE, none_text)
    status = OVERDUE if due.overdue else UPCOMING
    return TimelineEvent(due.due_date, kind, title, due.due_date, None, status, "In time until")


def child_timeline_events(
    *, child: ChildTimeline, data: LAData, as_of: date
) -> list[TimelineEvent]:
    """Periods of care, placements, visits, reviews, health, PEPs and missing episodes of one
    child as known on ``as_of``, each due date with whether (and when) it was met.

    Due dates come from the same schedules as the lists and the scorecard; records dated
    after ``as_of`` are left out. Newest first.
    """
    d = as_of
    events: list[TimelineEvent] = []
    add = events.append
    current = child.history.period_on(d)
    current_placement = current.placement_on(d) if current else None

    for period in child.history.periods:
        if period.start > d:
            continue
        first = period.first_episode
        add(
            TimelineEvent(
                period.start,
                "Care",
                "Started to be looked after",
                detail=f"Legal status {first.ls}" + ("" if period.starts_with_s else
                                                       " (start of care before the data)"),
            )
        )  # fmt: skip
        if period.end is not None and period.end <= d and period.end_of_record:
            add(
                TimelineEvent(
                    period.end,
                    "Care",
                    "Record ends",
                    detail="The next SSDA903 return does not hold this open episode",
                )
            )
        elif period.end is not None and period.end <= d:
            add(
                TimelineEvent(
                    period.end,
                    "Care",
                    "Stopped being looked after",
                    detail=f"Reason {period.reason_ceased}" if period.reason_ceased else "",
                )
            )
        for placement in period.placements:
            if placement.start > d:
                continue
            episode = placement.episode_on(placement.start) or placement.first
            add(
                TimelineEvent(
                    placement.start,
                    "Placement",
                    placement_label(place=placement.place_on(placement.start)),
                    detail=distance_band(miles=episode.pl_distance),
                )
            )

        care_period = CarePeriod(
            start=period.start, end=period.end, starts_with_s=period.starts_with_s
        )
        for review in review_schedule(
            period=care_period,
            held_review_dates=child.reviews,
            as_of=d,
            reviews_known_from=data.reviews_known_from,
        ):
            title = f"Review {review.sequence}" if review.sequence else "Review"
            add(
                TimelineEvent(
                    review.due_date,
                    "Review",
                    title,
                    review.due_date,
                    review.held_date,
                    _due_status(due=review.due_date, done=review.held_date, as_of=d),
                )
            )
        iha = iha_due(
            period=care_period,
            completed_assessment_dates=completed_dates(child, HEALTH_ASSESSMENT_KINDS),
            as_of=d,
        )
        if iha is not None and iha.looked_after_on_due_date:
            add(
                TimelineEvent(
                    iha.due_date,
                    "Health",
                    "Initial health assessment",
                    iha.due_date,
                    iha.assessment_date,
                    _due_status(due=iha.due_date, done=iha.assessment_date, as_of=d),
                )
            )

    met_visits: set[date | None] = set()  # the visit that met each due date
    anchors: set[date] = set()
    for due in visit_schedule(
        placements=visit_placements(child),
        seen_visit_dates=child.visits,
        as_of=d,
        standard=VisitStandard(data.visit_standard or VisitStandard.STATUTORY),
        horizon=d + timedelta(days=DUE_LATER_DAYS),
    ):
        met_visits.add(due.met_date)
        anchors.add(due.counted_from)
        pending = current_placement is not None and due.placement_start == current_placement.start
        add(
            TimelineEvent(
                due.due_date,
                "Visit",
                "Statutory visit",
                due.due_date,
                due.met_date,
                _due_status(due=due.due_date, done=due.met_date, as_of=d, lapsed=not pending),
            )
        )
    for visit in (v for v in child.visits if v <= d and v not in met_visits):  # extra visits
        seen = "next visit due from here" if visit in anchors else "no visit due"
        add(TimelineEvent(visit, "Visit", f"Child seen ({seen})", done_date=visit))

    for check in child.health:
        if check.on <= d:
            add(
                TimelineEvent(
                    check.on,
                    "Health",
                    {"DENTAL": "Dental check", "IHA": "Initial health assessment (recorded)",
                     "RHA": "Review health assessment", "HA": "Health assessment"}.get(
                        check.kind.upper(), check.kind.title()),
                    detail=(check.status or "Completed").capitalize(),
                )
            )  # fmt: skip
    if current is not None:
        health, dental = annual_health_dues(child, d)
        add(
            _recurring_event(
                kind="Health",
                title="Next health assessment",
                due=health,
                as_of=d,
                none_text="No health assessment recorded",
            )
        )
        add(
            _recurring_event(
                kind="Health",
                title="Next dental check",
                due=dental,
                as_of=d,
                none_text="No dental check recorded",
            )
        )
        pep = pep_due_at(CLAEntry(child, current, current.episode_on(d), current_placement), d)
        if pep is not None:
            add(
                _recurring_event(
                    kind="Education", title="Next PEP", due=pep, as_of=d, none_text="No PEP"
                )
            )
    for record in child.peps:
        if record.pep_date <= d:
            add(
                TimelineEvent(
                    record.pep_date,
                    "Education",
                    "Personal education plan",
                    detail=record.status.capitalize(),
                )
            )
    plan = pathway_plan_due_at(child, d)
    if plan is not None:
        add(
            _recurring_event(
                kind="Care leaver",
                title="Pathway plan review",
                due=plan,
                as_of=d,
                none_text="No pathway plan review recorded",
            )
        )
    for incident in child.missing:
        if incident.start > d:
            continue
        ended = incident.end is not None and incident.end <= d
        title = "Missing" if incident.kind.upper() == "M" else "Away without authorisation"
        if not ended:
            detail = "Still missing"
        elif return_interview_done(incident, d):
            held = incident.rhi_completed
            detail = f"Back {incident.end:%-d %b %Y}; return interview {held:%-d %b %Y}"
        else:
            detail = f"Back {incident.end:%-d %b %Y}; no return interview held"
        add(TimelineEvent(incident.start, "Missing", title, detail=detail))
    events.sort(key=lambda ev: (ev.on, ev.kind, ev.title), reverse=True)
    return events


def child_timeline_get(*, user: Any, child: Child, as_of: date) -> ChildTimelinePage:
    """The child page's timeline and current list entries (the child is already in scope)."""
    data = la_data_load(la=child.la, child_ids=[child.pk])
    timeline = data.children[0]
    name = child_display_name(
        forename=child.forename, surname=child.surname, child_id=child.child_id
    )
    worker = allocated_workers_on(child_pks=[child.pk], on=as_of).get(child.pk, (None, ""))
    rows = child_worklist_rows(child=timeline, data=data, as_of=as_of, name=name, worker=worker)
    return ChildTimelinePage(
        child=child,
        name=name,
        as_of=as_of,
        looked_after=rows.looked_after,
        events=child_timeline_events(child=timeline, data=data, as_of=as_of),
        current=rows.rows,
    )
