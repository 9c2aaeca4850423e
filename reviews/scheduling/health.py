"""Health due dates: initial health assessment, annual health assessment, dental check.

Rules from ``indicators.md`` §3 "Health" and ``ssd-extracts.md`` §3.4. Callers pass the dates
of **completed** checks only: refused, cancelled and planned ones never count as done
(a blank status with a date on or before the extract's as-at date is completed, an import
rule). Checks dated after ``as_of`` are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reviews.scheduling.dates import age_on
from reviews.scheduling.recurring import RecurringDue, recurring_due
from reviews.scheduling.reviews import CarePeriod
from reviews.working_days import add_working_days

#: The initial health assessment is due within this many working days of entering care.
IHA_WORKING_DAYS = 20
#: Health assessments are repeated every 6 months for a child under this age (at ``as_of``)…
HEALTH_ASSESSMENT_YOUNG_AGE = 5
HEALTH_ASSESSMENT_YOUNG_MONTHS = 6
#: …and every 12 months from that age.
HEALTH_ASSESSMENT_MONTHS = 12
#: Dental checks are repeated every 12 months.
DENTAL_CHECK_MONTHS = 12


@dataclass(frozen=True, slots=True)
class IhaDue:
    """The initial health assessment of one period of care.

    ``assessment_date`` is the first completed health assessment of the period (IHA, RHA or
    HA alike), ``None`` if there is none yet. ``looked_after_on_due_date`` is false when the
    period ended on or before the due date (such a period is not in the denominator).
    """

    period_start: date
    due_date: date
    assessment_date: date | None
    on_time: bool
    looked_after_on_due_date: bool


def iha_due(
    *, period: CarePeriod, completed_assessment_dates: Iterable[date], as_of: date
) -> IhaDue | None:
    """The initial health assessment of a period of care, as known on ``as_of``.

    Due on the 20th working day after the start of the period; met by the first completed
    health assessment dated in the period (on or after its start, on or before its end when
    known, on or before ``as_of``), on time when on or before the due date
    (``indicators.md`` §3 iha_on_time). Returns ``None`` for a period whose first known
    episode is not RNE S (measures from the start of care leave it out, §1) or that starts
    after ``as_of``. Short-break periods are excluded by the caller.
    """
    if not period.starts_with_s or period.start > as_of:
        return None
    end = period.end if period.end is not None and period.end <= as_of else None
    due = add_working_days(start=period.start, n=IHA_WORKING_DAYS)
    first = min(
        (
            d
            for d in completed_assessment_dates
            if period.start <= d <= as_of and (end is None or d <= end)
        ),
        default=None,
    )
    return IhaDue(
        period_start=period.start,
        due_date=due,
        assessment_date=first,
        on_time=first is not None and first <= due,
        looked_after_on_due_date=end is None or end > due,
    )


def health_assessment_interval_months(*, date_of_birth: date, as_of: date) -> int:
    """6 months for a child under 5 on ``as_of``, else 12 (age at the as-of date, §3 Health)."""
    if age_on(date_of_birth=date_of_birth, on=as_of) < HEALTH_ASSESSMENT_YOUNG_AGE:
        return HEALTH_ASSESSMENT_YOUNG_MONTHS
    return HEALTH_ASSESSMENT_MONTHS


def health_assessment_due(
    *, completed_assessment_dates: Iterable[date], date_of_birth: date, as_of: date
) -> RecurringDue:
    """The review health assessment as seen on ``as_of`` (health_assessment_on_time).

    ``completed_assessment_dates``: every completed health assessment (initial or review, any
    of IHA/RHA/HA). The interval is chosen by the child's age on ``as_of``: a child who turns
    5 moves from 6 to 12 months that day, so an assessment overdue the day before may be in
    time again.
    """
    return recurring_due(
        record_dates=completed_assessment_dates,
        interval_months=health_assessment_interval_months(date_of_birth=date_of_birth, as_of=as_of),
        as_of=as_of,
    )


def dental_check_due(*, completed_check_dates: Iterable[date], as_of: date) -> RecurringDue:
    """The annual dental check as seen on ``as_of`` (dental_on_time: within 12 months)."""
    return recurring_due(
        record_dates=completed_check_dates, interval_months=DENTAL_CHECK_MONTHS, as_of=as_of
    )
