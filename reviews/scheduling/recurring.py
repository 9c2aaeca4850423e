"""Checks repeated every N months: the latest record and the window it must fall in.

Used by the annual health assessment and dental check (``health``), the PEP and the pathway
plan (``plans``). Windows follow ``indicators.md`` §1: "within N months of E" means on or
after E − N months, clamped (31 March − 6 months = 30 September).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reviews.scheduling.dates import is_within_months, last_day_within


@dataclass(frozen=True, slots=True)
class RecurringDue:
    """A check repeated every ``interval_months`` months, seen on ``as_of``.

    ``latest_date`` is the latest qualifying record on or before ``as_of`` (``None``: never).
    ``due_date`` is the last day it is still in time (:func:`last_day_within`), ``None`` with no
    record. ``overdue`` is true when there is no record within the ``interval_months`` months
    ending ``as_of``; the indicators' numerators are the children for whom it is false.
    """

    latest_date: date | None
    interval_months: int
    due_date: date | None
    overdue: bool


def recurring_due(
    *, record_dates: Iterable[date], interval_months: int, as_of: date
) -> RecurringDue:
    """Due date and overdue flag of a check that must recur every ``interval_months`` months.

    Overdue on ``as_of`` unless the latest record is on or after ``as_of`` − N months
    (``indicators.md`` §1 windows, so 30 September is within 6 months of 31 March). The due
    date is consistent with that: not overdue exactly up to and including ``due_date``.
    """
    latest = max((d for d in record_dates if d <= as_of), default=None)
    if latest is None:
        return RecurringDue(
            latest_date=None, interval_months=interval_months, due_date=None, overdue=True
        )
    return RecurringDue(
        latest_date=latest,
        interval_months=interval_months,
        due_date=last_day_within(record_date=latest, months=interval_months),
        overdue=not is_within_months(record_date=latest, on=as_of, months=interval_months),
    )
