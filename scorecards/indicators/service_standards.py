"""Service standards: looked-after reviews (reg. 33), statutory visits (reg. 28), supervision.

Due dates come from ``reviews.scheduling``, the one implementation the worklists use too,
so a list of late reviews and this figure always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reviews.scheduling import CarePeriod, review_schedule
from scorecards.cells import count_cell, fraction_cell
from scorecards.engine import DatedIndex, LAData, MonthContext
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
            "The 'children to be visited' are the children due a statutory visit in the "
            "reporting month; those 'not seen in timescale' were due a visit in the month but "
            "were not seen by the due date. Only visits where the child was seen count.",
            "Visits are due within a week of a new placement, then every 6 weeks in the first "
            "year, then every 3 months in long-term foster care and every 6 weeks elsewhere.",
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
    for child in data.children:
        if not child.history.periods:
            continue
        for period in child.history.periods:
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


def reviews_fraction(ctx: MonthContext, period: str) -> tuple[int, int, dict[str, list[int]]]:
    """(on time, counted, by team) of reviews_on_time for one period of one month."""

    def build(c: MonthContext) -> tuple[int, int, dict[str, list[int]]]:
        by_held, by_due = c.data.memo("review_items", review_items_build)
        first, e = c.window(period)
        teams: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        n = d = 0
        for item in by_held.between(first, e):
            d += 1
            teams[item.team][1] += 1
            if item.on_time:
                n += 1
                teams[item.team][0] += 1
        for item in by_due.between(first, e):
            if item.held is None or item.held > e:
                d += 1
                teams[item.team][1] += 1
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
    "Periods whose start is before the data (first episode not S, or before 1 April of the "
    "earliest 903 collection year imported, when earlier reviews cannot be in the data) "
    "are scheduled from their first held review, which is itself left out.",
    "by_team: team of the allocated social worker on the review's due date.",
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
        source="seed 000",
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
        source="seed 003",
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
        source="seed 004",
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
        source="seed 004",
    )
)
