"""Service standards: looked-after reviews (reg. 33), statutory visits (reg. 28), supervision.

Due dates come from ``reviews.scheduling``, the one implementation the worklists use too,
so a list of late reviews and this figure always agree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reviews.scheduling import (
    CarePeriod,
    PlacementSpan,
    VisitStandard,
    review_schedule,
    visit_schedule,
)
from scorecards.cells import breakdown_cell, count_cell, fraction_cell
from scorecards.engine import ChildTimeline, DatedIndex, LAData, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_COUNT,
    UNIT_COUNTS,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E, PERIOD_MONTH, PERIOD_YTD

SECTION = section_register(
    Section(
        key="service_standards",
        title="Service standards",
        order=40,
        notes=(
            "A child's first review is due within 20 working days of coming into care, the "
            "second within 3 months of the first and each later one within 6 months of the "
            "one before. A review is on time when held on or before its due date; after a late "
            "review the next is due from the day it was actually held.",
            "'% of reviews held on time' counts the reviews held in the month (or year to "
            "date) plus the reviews that fell due and had not been held by the month end. "
            "'Late reviews' are those not held on time: in the month, and cumulative for the "
            "year.",
            "Reviews held before the data begin (before 1 April of the first SSDA903 year "
            "loaded) are not known: for a child who came into care before then, the first "
            "review in the data is not counted and the next is due 6 months after it.",
            "The 'children to be visited' are the children due a statutory visit in the "
            "reporting month; those 'not seen in timescale' were due a visit in the month but "
            "were not seen by the due date. Only visits where the child was seen count.",
            "Visits are due within a week of a new placement, then every 6 weeks in the first "
            "year, then every 3 months in long-term foster care and every 6 weeks elsewhere, "
            "counted from the latest visit made by the due date: seeing a child twice before "
            "one due date meets it once.",
        ),
    )
)

FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    child_pk: int
    due: date
    held: date | None
    on_time: bool
    team: str


def review_items_build(data: LAData) -> tuple[DatedIndex[ReviewItem], DatedIndex[ReviewItem]]:
    """Every review of every period of care, indexed by held date and by due date.

    The schedule is causal (a due date on or before E depends only on what happened up
    to E), so it is computed once per period from all the data and read as of each
    month end: a review held after E is "not held by E".
    """
    items: list[ReviewItem] = []
    floor = data.window_floor
    for child in data.children:
        if not child.history.periods:
            continue
        for period in child.history.periods:
            if floor is not None and period.end is not None and period.end < floor:
                continue  # every review of it was due or held before any window
            schedule = review_schedule(
                period=CarePeriod(
                    start=period.start, end=period.end, starts_with_s=period.starts_with_s
                ),
                held_review_dates=child.reviews,
                as_of=FAR_FUTURE,
                reviews_known_from=data.reviews_known_from,
            )
            for due in schedule:
                items.append(
                    ReviewItem(
                        child.pk,
                        due.due_date,
                        due.held_date,
                        due.on_time,
                        child.team_on(due.due_date),
                    )
                )
    by_held = DatedIndex((it.held, it) for it in items if it.held is not None)
    by_due = DatedIndex((it.due, it) for it in items)
    return by_held, by_due


def reviews_counted(ctx: MonthContext, period: str) -> list[ReviewItem]:
    """The reviews reviews_on_time counts for one period: its denominator, item by item.

    Reviews held in the period, then reviews due in it and not held by E; the numerator is
    those ``on_time`` (a review held after E is never on time at E). The drill-down lists
    exactly these.
    """
    by_held, by_due = ctx.data.memo("review_items", review_items_build)
    first, e = ctx.window(period)
    not_held = [it for it in by_due.between(first, e) if it.held is None or it.held > e]
    return [*by_held.between(first, e), *not_held]


def reviews_fraction(ctx: MonthContext, period: str) -> tuple[int, int, dict[str, list[int]]]:
    """(on time, counted, by team) of reviews_on_time for one period of one month."""

    def build(c: MonthContext) -> tuple[int, int, dict[str, list[int]]]:
        teams: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        n = d = 0
        for item in reviews_counted(c, period):
            d += 1
            teams[item.team][1] += 1
            if item.on_time:
                n += 1
                teams[item.team][0] += 1
        return n, d, {k: teams[k] for k in sorted(teams)}

    return ctx.memo(f"reviews_fraction:{period}", build)


def _reviews_on_time(ctx: MonthContext) -> Cells:
    out: Cells = {}
    for p in (PERIOD_MONTH, PERIOD_YTD):
        n, d, teams = reviews_fraction(ctx, p)
        out[p] = fraction_cell(n, d, by_team=teams)
    return out


def _reviews_late(ctx: MonthContext) -> Cells:
    out: Cells = {}
    for p in (PERIOD_MONTH, PERIOD_YTD):
        n, d, _ = reviews_fraction(ctx, p)
        out[p] = count_cell(d - n)
    return out


_REVIEW_READINGS = (
    "Due dates from reviews.scheduling: every held review meets the review pending when it "
    "is held and the next is counted from it; two reviews on one day count as one; a "
    "review held on the day care ends belongs to that period; the pending review lapses "
    "when care ends on or before its due date.",
    "A review held after its due date counts in the month it fell due (as not held) and "
    "again in the month it is held (as late); year to date it counts once.",
    "A review due on the month end and not held that day counts as not held by E.",
    "Reviews held before the data begin are unknown (indicators.md §3 Reviews). A period of "
    "care that began before the data — its first episode is not S, or it started before "
    "1 April of the earliest SSDA903 collection year loaded, whose Reviews table cannot hold "
    "earlier reviews — is scheduled from its first held review in the data, which is not "
    "counted itself (its due date cannot be known), the next being due 6 months later. With "
    "no held review in the data, nothing is due for it.",
    "by_team: team of the allocated social worker on the review's due date.",
)

# --- statutory visits (reg. 28) ----------------------------------------------------------

#: ``visits_seen_6_weeks``: seen on or after E − 42 days.
SEEN_WINDOW_DAYS = 42


@dataclass(frozen=True, slots=True)
class VisitItem:
    """One due statutory visit of one child, as the scheduling module computed it."""

    child_pk: int
    due: date
    met: date | None
    on_time: bool
    team: str


def visit_placements(child: ChildTimeline) -> list[PlacementSpan]:
    """The child's placements (``children.care_history``) as the visit schedule takes them.

    Each placement of each period of care, with the PLACE code of each of its episodes from
    the episode's start (the schedule keeps the usual code through a temporary stay and
    reads U1/U4 on the day). A stay made only of temporary episodes (a period that starts
    in hospital, say) is not a placement for the stability figures, but the child is looked
    after and must be visited, so it has a schedule of its own; moving on from it to a usual
    placement starts the first placement, and a new schedule, whatever the RNE.
    """
    return [
        PlacementSpan(
            start=placement.start,
            end=placement.end,
            places=tuple((eff.start, eff.episode.place) for eff in placement.episodes),
        )
        for period in child.history.periods
        for placement in period.placements
    ]


def visit_items_build(data: LAData, horizon: date) -> DatedIndex[VisitItem]:
    """Every due visit of every child up to ``horizon``, indexed by due date.

    The schedule is causal (due dates up to E depend only on placements and visits up to E,
    ``reviews.scheduling.visits``), so it is computed once per child as of ``horizon`` (the
    latest as-of date of any month, i.e. today) and read as of each month end: a visit after
    E has not happened at E, so a due date it met is "not met" then. Periods of care exclude
    short breaks, and a due date on or after the end of its placement lapses, so every due
    date listed is one on which the child was looked after.
    """
    standard = VisitStandard(data.visit_standard or VisitStandard.STATUTORY)
    floor = data.window_floor
    items: list[tuple[date, VisitItem]] = []
    for child in data.children:
        if not child.history.periods:
            continue
        spans = visit_placements(child)
        if floor is not None:
            # A placement that ended before any window has no due date in one, and each
            # placement's schedule is its own (it ends at the next one's start at the latest).
            spans = [p for p in spans if p.end is None or p.end >= floor]
        for due in visit_schedule(
            placements=spans,
            seen_visit_dates=child.visits,
            as_of=horizon,
            standard=standard,
        ):
            item = VisitItem(
                child.pk, due.due_date, due.met_date, due.on_time, child.team_on(due.due_date)
            )
            items.append((due.due_date, item))
    return DatedIndex(items)


def visit_items(ctx: MonthContext) -> DatedIndex[VisitItem]:
    """The authority's due visits, computed once per recompute (see ``visit_items_build``)."""
    horizon = max(ctx.as_of, date.today())
    return ctx.data.memo(
        f"visit_items:{horizon.isoformat()}", lambda data: visit_items_build(data, horizon)
    )


