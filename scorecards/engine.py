"""The indicator engine: one authority's records in memory, per-child timelines, month contexts.

Recompute cost must not grow with the number of months or indicators times the number
of children in queries, so ``la_data_load`` reads each table of an authority once (a
handful of queries), ``child_timeline_build`` turns each child's rows into a timeline
(periods of care and placements come from ``children.care_history``, the one reading of
episodes the whole project shares), and every indicator of every month is then computed
in memory from a ``MonthContext``.

As-of semantics (``indicators.md`` §1): a month's figures use only what is dated on or
before its as-of date E. Timelines are built from all records; every indicator only
looks at dates up to E (an episode starting after E does not exist yet, an episode
ending after E is still open at E), so recomputing an old month with newer data gives
the same figures unless a record dated on or before E changed.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from children.care_history import (
    CareHistory,
    EffectiveEpisode,
    EpisodeIn,
    PeriodOut,
    PlacementOut,
    care_history_build,
)
from reviews.scheduling import PepRecord
from scorecards.periods import ReportingDates

T = TypeVar("T")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building or reading timelines.

    Loading an authority allocates hundreds of thousands of small long-lived objects; each
    allocation burst would otherwise trigger collections that rescan them all (about a
    quarter of a recompute's CPU). Reference counting still frees everything that is not
    in a cycle, and the engine's objects form none. Also a decorator; nests safely.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class MissingIn:
    """A missing (M) or away (A) episode, with its return interview when SSD sent one."""

    kind: str  # M missing, A away without authorisation
    start: date
    end: date | None
    rhi_accepted: str = ""  # Y, N, NA or blank (``ssd_missing.miss_missing_rhi_accepted``)
    rhi_completed: date | None = None  # ``ext_missing_rhi`` completion date


@dataclass(frozen=True, slots=True)
class HealthIn:
    """A dated health check (``ssd_cla_health``): canonical kind and status."""

    kind: str  # IHA, RHA, HA, DENTAL, OPTICIAN, OTHER
    on: date
    status: str  # COMPLETED, PLANNED, REFUSED, CANCELLED


@dataclass(frozen=True, slots=True)
class CareLeaverIn:
    """A care leaver's status as observed on an extract's as-at date (``ssd_care_leavers``)."""

    as_at: date
    eligibility: str
    in_touch: str
    accommodation: str
    suitable: str  # 1 suitable, 2 unsuitable, blank unknown
    activity: str
    pathway_plan_review: date | None


@dataclass(frozen=True, slots=True)
class OC3In:
    """A 903 OC3 row: a care leaver's status around a birthday in the collection year."""

    year: int
    in_touch: str
    activity: str
    accommodation: str  # letter + 1 suitable / 2 unsuitable, or 0


@dataclass(frozen=True, slots=True)
class RiskIn:
    """An assessed exploitation risk (``ext_exploitation_risk``)."""

    risk_type: str  # CSE, CCE, GANG
    level: str  # LOW, MEDIUM, HIGH, NONE or blank
    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class AssessmentIn:
    """An authorised CIN assessment with its factor codes (``ssd_cin_assessments``)."""

    authorised: date
    factors: frozenset[str]
    referral_id: str


@dataclass(frozen=True, slots=True)
class SchoolIn:
    """A school the child attends from ``start`` (``ext_cla_school``)."""

    start: date
    end: date | None
    urn: str


@dataclass(frozen=True, slots=True)
class AdoptionIn:
    """An AD1 row: the adoption's decision and match dates and whether by foster carers."""

    year: int
    date_int: date | None
    date_match: date | None
    foster_care: bool | None


@dataclass(frozen=True, slots=True)
class DecisionIn:
    """A PlacedAdoption row: decision that the child should be placed for adoption."""

    date_placed: date
    date_placed_ceased: date | None


