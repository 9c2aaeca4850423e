"""Durations count both the first day and the day judged (indicators.md §1 "Durations").

DfE's continuous-care rule: a child is looked after for 12 months at 31 March unless their
period started after 1 April. Every expected answer below was counted by hand.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.scheduling import has_lasted_months, lasted_months_from


@pytest.mark.parametrize(
    ("start", "on", "months", "lasted"),
    [
        # The catalogue's own example: 1 April 2018 → 12 months on 31 March 2019 and
        # 2 years on 31 March 2020; 2 April 2018 → neither.
        (date(2018, 4, 1), date(2019, 3, 31), 12, True),
        (date(2018, 4, 1), date(2020, 3, 31), 24, True),
        (date(2018, 4, 2), date(2019, 3, 31), 12, False),
        (date(2018, 4, 2), date(2020, 3, 31), 24, False),
        (date(2018, 4, 2), date(2019, 4, 1), 12, True),
        # 2.5 years at 31 March 2024: from 1 October 2021 (1 April 2024 − 30 months).
        (date(2021, 10, 1), date(2024, 3, 31), 30, True),
        (date(2021, 10, 2), date(2024, 3, 31), 30, False),
        # One month at 31 March: from 1 March; at 30 April: from 31 March (1 May − 1 month
        # = 1 April, so 31 March and 1 April both qualify).
        (date(2024, 3, 1), date(2024, 3, 31), 1, True),
        (date(2024, 3, 2), date(2024, 3, 31), 1, False),
        (date(2024, 4, 1), date(2024, 4, 30), 1, True),
        # Month ends. From 31 August: 6 months on the last day of February (1 March − 6
        # months = 1 September, on or after 31 August), not the day before.
        (date(2018, 8, 31), date(2019, 2, 28), 6, True),
        (date(2018, 8, 31), date(2019, 2, 27), 6, False),
        (date(2019, 8, 31), date(2020, 2, 29), 6, True),
        (date(2019, 8, 31), date(2020, 2, 28), 6, False),
        (date(2018, 8, 28), date(2019, 2, 27), 6, True),
        # From 29 February 2020: 12 months on 28 February 2021 (a 366-day year), not on
        # 27 February; 1 March 2020 reaches 12 months the same day.
        (date(2020, 2, 29), date(2021, 2, 28), 12, True),
        (date(2020, 2, 29), date(2021, 2, 27), 12, False),
        (date(2020, 3, 1), date(2021, 2, 28), 12, True),
        # From 31 March: 6 months on 30 September (1 October − 6 months = 1 April).
        (date(2023, 3, 31), date(2023, 9, 30), 6, True),
        (date(2023, 3, 31), date(2023, 9, 29), 6, False),
    ],
)
def test_has_lasted_months_counts_both_days(start, on, months, lasted):
    assert has_lasted_months(start=start, on=on, months=months) is lasted


@pytest.mark.parametrize(
    ("start", "months", "first_day"),
    [
        (date(2018, 4, 1), 12, date(2019, 3, 31)),
        (date(2018, 4, 2), 12, date(2019, 4, 1)),
        (date(2018, 8, 31), 6, date(2019, 2, 28)),
        (date(2018, 8, 29), 6, date(2019, 2, 28)),
        (date(2018, 8, 28), 6, date(2019, 2, 27)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 1, 29), 1, date(2024, 2, 28)),
        (date(2022, 1, 10), 12, date(2023, 1, 9)),
    ],
)
def test_lasted_months_from_is_the_first_day_the_duration_is_reached(start, months, first_day):
    assert lasted_months_from(start=start, months=months) == first_day


@settings(max_examples=400, deadline=None)
@given(
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    months=st.integers(min_value=1, max_value=72),
)
def test_lasted_months_from_is_exactly_where_has_lasted_months_turns_true(start, months):
    first = lasted_months_from(start=start, months=months)
    assert has_lasted_months(start=start, on=first, months=months)
    assert not has_lasted_months(start=start, on=first - timedelta(days=1), months=months)


def test_a_duration_of_no_months_is_refused():
    with pytest.raises(ValueError):
        has_lasted_months(start=date(2024, 1, 1), on=date(2024, 1, 1), months=0)
    with pytest.raises(ValueError):
        lasted_months_from(start=date(2024, 1, 1), months=0)
