"""Reporting dates: month ends, financial years and the windows of ``indicators.md`` §1.

Calendar arithmetic clamps to the last day of a shorter month, as the catalogue's own
example does: 31 March − 6 months = 30 September. A window "in the N ending E" runs from
E − N to E, both days included (a record dated exactly E − N counts).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date

from reviews.scheduling.dates import add_months as _add_months
from reviews.scheduling.dates import age_on as _age_on

PERIOD_MONTH = "month"
PERIOD_QUARTER = "quarter"
PERIOD_YTD = "ytd"
PERIOD_ROLLING12 = "rolling12"
PERIOD_ROLLING6 = "rolling6"
PERIOD_AT_E = "at_e"
PERIODS = (
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_YTD,
    PERIOD_ROLLING12,
    PERIOD_ROLLING6,
    PERIOD_AT_E,
)
PERIOD_LABELS = {
    PERIOD_MONTH: "In the month",
    PERIOD_QUARTER: "Quarter to date",
    PERIOD_YTD: "Year to date",
    PERIOD_ROLLING12: "12 months ending",
    PERIOD_ROLLING6: "6 months ending",
    PERIOD_AT_E: "At the month end",
}


def month_first(d: date) -> date:
    return d.replace(day=1)


def month_last(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


@functools.lru_cache(maxsize=65536)
def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, clamped to the last day of the target month.

    One implementation for the whole project: :func:`reviews.scheduling.dates.add_months`
    (the due dates of worklists and the windows of indicators must clamp alike). Cached:
    the indicators ask for the same month ends' windows child after child.
    """
    return _add_months(d=d, n=n)


def add_years(d: date, n: int) -> date:
    """``d`` moved by ``n`` years; 29 February becomes 28 February in a common year."""
    return add_months(d, 12 * n)


def age_on(dob: date, d: date) -> int:
    """Age in whole years on ``d``: the number of birthdays passed on or before ``d``.

    Someone born on 29 February attains each age on 1 March in a common year, as English
    law counts it (Family Law Reform Act 1969 s.9 reckons from the anniversary). Delegates
    to :func:`reviews.scheduling.dates.age_on`, the project's one implementation.
    """
    return _age_on(date_of_birth=dob, on=d)


def financial_year_start(d: date) -> date:
    """1 April of the financial year (1 April – 31 March) containing ``d``."""
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


def financial_year_of(d: date) -> int:
    """The year the financial year containing ``d`` starts (2024 = 2024/25)."""
    return financial_year_start(d).year


def financial_quarter_start(d: date) -> date:
    """First day of the financial quarter (Apr–Jun, Jul–Sep, Oct–Dec, Jan–Mar) of ``d``."""
    quarter_first_month = ((d.month - 4) % 12) // 3 * 3 + 4
    month = (quarter_first_month - 1) % 12 + 1
    year = d.year if month <= d.month else d.year - 1
    return date(year, month, 1)


def collection_year_of(d: date) -> int:
    """The SSDA903 collection year containing ``d``, named by its ending year (2025 = 2024/25)."""
    return financial_year_of(d) + 1


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from ``first``'s month to ``last``'s month, inclusive."""
    out: list[date] = []
    cur = month_first(first)
    end = month_first(last)
    while cur <= end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


def financial_year_months(fy: int) -> list[date]:
    """The twelve months April..March of financial year ``fy`` (seed 003 column order)."""
    return months_between(date(fy, 4, 1), date(fy + 1, 3, 1))


@dataclass(frozen=True)
class ReportingDates:
    """The dates one monthly snapshot is computed for.

    ``as_of`` is the month end E, or today for the month to date. Every window ends on
    ``as_of``; records dated after it do not exist as far as this snapshot is concerned.
    """

    month: date
    as_of: date
    month_to_date: bool

    @classmethod
    def for_month(cls, month: date, *, today: date) -> ReportingDates:
        first = month_first(month)
        if first > month_first(today):
            raise ValueError(f"{first:%Y-%m} is in the future (today is {today.isoformat()})")
        if first == month_first(today):
            return cls(month=first, as_of=today, month_to_date=True)
        return cls(month=first, as_of=month_last(first), month_to_date=False)

    def window(self, period: str) -> tuple[date, date]:
        """(first day, last day) of a period, both included."""
        e = self.as_of
        if period == PERIOD_MONTH:
            return self.month, e
        if period == PERIOD_QUARTER:
            return financial_quarter_start(self.month), e
        if period == PERIOD_YTD:
            return financial_year_start(self.month), e
        if period == PERIOD_ROLLING12:
            return add_months(e, -12), e
        if period == PERIOD_ROLLING6:
            return add_months(e, -6), e
        if period == PERIOD_AT_E:
            return e, e
        raise ValueError(f"unknown period {period!r}")