@dataclass(eq=False, slots=True)
class ChildTimeline:
    """Everything the indicators need about one child, built once per recompute."""

    pk: int
    child_id: str
    sex: str
    dob: date | None
    ethnicity: str
    history: CareHistory
    disability: bool | None = None
    uasc: bool = False
    uasc_until: date | None = None
    reviews: list[date] = field(default_factory=list)
    missing: list[MissingIn] = field(default_factory=list)
    adoptions: list[AdoptionIn] = field(default_factory=list)
    decisions: list[DecisionIn] = field(default_factory=list)
    allocations: list[tuple[date, date | None, str]] = field(default_factory=list)
    death_date: date | None = None
    visits: list[date] = field(default_factory=list)  # seen statutory visits only
    health: list[HealthIn] = field(default_factory=list)
    peps: list[PepRecord] = field(default_factory=list)
    schools: list[SchoolIn] = field(default_factory=list)
    care_leaver: list[CareLeaverIn] = field(default_factory=list)
    oc3: list[OC3In] = field(default_factory=list)
    supervisions: list[date] = field(default_factory=list)
    risks: list[RiskIn] = field(default_factory=list)
    assessments: list[AssessmentIn] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def team_on(self, d: date) -> str:
        """Team id of the allocated social worker on ``d`` ("unallocated" when none).

        An allocation is open on D when it started on or before D and has no end or ends
        after D; with several open, the latest start wins (``indicators.md`` §3).
        """
        # The latest-starting allocation open on D: bisect to the allocations started by D
        # (sorted by start), then look back for the first one still open. Every due date of
        # every month asks this, so the starts are kept on the timeline.
        allocations = self.allocations
        starts = self.extra.get("allocation_starts")
        if starts is None or len(starts) != len(allocations):
            starts = self.extra["allocation_starts"] = [a[0] for a in allocations]
        for i in range(bisect_right(starts, d) - 1, -1, -1):
            _, end, team_id = allocations[i]
            if end is None or end > d:
                return team_id or "unallocated"
        return "unallocated"

    def uasc_on(self, d: date) -> bool:
        """UASC on ``d``: a UASC row, and ``d`` is before the date UASC status ceased (DUC).

        Reading: the status ceases on DUC itself; when several years' rows disagree the
        latest collection year's DUC wins (see ``child_timeline_build``).
        """
        return self.uasc and (self.uasc_until is None or d < self.uasc_until)


def child_timeline_build(
    *,
    pk: int,
    child_id: str = "",
    sex: str = "U",
    dob: date | None = None,
    ethnicity: str = "",
    disability: bool | None = None,
    episodes: Iterable[EpisodeIn] = (),
    uasc_rows: Iterable[tuple[int, date | None]] = (),
    reviews: Iterable[date] = (),
    missing: Iterable[MissingIn] = (),
    adoptions: Iterable[AdoptionIn] = (),
    decisions: Iterable[DecisionIn] = (),
    allocations: Iterable[tuple[date, date | None, str]] = (),
    death_date: date | None = None,
    visits: Iterable[date] = (),
    health: Iterable[HealthIn] = (),
    peps: Iterable[PepRecord] = (),
    schools: Iterable[SchoolIn] = (),
    care_leaver: Iterable[CareLeaverIn] = (),
    oc3: Iterable[OC3In] = (),
    supervisions: Iterable[date] = (),
    risks: Iterable[RiskIn] = (),
    assessments: Iterable[AssessmentIn] = (),
) -> ChildTimeline:
    """Build a child's timeline from plain values (the loader and the tests both use this).

    ``visits`` are the dates of statutory visits at which the child was seen (unseen visits
    never count, ``indicators.md`` §3), so callers leave the others out.
    """
    uasc_list = sorted(uasc_rows, key=lambda r: r[0])
    return ChildTimeline(
        pk=pk,
        child_id=child_id or str(pk),
        sex=sex or "U",
        dob=dob,
        ethnicity=ethnicity or "",
        disability=disability,
        history=care_history_build(episodes),
        uasc=bool(uasc_list),
        uasc_until=uasc_list[-1][1] if uasc_list else None,
        reviews=sorted(set(reviews)),
        missing=sorted(missing, key=lambda m: (m.start, m.kind)),
        adoptions=sorted(adoptions, key=lambda a: a.year),
        decisions=sorted(decisions, key=lambda d: d.date_placed),
        allocations=sorted(allocations, key=lambda a: a[0]),
        death_date=death_date,
        visits=sorted(set(visits)),
        health=sorted(health, key=lambda h: (h.on, h.kind, h.status)),
        peps=sorted(peps, key=lambda p: p.pep_date),
        schools=sorted(schools, key=lambda s: (s.start, s.end or date.max)),
        care_leaver=sorted(care_leaver, key=lambda o: o.as_at),
        oc3=sorted(oc3, key=lambda o: o.year),
        supervisions=sorted(set(supervisions)),
        risks=sorted(risks, key=lambda r: (r.start, r.risk_type)),
        assessments=sorted(assessments, key=lambda a: a.authorised),
    )


