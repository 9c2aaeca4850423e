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

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from children.care_history import (
    CareHistory,
    EffectiveEpisode,
    EpisodeIn,
    PeriodOut,
    PlacementOut,
    care_history_build,
)
from scorecards.periods import ReportingDates

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MissingIn:
    kind: str  # M missing, A away without authorisation
    start: date
    end: date | None


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
    extra: dict[str, Any] = field(default_factory=dict)

    def team_on(self, d: date) -> str:
        """Team id of the allocated social worker on ``d`` ("unallocated" when none).

        An allocation is open on D when it started on or before D and has no end or ends
        after D; with several open, the latest start wins (``indicators.md`` §3).
        """
        team = "unallocated"
        for start, end, team_id in self.allocations:  # sorted by start
            if start > d:
                break
            if end is None or end > d:
                team = team_id or "unallocated"
        return team

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
) -> ChildTimeline:
    """Build a child's timeline from plain values (the loader and the tests both use this)."""
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
    )


@dataclass(eq=False)
class LAData:
    """One authority's records, as timelines, plus its reference data."""

    la_id: int
    la_code: str
    children: list[ChildTimeline]
    populations: dict[int, int] = field(default_factory=dict)
    batch_ids: list[int] = field(default_factory=list)
    reviews_known_from: date | None = None
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
    X1; an episode ended with X1 and no next episode (validator 388) is not a ceasing.
    A DEC without a REC, with no next episode, is counted as ceasing (reason unknown).
    """
    return DatedIndex(
        (p.end, PeriodEvent(c, p))
        for c in data.children
        for p in c.history.periods
        if p.end is not None and p.reason_ceased != "X1"
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


def _cla_at(ctx: MonthContext) -> list[CLAEntry]:
    e = ctx.as_of
    out: list[CLAEntry] = []
    for child in ctx.data.children:
        for period in child.history.periods:
            if period.start <= e and (period.end is None or period.end > e):
                episode = period.episode_on(e)
                if episode is None:  # pragma: no cover - a period is its episodes
                    break
                out.append(CLAEntry(child, period, episode, period.placement_on(e)))
                break
    return out


def child_rows_group(rows: Iterable[tuple], key_index: int = 0) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[key_index]].append(row)
    return grouped


def la_data_load(*, la) -> LAData:
    """Read every table the indicators need for one authority: one query per table."""
    from children.models import Child, Episode, MissingEpisode, UASCRecord
    from imports.models import ImportBatch
    from organisations.models import Allocation, AllocationRole, Population
    from placements.models import AdoptionRecord, PlacementDecision
    from reviews.models import Review

    episodes = child_rows_group(
        Episode.objects.filter(la=la)
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
        )  # fmt: skip
    )
    uasc = child_rows_group(UASCRecord.objects.filter(la=la).values_list("child_id", "year", "duc"))
    reviews = child_rows_group(
        Review.objects.filter(la=la, cancelled=False, review_date__isnull=False).values_list(
            "child_id", "review_date"
        )
    )
    missing = child_rows_group(
        MissingEpisode.objects.filter(la=la).values_list(
            "child_id", "missing_type", "start_date", "end_date"
        )
    )
    adoptions = child_rows_group(
        AdoptionRecord.objects.filter(la=la).values_list(
            "child_id", "year", "date_int", "date_match", "foster_care"
        )
    )
    decisions = child_rows_group(
        PlacementDecision.objects.filter(la=la).values_list(
            "child_id", "date_placed", "date_placed_ceased"
        )
    )
    allocations = child_rows_group(
        Allocation.objects.filter(la=la, role=AllocationRole.ALLOCATED_SW).values_list(
            "child_id", "start_date", "end_date", "team__team_id"
        )
    )
    children: list[ChildTimeline] = []
    for pk, child_id, sex, dob, ethnicity, disability in (
        Child.objects.filter(la=la)
        .order_by("id")
        .values_list("id", "child_id", "sex", "dob", "ethnicity", "disability")
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
                    )  # fmt: skip
                    for r in episodes.get(pk, ())
                ],
                uasc_rows=[(r[1], r[2]) for r in uasc.get(pk, ())],
                reviews=[r[1] for r in reviews.get(pk, ())],
                missing=[MissingIn(r[1], r[2], r[3]) for r in missing.get(pk, ())],
                adoptions=[AdoptionIn(r[1], r[2], r[3], r[4]) for r in adoptions.get(pk, ())],
                decisions=[DecisionIn(r[1], r[2]) for r in decisions.get(pk, ())],
                allocations=[(r[1], r[2], r[3] or "") for r in allocations.get(pk, ())],
            )
        )
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
    )