def visits_fraction(ctx: MonthContext, period: str) -> tuple[int, int, dict[str, list[int]]]:
    """(on time, due, by team) of visits_on_time for one period of one month."""

    def build(c: MonthContext) -> tuple[int, int, dict[str, list[int]]]:
        first, e = c.window(period)
        teams: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        n = d = 0
        for item in visit_items(c).between(first, e):
            d += 1
            teams[item.team][1] += 1
            if item.on_time:  # met on or before its due date, itself on or before E
                n += 1
                teams[item.team][0] += 1
        return n, d, {k: teams[k] for k in sorted(teams)}

    return ctx.memo(f"visits_fraction:{period}", build)


def _visits_on_time(ctx: MonthContext) -> Cells:
    out: Cells = {}
    for p in (PERIOD_MONTH, PERIOD_YTD):
        n, d, teams = visits_fraction(ctx, p)
        out[p] = fraction_cell(n, d, by_team=teams)
    return out


def _visits_due(ctx: MonthContext) -> Cells:
    due: set[int] = set()
    late: set[int] = set()
    for item in visit_items(ctx).between(*ctx.window(PERIOD_MONTH)):
        due.add(item.child_pk)
        if not item.on_time:
            late.add(item.child_pk)
    return {
        PERIOD_MONTH: breakdown_cell(
            {"due": len(due), "not_seen_in_timescale": len(late)},
            ("due", "not_seen_in_timescale"),
        )
    }