@dataclass(frozen=True, slots=True)
class WorkerIn:
    """A professional (``ssd_professionals``) with dated team memberships in catalogue roles.

    ``memberships``: ``(start, end, role, team_id)`` from ``ext_team_membership``; ``role`` is
    the worker's catalogue role when no membership says otherwise.
    """

    pk: int
    fte: Decimal | None
    role: str
    memberships: tuple[tuple[date, date | None, str, str], ...] = ()


@dataclass(eq=False)
class LAData:
    """One authority's records, as timelines, plus its reference data."""

    la_id: int
    la_code: str
    children: list[ChildTimeline]
    populations: dict[int, int] = field(default_factory=dict)
    batch_ids: list[int] = field(default_factory=list)
    reviews_known_from: date | None = None
    #: The earliest date any window of the months being computed reaches (the 12 months
    #: ending the first month's end); ``None`` = unknown, look at everything. Indicators
    #: may skip records that ended before it: they cannot fall in any window.
    window_floor: date | None = None
    visit_standard: str = "statutory"
    #: Ofsted reference data: school URN → latest graded overall effectiveness (1–4 or None).
    school_ratings: dict[str, int | None] = field(default_factory=dict)
    #: CIN episodes: referral id → close date (None while open), for the exploitation fallback.
    cin_closures: dict[str, date | None] = field(default_factory=dict)
    #: True when the authority has sent ``ext_exploitation_risk`` rows (else the §3.12 fallback).
    exploitation_risks_sent: bool = False
    workers: list[WorkerIn] = field(default_factory=list)
    #: ``(role, as_at_date, fte_posts)`` from ``ext_staff_establishment``.
    establishments: list[tuple[str, date, Decimal]] = field(default_factory=list)
    #: Every allocation to a worker (any role): ``(worker pk, child pk, start, end)``.
    worker_allocations: list[tuple[int, int, date, date | None]] = field(default_factory=list)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, build: Callable[[LAData], T]) -> T:
        """Compute something about the whole authority once per recompute (e.g. an index)."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    def population_for(self, financial_year: int) -> int | None:
        """ONS 0–17 mid-year estimate for a financial year.

        Reading: financial year Y/Y+1 uses the mid-Y estimate (the one published nearest
        the middle of that year); if it is missing, the latest earlier estimate, else the
        earliest later one. No estimate at all gives no rate ("no data").
        """
        if not self.populations:
            return None
        if financial_year in self.populations:
            return self.populations[financial_year]
        earlier = [y for y in self.populations if y < financial_year]
        if earlier:
            return self.populations[max(earlier)]
        return self.populations[min(self.populations)]


class DatedIndex(Generic[T]):
    """Items sorted by a date, for "which happened between a and b" in O(log n)."""

    __slots__ = ("_dates", "_items")

    def __init__(self, pairs: Iterable[tuple[date, T]]):
        ordered = sorted(pairs, key=lambda p: p[0])
        self._dates = [p[0] for p in ordered]
        self._items = [p[1] for p in ordered]

    def between(self, first: date, last: date) -> list[T]:
        """Items dated ``first`` ≤ d ≤ ``last``, in date order."""
        lo = bisect_left(self._dates, first)
        hi = bisect_right(self._dates, last)
        return self._items[lo:hi]

    def __len__(self) -> int:
        return len(self._dates)


@dataclass(frozen=True, slots=True)
class CLAEntry:
    """A child looked after at E with the period, episode and placement in force on E."""

    child: ChildTimeline
    period: PeriodOut
    episode: EffectiveEpisode
    placement: PlacementOut | None


@dataclass(frozen=True, slots=True)
class PeriodEvent:
    child: ChildTimeline
    period: PeriodOut


def period_starts_index(data: LAData) -> DatedIndex[PeriodEvent]:
    """Periods of care that start with RNE S, by start date ("became looked after").

    A period whose first known episode is not S (the data begin mid-period) has no known
    start, so it is never counted as starting care.
    """
    return DatedIndex(
        (p.start, PeriodEvent(c, p))
        for c in data.children
        for p in c.history.periods
        if p.starts_with_s
    )


def period_ends_index(data: LAData) -> DatedIndex[PeriodEvent]:
    """Periods of care that ended, by end date ("ceased to be looked after").

    Reading: the period ends on the DEC of its last episode with any reason other than
    X1; an episode ended with X1 and no next episode (validator 388) is not a ceasing,
    and neither is the end of record of an open episode a later return omits.
    A DEC without a REC, with no next episode, is counted as ceasing (reason unknown).
    """
    return DatedIndex(
        (p.end, PeriodEvent(c, p)) for c in data.children for p in c.history.periods if p.ceased
    )


class MonthContext:
    """Everything the compute functions see for one month of one authority."""

    def __init__(self, data: LAData, dates: ReportingDates):
        self.data = data
        self.dates = dates
        self.month = dates.month
        self.as_of = dates.as_of
        self._memo: dict[str, Any] = {}

    def window(self, period: str) -> tuple[date, date]:
        return self.dates.window(period)

    def memo(self, key: str, build: Callable[[MonthContext], T]) -> T:
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    @property
    def cla(self) -> list[CLAEntry]:
        """Children looked after at E (short breaks excluded), in child order."""
        return self.memo("cla", _cla_at)

    def started(self, first: date, last: date) -> dict[int, PeriodEvent]:
        """Children starting a period of care between two dates: child pk → first start.

        DfE counts a child who starts twice in a period once, at the first occasion.
        """
        out: dict[int, PeriodEvent] = {}
        for ev in self.data.memo("period_starts", period_starts_index).between(first, last):
            out.setdefault(ev.child.pk, ev)
        return out

    def ceased(self, first: date, last: date) -> dict[int, PeriodEvent]:
        """Children whose period of care ended between two dates: child pk → last ending.

        DfE counts a child who ceases twice in a period once, at the last occasion.
        """
        out: dict[int, PeriodEvent] = {}
        for ev in self.data.memo("period_ends", period_ends_index).between(first, last):
            out[ev.child.pk] = ev
        return out


def care_periods_index(data: LAData) -> list[tuple[date, date | None, ChildTimeline, PeriodOut]]:
    """(start, end, child, period) of every period of care, in child order.

    A child's periods never overlap, so "the child's period open at E" is the one entry of
    that child open at E. Periods that ended before ``window_floor`` are left out: no month
    being computed can find them open.
    """
    floor = data.window_floor
    return [
        (period.start, period.end, child, period)
        for child in data.children
        for period in child.history.periods
        if floor is None or period.end is None or period.end >= floor
    ]


def _cla_at(ctx: MonthContext) -> list[CLAEntry]:
    e = ctx.as_of
    out: list[CLAEntry] = []
    for start, end, child, period in ctx.data.memo("care_periods", care_periods_index):
        if start <= e and (end is None or end > e):
            episode = period.episode_on(e)
            if episode is None:  # pragma: no cover - a period is its episodes
                continue
            out.append(CLAEntry(child, period, episode, period.placement_on(e)))
    return out


def child_rows_group(rows: Iterable[tuple], key_index: int = 0) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[key_index]].append(row)
    return grouped


def ssd_covered_drop(
    rows: Iterable[tuple],
    *,
    source_index: int,
    date_index: int,
    covered: tuple[date, date] | None = None,
) -> list[tuple]:
    """Drop 903 rows dated inside the range the authority's SSD rows of the table cover.

    ``ssd-extracts.md`` §4: for reviews and missing episodes "the SSD rows replace the 903
    rows for the dates the SSD file covers" (SSD carries cancellations and return
    interviews). Reading: the covered range is from the earliest to the latest date of the
    authority's SSD rows of that table (the union of the files imported so far, taken as
    one span); 903 rows dated in it are ignored, those outside it are kept. Rows from other
    sources (demo) are never dropped. When the importer has already removed the 903 rows,
    this changes nothing. ``covered`` gives that span when ``rows`` are only some of the
    authority's children (``la_data_load`` with ``child_ids``); ``None`` reads it from ``rows``.
    """
    rows = list(rows)
    if covered is None:
        ssd_dates = [r[date_index] for r in rows if r[source_index] == "ssd" and r[date_index]]
        if not ssd_dates:
            return rows
        covered = (min(ssd_dates), max(ssd_dates))
    first, last = covered
    return [
        r
        for r in rows
        if not (r[source_index] == "903" and r[date_index] and first <= r[date_index] <= last)
    ]


def assessment_factors(raw: Any) -> frozenset[str]:
    """Factor codes of a CIN assessment (``ssd-extracts.md`` §3.12), upper case.

    SSD sends an array ``["11A","13A"]`` (current) or an object ``{"11A": "Yes"}``
    (planned); in the object form a factor counts when its value is yes / true / 1.
    """
    if isinstance(raw, dict):
        return frozenset(
            str(k).strip().upper()
            for k, v in raw.items()
            if v is True or str(v).strip().lower() in ("yes", "y", "true", "1")
        )
    if isinstance(raw, list | tuple):
        return frozenset(str(x).strip().upper() for x in raw if str(x).strip())
    if isinstance(raw, str) and raw.strip():
        return frozenset(x.strip().strip('"').upper() for x in raw.strip("[]").split(",") if x)
    return frozenset()


@gc_paused()
def la_data_load(*, la, child_ids: Collection[int] | None = None) -> LAData:
    """Read every table the indicators need for one authority: one query per table.

    ``child_ids`` restricts the per-child tables to those children (the live worklists, the
    drill-down and the child page load a team's or one child's timelines this way, so they
    read records exactly as the indicators do). What the authority's rows decide as a whole
    stays authority-wide: the span SSD reviews and missing rows cover, whether exploitation
    risks were sent, the first 903 year. Staffing figures of a restricted load describe only
    those children.
    """
    from django.db.models import Max, Min

    from children.models import (
        CareLeaverObservation,
        Child,
        CINAssessment,
        CINEpisode,
        Episode,
        ExploitationRisk,
        MissingEpisode,
        OC3Outcome,
        PersonalEducationPlan,
        School,
        SchoolPlacement,
        SupervisionRecord,
        UASCRecord,
    )
    from health.models import HealthAssessment
    from imports.models import ImportBatch
    from organisations.models import (
        Allocation,
        AllocationRole,
        Population,
        StaffEstablishment,
        TeamMembership,
        Worker,
    )
    from placements.models import AdoptionRecord, PlacementDecision
    from reviews.models import Review, StatutoryVisit

    ids = None if child_ids is None else list(child_ids)

    def of_children(queryset):
        return queryset if ids is None else queryset.filter(child_id__in=ids)

    def ssd_span(model, field: str) -> tuple[date, date] | None:
        if ids is None:
            return None  # read from the rows, which are the authority's
        span = model.objects.filter(la=la, source="ssd", **{f"{field}__isnull": False}).aggregate(
            first=Min(field), last=Max(field)
        )
        return None if span["first"] is None else (span["first"], span["last"])

    episodes = child_rows_group(
        of_children(Episode.objects.filter(la=la))
        .order_by("child_id", "decom")
        .values_list(
            "child_id",
            "id",
            "decom",
            "dec",
            "rne",
            "ls",
            "place",
            "rec",
            "cin",
            "place_provider",
            "home_post",
            "pl_post",
            "urn",
            "pl_la",
            "pl_location",
            "pl_distance",
            "end_of_record",
        )  # fmt: skip
    )
    uasc = child_rows_group(
        of_children(UASCRecord.objects.filter(la=la)).values_list("child_id", "year", "duc")
    )
    reviews = child_rows_group(
        r
        for r in ssd_covered_drop(
            of_children(Review.objects.filter(la=la)).values_list(
                "child_id", "review_date", "cancelled", "source"
            ),
            source_index=3,
            date_index=1,
            covered=ssd_span(Review, "review_date"),
        )
        if r[1] is not None and not r[2]
    )
    missing = child_rows_group(
        ssd_covered_drop(
            of_children(MissingEpisode.objects.filter(la=la)).values_list(
                "child_id",
                "missing_type",
                "start_date",
                "end_date",
                "rhi_accepted",
                "rhi_completed_date",
                "source",
            ),
            source_index=6,
            date_index=2,
            covered=ssd_span(MissingEpisode, "start_date"),
        )
    )
    visits = child_rows_group(
        of_children(StatutoryVisit.objects.filter(la=la, seen=True)).values_list(
            "child_id", "visit_date"
        )
    )
    health = child_rows_group(
        of_children(HealthAssessment.objects.filter(la=la)).values_list(
            "child_id", "kind", "check_date", "status"
        )
    )
    peps = child_rows_group(
        of_children(PersonalEducationPlan.objects.filter(la=la)).values_list(
            "child_id", "pep_date", "status"
        )
    )
    schools = child_rows_group(
        of_children(SchoolPlacement.objects.filter(la=la)).values_list(
            "child_id", "start_date", "end_date", "school_urn"
        )
    )
    care_leaver = child_rows_group(
        of_children(CareLeaverObservation.objects.filter(la=la)).values_list(
            "child_id",
            "as_at",
            "eligibility",
            "in_touch",
            "accommodation",
            "accommodation_suitable",
            "activity",
            "pathway_plan_review_date",
        )
    )
    oc3 = child_rows_group(
        of_children(OC3Outcome.objects.filter(la=la)).values_list(
            "child_id", "year", "in_touch", "activity", "accommodation"
        )
    )
    supervisions = child_rows_group(
        of_children(SupervisionRecord.objects.filter(la=la)).values_list(
            "child_id", "supervision_date"
        )
    )
    risks = child_rows_group(
        of_children(ExploitationRisk.objects.filter(la=la)).values_list(
            "child_id", "risk_type", "level", "start_date", "end_date"
        )
    )
    assessments = child_rows_group(
        of_children(CINAssessment.objects.filter(la=la, authorised_date__isnull=False)).values_list(
            "child_id", "authorised_date", "factors", "referral_id"
        )
    )
    adoptions = child_rows_group(
        of_children(AdoptionRecord.objects.filter(la=la)).values_list(
            "child_id", "year", "date_int", "date_match", "foster_care"
        )
    )
    decisions = child_rows_group(
        of_children(PlacementDecision.objects.filter(la=la)).values_list(
            "child_id", "date_placed", "date_placed_ceased"
        )
    )
    allocations = child_rows_group(
        of_children(Allocation.objects.filter(la=la, role=AllocationRole.ALLOCATED_SW)).values_list(
            "child_id", "start_date", "end_date", "team__team_id"
        )
    )
    children: list[ChildTimeline] = []
    for pk, child_id, sex, dob, ethnicity, disability, death_date in (
        (Child.objects.filter(la=la) if ids is None else Child.objects.filter(la=la, id__in=ids))
        .order_by("id")
        .values_list("id", "child_id", "sex", "dob", "ethnicity", "disability", "death_date")
    ):
        children.append(
            child_timeline_build(
                pk=pk,
                child_id=child_id,
                sex=sex,
                dob=dob,
                ethnicity=ethnicity,
                disability=disability,
                episodes=[
                    EpisodeIn(
                        key=r[1],
                        decom=r[2],
                        dec=r[3],
                        rne=r[4],
                        ls=r[5],
                        place=r[6],
                        rec=r[7],
                        cin=r[8],
                        place_provider=r[9],
                        home_post=r[10],
                        pl_post=r[11],
                        urn=r[12],
                        pl_la=r[13],
                        pl_location=r[14],
                        pl_distance=r[15],
                        end_of_record=r[16],
                    )  # fmt: skip
                    for r in episodes.get(pk, ())
                ],
                uasc_rows=[(r[1], r[2]) for r in uasc.get(pk, ())],
                reviews=[r[1] for r in reviews.get(pk, ())],
                missing=[
                    MissingIn(r[1], r[2], r[3], r[4] or "", r[5]) for r in missing.get(pk, ())
                ],
                adoptions=[AdoptionIn(r[1], r[2], r[3], r[4]) for r in adoptions.get(pk, ())],
                decisions=[DecisionIn(r[1], r[2]) for r in decisions.get(pk, ())],
                allocations=[(r[1], r[2], r[3] or "") for r in allocations.get(pk, ())],
                death_date=death_date,
                visits=[r[1] for r in visits.get(pk, ())],
                health=[HealthIn(r[1], r[2], r[3] or "") for r in health.get(pk, ())],
                peps=[PepRecord(pep_date=r[1], status=r[2] or "") for r in peps.get(pk, ())],
                schools=[SchoolIn(r[1], r[2], r[3] or "") for r in schools.get(pk, ())],
                care_leaver=[
                    CareLeaverIn(
                        r[1], r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6] or "", r[7]
                    )
                    for r in care_leaver.get(pk, ())
                ],
                oc3=[OC3In(r[1], r[2] or "", r[3] or "", r[4] or "") for r in oc3.get(pk, ())],
                supervisions=[r[1] for r in supervisions.get(pk, ())],
                risks=[RiskIn(r[1], r[2] or "", r[3], r[4]) for r in risks.get(pk, ())],
                assessments=[
                    AssessmentIn(r[1], assessment_factors(r[2]), r[3] or "")
                    for r in assessments.get(pk, ())
                ],
            )
        )
    school_ratings = dict(
        School.objects.filter(
            urn__in=SchoolPlacement.objects.filter(la=la).values("school_urn")
        ).values_list("urn", "ofsted_rating")
    )
    memberships = child_rows_group(
        TeamMembership.objects.filter(la=la).values_list(
            "worker_id", "start_date", "end_date", "role", "team__team_id"
        )
    )
    workers = [
        WorkerIn(
            pk=pk,
            fte=fte,
            role=role or "",
            memberships=tuple(
                sorted((r[1], r[2], r[3], r[4] or "") for r in memberships.get(pk, ()))
            ),
        )
        for pk, fte, role in Worker.objects.filter(la=la)
        .order_by("id")
        .values_list("id", "fte", "role")
    ]
    populations = dict(Population.objects.filter(la=la).values_list("year", "population_0_17"))
    batch_ids = list(
        ImportBatch.objects.filter(la=la, status=ImportBatch.Status.DONE, dry_run=False)
        .order_by("id")
        .values_list("id", flat=True)
    )
    first_year = (
        Episode.objects.filter(la=la, source="903", collection_year__isnull=False)
        .order_by("collection_year")
        .values_list("collection_year", flat=True)
        .first()
    )
    return LAData(
        la_id=la.pk,
        la_code=la.code,
        children=children,
        populations=populations,
        batch_ids=batch_ids,
        reviews_known_from=date(first_year - 1, 4, 1) if first_year else None,
        visit_standard=getattr(la, "visit_standard", "") or "statutory",
        school_ratings=school_ratings,
        cin_closures=dict(
            CINEpisode.objects.filter(la=la).values_list("referral_id", "close_date")
        ),
        exploitation_risks_sent=(
            any(c.risks for c in children)
            if ids is None
            else ExploitationRisk.objects.filter(la=la).exists()
        ),
        workers=workers,
        establishments=list(
            StaffEstablishment.objects.filter(la=la).values_list("role", "as_at_date", "fte_posts")
        ),
        worker_allocations=list(
            of_children(Allocation.objects.filter(la=la, worker__isnull=False)).values_list(
                "worker_id", "child_id", "start_date", "end_date"
            )
        ),
    )
