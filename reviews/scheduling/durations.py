"""How long something has lasted: ``indicators.md`` §1 "Durations", one reading for all.

"Looked after for at least 12 months", "in the same placement for 2 years", the time-in-care
bands and a placement's first year all count **both the first day and the day they are
judged on**, as DfE's own continuous-care rule does: a child is continuously looked after
for 12 months at 31 March unless their period started after 1 April. So a child who started
on 1 April 2018 has been looked after for 12 months on 31 March 2019 and for 2 years on
31 March 2020; one who started on 2 April 2018 has not.

Formally: lasted N months on E when it started on or before (E + 1 day) − N calendar months,
months clamped to the end of a shorter month as every window is (``dates.add_months``). A
start on 29 February has lasted 12 months on 28 February of the next year (366 days), and
starts on 29, 30 and 31 August have all lasted 6 months on the last day of February.

The indicators (time in care, long-term stability, the 12-month health cohort, PEPs'
"in care for at least one month") and the worklists and visit schedule import these, so a
child is in a cohort on a list exactly when they are in it on the scorecard.
"""

from __future__ import annotations

from datetime import date, timedelta

from reviews.scheduling.dates import add_months, is_month_end

_ONE_DAY = timedelta(days=1)


def has_lasted_months(*, start: date, on: date, months: int) -> bool:
    """True when something that started on ``start`` has lasted ``months`` months on ``on``.

    Both ``start`` and ``on`` count (§1 "Durations"): started on or before ``on`` + 1 day −
    ``months`` calendar months.
    """
    if months < 1:
        raise ValueError(f"a duration of {months} months")
    return start <= add_months(d=on + _ONE_DAY, n=-months)


def lasted_months_from(*, start: date, months: int) -> date:
    """The first day on which something that started on ``start`` has lasted ``months`` months.

    The day before ``start`` + N months, or — when that date had to be clamped to a shorter
    month (31 August + 6 months) — the last day of that month. So :func:`has_lasted_months`
    is false on every day before it and true from it on; the first year of a placement
    (visits, reg. 28) runs up to and including ``lasted_months_from(start=…, months=12)``.
    """
    if months < 1:
        raise ValueError(f"a duration of {months} months")
    later = add_months(d=start, n=months)
    if later.day < start.day and is_month_end(d=later):
        return later  # clamped: the whole shorter month is needed, up to its last day
    return later - _ONE_DAY
