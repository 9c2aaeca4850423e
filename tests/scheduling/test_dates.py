"""Calendar months, ages and windows (indicators.md §1 "Windows" and "Age")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews.scheduling.dates import add_months, age_on, is_within_months, last_day_within


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 3, 31), -6, date(2024, 9, 30)),  # the catalogue's own example
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 5, 31), 3, date(2024, 8, 31)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 1, 15), -1, date(2023, 12, 15)),
        (date(2024, 1, 15), 0, date(2024, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(start, n, expected):
    assert add_months(d=start, n=n) == expected


def test_age_is_whole_years_on_the_day():
    assert age_on(date_of_birth=date(2019, 3, 15), on=date(2024, 3, 14)) == 4
    assert age_on(date_of_birth=date(2019, 3, 15), on=date(2024, 3, 15)) == 5


def test_a_leap_day_birthday_counts_from_1_march_in_a_common_year():
    assert age_on(date_of_birth=date(2020, 2, 29), on=date(2024, 2, 29)) == 4
    assert age_on(date_of_birth=date(2020, 2, 29), on=date(2025, 2, 28)) == 4
    assert age_on(date_of_birth=date(2020, 2, 29), on=date(2025, 3, 1)) == 5


def test_a_record_dated_exactly_e_minus_n_months_is_within_the_window():
    on = date(2025, 3, 31)
    assert is_within_months(record_date=date(2024, 9, 30), on=on, months=6)
    assert not is_within_months(record_date=date(2024, 9, 29), on=on, months=6)
    assert is_within_months(record_date=on, on=on, months=6)
    assert not is_within_months(record_date=date(2025, 4, 1), on=on, months=6)


@pytest.mark.parametrize(
    ("record", "months", "expected"),
    [
        (date(2024, 9, 30), 6, date(2025, 3, 31)),  # month end: in time to 31 March
        (date(2024, 9, 29), 6, date(2025, 3, 29)),
        (date(2024, 8, 30), 6, date(2025, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 2, 28), 12, date(2024, 2, 29)),  # month end: in time to 29 Feb 2024
        (date(2024, 3, 14), 12, date(2025, 3, 14)),
    ],
)
def test_last_day_within_is_the_last_day_the_window_still_holds_the_record(
    record, months, expected
):
    assert last_day_within(record_date=record, months=months) == expected
    assert is_within_months(record_date=record, on=expected, months=months)
    assert not is_within_months(record_date=record, on=expected + timedelta(days=1), months=months)


@given(
    record=st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31)),
    months=st.sampled_from([1, 3, 6, 12]),
    offset=st.integers(min_value=0, max_value=800),
)
def test_overdue_after_the_due_date_is_exactly_outside_the_window(record, months, offset):
    on = record + timedelta(days=offset)
    due = last_day_within(record_date=record, months=months)
    assert (on <= due) == is_within_months(record_date=record, on=on, months=months)
