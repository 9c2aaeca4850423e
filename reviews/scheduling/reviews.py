"""Looked-after reviews (Care Planning, Placement and Case Review Regulations 2010, reg. 33).

The rule is ``indicators.md`` §3 "Reviews (reg. 33)"; this module is its only implementation.
Per period of care:

- the first review is due within 20 working days of the start of the period (on or before
  the 20th working day after the start, ``reviews.working_days``);
- the second 3 calendar months after the first was held;
- each later one 6 calendar months after the previous one was held (clamped to month end);
- so after a late review the next is due from the date it was actually held;
- a review is on time when held on or before its due date; cancelled reviews are not held
  (callers pass held, non-cancelled review dates only);
- an unheld review stays one overdue review until it is held: it generates no further due
  dates.

Readings chosen:

- **Every held review meets the review pending when it is held** (on time if on or before
  its due date, late otherwise) and the next is counted from it, as the worked example in
  ``ssd-extracts.md`` §5 does. Two held reviews on the same day count as one.
- **Which reviews belong to the period**: held on or after its start, on or before ``as_of``,
  and on or before its end when the end is known (a review held the day care ends is still
  that period's). The pending (unheld) review lapses when its due date is on or after the
  end of the period: the child is no longer looked after on that day (§1).
- **Unknown history.** A period whose first known episode is not RNE S, or one that started
  before ``reviews_known_from`` (the earliest date the review data cover: earlier reviews are
  not in the data, ``ssd-extracts.md`` §5 R5), cannot be scheduled from its start: it is
  left out of the first-review measure (§1). Its first held review in the data is the anchor:
  it is not listed (no due date can be computed for it, so it is left out of the measures;
  the caller records the warning), and the next review is due 6 months after it — its
  sequence number is unknown, and after any review but the first the interval is 6 months.
  Such reviews carry ``sequence=None``. With no held review at all, nothing is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from reviews.scheduling.dates import add_months
from reviews.working_days import add_working_days

#: The first review is due within this many working days of the start of the period of care.
FIRST_REVIEW_WORKING_DAYS = 20
#: The second review is due this many months after the first was held.
SECOND_REVIEW_MONTHS = 3
#: Every later review is due this many months after the previous one was held.
LATER_REVIEW_MONTHS = 6


class ReviewRule(StrEnum):
    """The rule that produced a review's due date."""

    FIRST_20_WORKING_DAYS = "first_20_working_days"
    SECOND_3_MONTHS = "second_3_months"
    LATER_6_MONTHS = "later_6_months"


@dataclass(frozen=True, slots=True)
class CarePeriod:
    """A period of care (``indicators.md`` §1): consecutive episodes with no gap.

    ``end`` is the date care ended (``None`` while looked after). ``starts_with_s`` is false
    when the first known episode is not RNE S (the data begin mid-period): measures counted
    from the start of care (first review, initial health assessment) leave it out.
    Short-break periods (V3/V4) are excluded by the caller.
    """

    start: date
    end: date | None = None
    starts_with_s: bool = True

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"period of care ends {self.end} before it starts {self.start}")


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """One review of a period of care: when it was due and when (if at all) it was held.

    ``sequence`` is 1 for the first review of the period, 2 for the second…, ``None`` when the
    period's earlier reviews are unknown. ``counted_from`` is the period start (first review)
    or the date the previous review was held.
    """

    sequence: int | None
    due_date: date
    rule: ReviewRule
    counted_from: date
    held_date: date | None
    on_time: bool


def _known_end(period: CarePeriod, as_of: date) -> date | None:
    return period.end if period.end is not None and period.end <= as_of else None


def review_schedule(
    *,
    period: CarePeriod,
    held_review_dates: Iterable[date],
    as_of: date,
    reviews_known_from: date | None = None,
) -> list[ReviewDue]:
    """The reviews of one period of care as known on ``as_of`` (reg. 33).

    Lists every held review with its due date, then the next review (``held_date=None``)
    whether or not it is due yet, unless the period ended on or before its due date. Callers
    compare due dates with their own dates: overdue on D when ``held_date is None and
    due_date < D``; for ``reviews_on_time``, held reviews count in the month held and unheld
    ones in the month due. Reviews held after ``as_of`` are ignored. See the module docstring
    for the rule and the readings chosen.
    """
    if period.start > as_of:
        return []
    end = _known_end(period, as_of)
    held = sorted(
        {d for d in held_review_dates if period.start <= d <= as_of and (end is None or d <= end)}
    )
    history_unknown = not period.starts_with_s or (
        reviews_known_from is not None and period.start < reviews_known_from
    )
    sequence: int | None
    if history_unknown:
        if not held:
            return []
        anchor, held = held[0], held[1:]
        sequence = None
        rule = ReviewRule.LATER_6_MONTHS
        counted_from = anchor
        due = add_months(d=anchor, n=LATER_REVIEW_MONTHS)
    else:
        sequence = 1
        rule = ReviewRule.FIRST_20_WORKING_DAYS
        counted_from = period.start
        due = add_working_days(start=period.start, n=FIRST_REVIEW_WORKING_DAYS)

    out: list[ReviewDue] = []
    for held_date in held:
        out.append(
            ReviewDue(
                sequence=sequence,
                due_date=due,
                rule=rule,
                counted_from=counted_from,
                held_date=held_date,
                on_time=held_date <= due,
            )
        )
        if sequence == 1:
            rule, months = ReviewRule.SECOND_3_MONTHS, SECOND_REVIEW_MONTHS
        else:
            rule, months = ReviewRule.LATER_6_MONTHS, LATER_REVIEW_MONTHS
        sequence = None if sequence is None else sequence + 1
        counted_from = held_date
        due = add_months(d=held_date, n=months)
    if end is None or due < end:
        out.append(
            ReviewDue(
                sequence=sequence,
                due_date=due,
                rule=rule,
                counted_from=counted_from,
                held_date=None,
                on_time=False,
            )
        )
    return out
