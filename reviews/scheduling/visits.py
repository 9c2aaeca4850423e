"""Statutory visits (Care Planning, Placement and Case Review Regulations 2010, reg. 28).

The rule is ``indicators.md`` §3 "Visits (reg. 28)"; this module is its only implementation,
used both by the monthly indicators and by the live worklists.

Readings chosen where the catalogue leaves room (also stated on the functions):

- **Meeting a due date.** The schedule always has one pending due date, counted from an
  anchor (the placement start, a seen visit or a missed due date). It is met, once and on
  time, by the seen visits after the anchor up to and including it, and the next due date
  runs from the **latest** of them (the catalogue's example: visits on 3 and 7 February before
  a due date of 11 February meet it once, and the next visit is due 6 weeks after 7 February,
  on 21 March, not also on 17 March). ``met_date`` is the first of them, the day the due
  date was met. "Extra visits between due dates create no due dates of their own": two
  visits in a week add nothing to the denominator or the numerator. A visit made after the
  pending due date meets it late, together with every due date chained from it (below) that
  fell before the visit's day, and on time one that falls on the visit's day; a chained due
  date after the visit's day is dropped, never counted (worked example: V3 meets 2 April
  late, and the next visit is due 42 days after V3, nothing being due on 14 May). Then the
  schedule restarts from the late visit, the next due date being met as above. Several seen
  visits on one day count as one.
- **Missed due dates chain.** A due date passed with no visit stays unmet, and the next falls
  due one interval after it, the interval being judged on that due date.
- **Interval.** 6 weeks (42 days) while the day it is counted from (the visit, or the missed
  due date) is in the first year of the placement: up to and including the day the placement
  has lasted 12 months, both days counted (``indicators.md`` §1 "Durations",
  ``durations.lasted_months_from``). So a placement from 10 January 2022 is in its first year
  to 9 January 2023 and a visit on 10 January 2023 gives 3 months; one from 29 February 2024
  is in its first year to 28 February 2025 (366 days), 1 March being the first day after it.
  After the first year:
  3 calendar months if the placement on that day is long-term foster care (PLACE U1 or U4),
  else 6 weeks. The local "six_weekly" standard uses 6 weeks for every child after the
  first visit; the first visit stays due 7 days after the placement starts (a local standard
  may only be stricter than the statutory one).
- **Placements.** One schedule per placement as ``indicators.md`` §1 defines it: the caller
  merges episodes first (a change of carer, RNE P or B, starts a placement; L, T and U
  episodes continue it; temporary placements T0–T4 and the return from them are bridged).
  The placement type may change inside a placement (U6, then a T episode to U4): pass the
  codes with their start dates in ``places``. A temporary code (T0–T4) listed there does not
  replace the usual placement's code: on such a day the usual placement still counts.
- **Placement ends.** A placement is open on D when ``start <= D < end`` (§1 "looked after at
  D"): a visit on the end date belongs to the next placement (which starts that day), and a
  due date on or after the end date lapses, met or not. Unmet due dates before the end stay
  missed. When placements overlap, the later-starting one ends the earlier one from its
  start (§1); with equal starts the one listed last wins.
- **As of.** Only visits and placement ends dated on or before ``as_of`` exist (§1: "a visit
  on E+1 does not make a visit due before E on time"). A placement end after ``as_of`` is
  not known yet, so the placement is open as of then.

The schedule is causal: due dates on or before a date E depend only on placements and visits
up to E. So a computation as of a later date L, read with ``met_date`` after E treated as
unmet, gives exactly the due dates up to E of a computation as of E (tested). A bulk engine
can compute once per child and read every month end from it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from reviews.scheduling.dates import add_months
from reviews.scheduling.durations import lasted_months_from

#: Days from the start of a placement to the first visit's due date (reg. 28(2)(a): within
#: one week of the start of the placement).
FIRST_VISIT_DAYS = 7
#: The 6-week interval in days.
SIX_WEEKS_DAYS = 42
#: Interval for long-term foster care after the placement's first year, in calendar months.
LONG_TERM_INTERVAL_MONTHS = 3
#: Months in a placement's first year (the anniversary is ``start`` + 12 calendar months).
FIRST_YEAR_MONTHS = 12
#: Long-term foster care placements (PLACE U1 connected carer, U4 other foster carer).
LONG_TERM_FOSTER_CODES = frozenset({"U1", "U4"})
#: Temporary placements, bridged: never a placement of their own (``ssda903.md`` §3.6).
TEMPORARY_PLACEMENT_CODES = frozenset({"T0", "T1", "T2", "T3", "T4"})


class VisitStandard(StrEnum):
    """Which visiting standard an authority applies (a setting; statutory by default)."""

    STATUTORY = "statutory"
    SIX_WEEKLY = "six_weekly"


class VisitRule(StrEnum):
    """The interval that produced a due date."""

    FIRST_WEEK = "first_week"
    SIX_WEEKS_FIRST_YEAR = "six_weeks_first_year"
    THREE_MONTHS_LONG_TERM = "three_months_long_term"
    SIX_WEEKS = "six_weeks"
    SIX_WEEKS_LOCAL_STANDARD = "six_weeks_local_standard"


class CountedFrom(StrEnum):
    """What a due date was counted from."""

    PLACEMENT_START = "placement_start"
    VISIT = "visit"
    MISSED_DUE_DATE = "missed_due_date"


@dataclass(frozen=True, slots=True)
class PlacementSpan:
    """One placement (``indicators.md`` §1 "Placement"), already merged by the caller.

    ``end`` is the date the child left it (the next placement's start, or the end of the
    period of care), ``None`` while open. ``places`` lists ``(from_date, PLACE code)`` in any
    order: the code in force on a day is the latest one from on or before it (before the
    first listed date, the first code); temporary codes T0–T4 do not replace the usual code.
    """

    start: date
    end: date | None
    places: tuple[tuple[date, str], ...]
    #: The first day after the placement's first year (§1 "Durations"): days before it are in
    #: the first year.
    first_anniversary: date = field(init=False, repr=False, compare=False)
    #: ``places``' dates, and the code in force from each one on (``place_on`` bisects them).
    _place_dates: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _codes_in_force: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.places:
            raise ValueError("a placement needs at least one (from_date, place code)")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"placement ends {self.end} before it starts {self.start}")
        places = tuple(sorted(self.places, key=lambda p: p[0]))
        object.__setattr__(self, "places", places)
        last_of_first_year = lasted_months_from(start=self.start, months=FIRST_YEAR_MONTHS)
        object.__setattr__(self, "first_anniversary", last_of_first_year + timedelta(days=1))
        # The answer of place_on for a day from each listed date until the next one: the
        # latest usual code so far, else (only temporary codes so far) the latest code.
        in_force: list[str] = []
        usual: str | None = None
        for _, code in places:
            if code not in TEMPORARY_PLACEMENT_CODES:
                usual = code
            in_force.append(usual if usual is not None else code)
        object.__setattr__(self, "_place_dates", tuple(p[0] for p in places))
        object.__setattr__(self, "_codes_in_force", tuple(in_force))

    def place_on(self, day: date) -> str:
        """The PLACE code in force on ``day`` (the usual placement's during a temporary one)."""
        index = bisect_right(self._place_dates, day)
        return self._codes_in_force[index - 1] if index else self.places[0][1]


@dataclass(frozen=True, slots=True)
class VisitDue:
    """One due statutory visit.

    ``met_date`` is the seen visit that met it (``None``: not met as of the computation);
    ``on_time`` is true when it was met on or before ``due_date``. ``counted_from`` is the
    placement start, visit or missed due date the interval ``rule`` was counted from.
    """

    due_date: date
    placement_start: date
    rule: VisitRule
    counted_from: date
    counted_from_kind: CountedFrom
    met_date: date | None
    on_time: bool


def visit_interval_rule(
    *, placement: PlacementSpan, day: date, standard: VisitStandard = VisitStandard.STATUTORY
) -> VisitRule:
    """The interval that applies after a visit (or missed due date) on ``day`` (reg. 28).

    6 weeks in the placement's first year (up to the day it has lasted 12 months, both days
    counted), then 3 months if the placement on ``day`` is long-term foster care (U1/U4), else
    6 weeks; the local six-weekly standard always gives 6 weeks.
    """
    if standard == VisitStandard.SIX_WEEKLY:
        return VisitRule.SIX_WEEKS_LOCAL_STANDARD
    if day < placement.first_anniversary:
        return VisitRule.SIX_WEEKS_FIRST_YEAR
    if placement.place_on(day) in LONG_TERM_FOSTER_CODES:
        return VisitRule.THREE_MONTHS_LONG_TERM
    return VisitRule.SIX_WEEKS


def _due_after(day: date, rule: VisitRule) -> date:
    if rule == VisitRule.THREE_MONTHS_LONG_TERM:
        return add_months(d=day, n=LONG_TERM_INTERVAL_MONTHS)
    return day + timedelta(days=SIX_WEEKS_DAYS)


def _placement_dues(
    *,
    placement: PlacementSpan,
    end: date | None,
    visits: Sequence[date],
    standard: VisitStandard,
    horizon: date,
) -> list[VisitDue]:
    """Due visits of one placement open on ``[placement.start, end)``; ``visits`` sorted, in it."""
    out: list[VisitDue] = []
    due = placement.start + timedelta(days=FIRST_VISIT_DAYS)
    rule = VisitRule.FIRST_WEEK
    counted_from = placement.start
    kind = CountedFrom.PLACEMENT_START

    def add(met: date | None, on_time: bool) -> None:
        out.append(
            VisitDue(
                due_date=due,
                placement_start=placement.start,
                rule=rule,
                counted_from=counted_from,
                counted_from_kind=kind,
                met_date=met,
                on_time=on_time,
            )
        )

    def kept() -> bool:
        # A due date on or after the end of the placement lapses, met or not; one beyond the
        # horizon is not listed.
        return due <= horizon and (end is None or due < end)

    i = 0
    while i < len(visits):
        visit = visits[i]
        if visit <= due:
            # Every seen visit from here up to and including the due date meets it, once, on
            # time; the next due date runs from the latest of them.
            last = bisect_right(visits, due, lo=i)
            if kept():
                add(visit, True)
            anchor = visits[last - 1]
            i = last
        else:
            # Every due date that passed before this visit: missed, met late by it. Each one's
            # successor is counted from it, with the interval judged on that due date.
            while due < visit:
                add(visit, False)
                rule = visit_interval_rule(placement=placement, day=due, standard=standard)
                counted_from, kind = due, CountedFrom.MISSED_DUE_DATE
                due = _due_after(due, rule)
            # A chained due date on the visit's own day is met on time; one after it is
            # dropped, never counted: the late visit restarts the schedule.
            if due == visit and kept():
                add(visit, True)
            anchor = visit
            i += 1
        rule = visit_interval_rule(placement=placement, day=anchor, standard=standard)
        counted_from, kind = anchor, CountedFrom.VISIT
        due = _due_after(anchor, rule)
    while kept():
        add(None, False)
        rule = visit_interval_rule(placement=placement, day=due, standard=standard)
        counted_from, kind = due, CountedFrom.MISSED_DUE_DATE
        due = _due_after(due, rule)
    return out


def visit_schedule(
    *,
    placements: Iterable[PlacementSpan],
    seen_visit_dates: Iterable[date],
    as_of: date,
    standard: VisitStandard | str = VisitStandard.STATUTORY,
    horizon: date | None = None,
) -> list[VisitDue]:
    """Every statutory visit due to one child, as known on ``as_of`` (reg. 28).

    ``placements``: the child's placements, merged per ``indicators.md`` §1 (any order).
    ``seen_visit_dates``: dates of visits at which the child was seen (unseen visits never
    count, so callers leave them out). ``horizon`` (default ``as_of``): also list the due dates
    after ``as_of`` up to and including it — the next due date and, if that passes unvisited,
    the chained ones — for "due in the next 7/14 days" lists; visits after ``as_of`` are still
    ignored, so those are unmet unless a visit on or before ``as_of`` met one early.

    Returns due visits ordered by placement then due date, each due date on or before the
    horizon and inside its placement. See the module docstring for the rule and its readings.
    """
    standard = VisitStandard(standard)
    horizon = as_of if horizon is None else horizon
    if horizon < as_of:
        raise ValueError(f"horizon {horizon} is before as_of {as_of}")
    visits = sorted({v for v in seen_visit_dates if v <= as_of})
    spans = sorted((p for p in placements if p.start <= as_of), key=lambda p: p.start)
    dues: list[VisitDue] = []
    for index, placement in enumerate(spans):
        end = placement.end if placement.end is not None and placement.end <= as_of else None
        if index + 1 < len(spans):
            following = spans[index + 1].start
            end = following if end is None else min(end, following)
        if end is not None and end <= placement.start:
            continue
        first = bisect_left(visits, placement.start)
        last = len(visits) if end is None else bisect_left(visits, end)
        dues.extend(
            _placement_dues(
                placement=placement,
                end=end,
                visits=visits[first:last],
                standard=standard,
                horizon=horizon,
            )
        )
    return dues
