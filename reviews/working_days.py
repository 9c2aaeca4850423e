"""Working days for the "within 20 working days" rules (first review, initial health assessment).

``indicators.md`` §1: a working day is Monday to Friday excluding England and Wales bank
holidays, taken from a maintained package that works offline. We use ``holidays``
(``country_holidays("GB", subdiv="ENG")``), which carries the substitute days (Christmas and
Boxing Day on a weekend, New Year's Day on a Sunday), the moved early-May holiday of 2020
(VE Day, Friday 8 May) and the one-off days (Platinum Jubilee 3 June 2022, State Funeral of
Queen Elizabeth II 19 September 2022, Coronation 8 May 2023). England and Wales share one
list; Scotland and Northern Ireland differ and are not used.

"Within 20 working days of D" means on or before the 20th working day after D: D itself is
never counted, whatever day it is.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from datetime import date, timedelta

import holidays

#: Days a working-day count steps over: Saturday and Sunday (``date.weekday()`` 5 and 6).
WEEKEND = frozenset({5, 6})


@functools.cache
def bank_holidays(*, year: int) -> frozenset[date]:
    """England and Wales bank holidays of ``year`` (cached: one lookup per year per process)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(*, day: date) -> bool:
    """True when ``day`` is an England and Wales bank holiday (or a substitute day)."""
    return day in bank_holidays(year=day.year)


def is_working_day(*, day: date) -> bool:
    """True for Monday to Friday unless the day is an England and Wales bank holiday."""
    return day.weekday() not in WEEKEND and not is_bank_holiday(day=day)


@functools.cache
def _working_days_of_year(year: int) -> tuple[date, ...]:
    """Every working day of ``year``, sorted (cached: one table per year per process)."""
    day, last = date(year, 1, 1), date(year, 12, 31)
    out: list[date] = []
    while day <= last:
        if is_working_day(day=day):
            out.append(day)
        day += timedelta(days=1)
    return tuple(out)


def add_working_days(*, start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``add_working_days(start=D, n=20)`` is the last day that is still "within 20 working days
    of D" (``indicators.md`` §1): the first review and the initial health assessment are on
    time when held on or before it. ``n=0`` returns ``start`` unchanged. A bulk recompute
    asks this for every period of care, so it reads each year's sorted table of working days
    by bisection instead of stepping through the calendar a day at a time.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    if n == 0:
        return start
    year = start.year
    days = _working_days_of_year(year)
    index = bisect_right(days, start) + n - 1
    while index >= len(days):
        index -= len(days)
        year += 1
        days = _working_days_of_year(year)
    return days[index]
