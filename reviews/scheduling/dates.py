"""Calendar arithmetic shared by every schedule (``indicators.md`` §1 "Windows").

Months are calendar months clamped to the end of a shorter month, as the catalogue's own
example does (31 March − 6 months = 30 September), and a due date that would fall on the
31st of a shorter month falls on its last day. Due dates are calendar dates: nothing here
moves a date off a weekend or a bank holiday.
"""

from __future__ import annotations

import calendar
from datetime import date

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _last_day_of_month(year: int, month: int) -> int:
    """Days in the month; a table instead of ``calendar.monthrange`` (hot in bulk recomputes)."""
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def is_month_end(*, d: date) -> bool:
    """True when ``d`` is the last day of its month."""
    return d.day == _last_day_of_month(d.year, d.month)


def add_months(*, d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months (``n`` may be negative), clamped to month end.

    31 March − 6 months = 30 September; 31 August + 6 months = 28 (or 29) February;
    29 February + 12 months = 28 February.
    """
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    month = month0 + 1
    day = d.day
    if day > 28:
        day = min(day, _last_day_of_month(year, month))
    return date(year, month, day)


def age_on(*, date_of_birth: date, on: date) -> int:
    """Age in whole years on ``on`` (``indicators.md`` §1 "Age"): birthdays passed by that day.

    Someone born on 29 February reaches each age on 1 March in a common year.
    """
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def is_within_months(*, record_date: date, on: date, months: int) -> bool:
    """True when ``record_date`` is in the ``months`` months ending ``on``.

    ``indicators.md`` §1 "Windows": on or after ``on`` − N months (clamped), a record dated
    exactly ``on`` − N counting, and not after ``on`` (later records do not exist yet).
    """
    return add_months(d=on, n=-months) <= record_date <= on


def last_day_within(*, record_date: date, months: int) -> date:
    """The last day on which ``record_date`` is still "within ``months`` months" of that day.

    This is the due date of a check repeated every N months, chosen so that "overdue on D"
    (``D > last_day_within(...)``) is exactly "not :func:`is_within_months` of D" for every
    D on or after the record: a worklist and the window-based indicator then never disagree.
    It is ``record_date`` + N months, except for a record made on the last day of a month,
    which stays in time to the last day of the month N months later, because windows count
    back from month ends with clamping (31 March − 6 months = 30 September, so a check on
    30 September is still within 6 months on 31 March, not only until 30 March).
    """
    due = add_months(d=record_date, n=months)
    if is_month_end(d=record_date):
        return due.replace(day=_last_day_of_month(due.year, due.month))
    return due