def seen_between(visits: list[date], first: date, last: date) -> bool:
    """True when a sorted list of seen-visit dates has one from ``first`` to ``last``."""
    return bisect_right(visits, last) > bisect_left(visits, first)


def _visits_seen_6_weeks(ctx: MonthContext) -> Cells:
    e = ctx.as_of
    first = e - timedelta(days=SEEN_WINDOW_DAYS)
    n = sum(1 for entry in ctx.cla if seen_between(entry.child.visits, first, e))
    return {PERIOD_AT_E: fraction_cell(n, len(ctx.cla))}


def _supervision_in_month(ctx: MonthContext) -> Cells:
    first, e = ctx.window(PERIOD_MONTH)
    n = sum(1 for entry in ctx.cla if seen_between(entry.child.supervisions, first, e))
    return {PERIOD_MONTH: fraction_cell(n, len(ctx.cla))}


_VISIT_READINGS = (
    "Due dates from reviews.scheduling (visit_schedule), one schedule per placement of "
    "children.care_history: a change of carer starts a new schedule, temporary stays are "
    "bridged, the interval is judged on the visit or missed due date, calendar due dates are "
    "never moved off weekends or bank holidays. A period that starts on a temporary "
    "placement (in hospital) has a schedule for that stay, and moving on to the first usual "
    "placement starts a new one (first visit due within 7 days), whatever the RNE.",
    "A due date counts in the period it falls in; it is on time when a seen visit met it on "
    "or before it (a visit after E has not happened at E). The seen visits made after the "
    "previous visit or due date, up to and including a due date, meet it once, on time, in "
    "the month it was due, and the next is due one interval after the latest of them: "
    "visits on 3 and 7 February before a due date of 11 February meet it once and the next "
    "is due on 21 March (7 February + 6 weeks). Extra visits between due dates add no due "
    "dates, so visiting twice in a week neither adds to nor dilutes the figure.",
    "A due date passed with no visit stays missed and the next falls due one interval after "
    "it (judged on that due date); a late visit meets every missed one before its day and "
    "the schedule restarts from it.",
    "A due date on or after the day the placement (or care) ended lapses, so every due date "
    "counted is one on which the child was looked after; short breaks have no visits due.",
    "by_team: team of the allocated social worker (ALLOCATED_SW allocation open on the due "
    "date, latest start wins; open on D = started on or before D and no end or end after D); "
    "'unallocated' when none.",
    "The authority's visit standard (statutory by default, or every 6 weeks for every child) "
    "is the setting LocalAuthority.visit_standard.",
)

indicator_register(
    Indicator(
        id="reviews_on_time",
        title="% of reviews of children in care held on time",
        section="service_standards",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        default_target=Decimal("98"),
        target_text="above 98%",
        definition=(
            "Reviews held in the period on or before their due date, out of the reviews held "
            "in the period plus the reviews that fell due in the period and were not held by "
            "the month end (reg. 33 timescales)."
        ),
        compute=_reviews_on_time,
        source="seed 000, seed 003",
        readings=_REVIEW_READINGS,
    )
)
indicator_register(
    Indicator(
        id="reviews_late",
        title="Late reviews (this month / cumulative)",
        section="service_standards",
        unit=UNIT_COUNT,
        polarity=LOWER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        definition=(
            "Reviews counted in '% of reviews held on time' that were not on time: held late, "
            "or due and not held by the month end."
        ),
        compute=_reviews_late,
        source="seed 003",
        readings=_REVIEW_READINGS,
    )
)
indicator_register(
    Indicator(
        id="visits_on_time",
        title="% of statutory visits carried out on time",
        section="service_standards",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_MONTH, PERIOD_YTD),
        default_target=Decimal("98"),
        target_text="above 98%",
        definition=(
            "Visits that fell due in the period for children looked after on the due date, "
            "and of those the ones met by a visit where the child was seen on or before the "
            "due date (reg. 28 timescales)."
        ),
        compute=_visits_on_time,
        source="seed 000",
        readings=_VISIT_READINGS,
    )
)
indicator_register(
    Indicator(
        id="visits_due",
        title="Children to be visited / not seen in timescale",
        section="service_standards",
        unit=UNIT_COUNTS,
        polarity=None,
        periods=(PERIOD_MONTH,),
        definition=(
            "Distinct children with a visit due in the month, and of those the children with "
            "a due date in the month not met on time."
        ),
        breakdown_labels={
            "due": "Children to be visited",
            "not_seen_in_timescale": "Not seen in timescale",
        },
        compute=_visits_due,
        source="seed 003",
        readings=(
            "Children with at least one visit due in the month; 'not seen in timescale' are "
            "those with at least one due date in the month not met on or before it.",
            *_VISIT_READINGS,
        ),
    )
)
indicator_register(
    Indicator(
        id="visits_seen_6_weeks",
        title="% seen within the last 6 weeks",
        section="service_standards",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end seen on a visit on or after the month end "
            "minus 42 days, as a percentage of all children in care."
        ),
        compute=_visits_seen_6_weeks,
        source="seed 004",
        readings=(
            "Any statutory visit at which the child was seen counts, from E − 42 days to E "
            "inclusive, whichever placement it was in.",
        ),
    )
)
indicator_register(
    Indicator(
        id="supervision_in_month",
        title="% with management supervision in the month",
        section="service_standards",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_MONTH,),
        definition=(
            "Children in care at the month end whose case had a recorded management "
            "supervision in the month, as a percentage of all children in care."
        ),
        compute=_supervision_in_month,
        source="seed 004",
        readings=(
            "A supervision record (ext_supervision) for the child dated from the 1st of the "
            "month to E counts, whoever the supervisor was.",
        ),
    )
)
