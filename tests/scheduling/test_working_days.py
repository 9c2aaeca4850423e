"""Working days (indicators.md §1): Monday–Friday except England and Wales bank holidays.

Expected dates were counted by hand on a calendar; the comments show the count.
"""

from __future__ import annotations

from datetime import date

import pytest

from reviews.working_days import add_working_days, is_bank_holiday, is_working_day


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2024, 5, 6),  # early May bank holiday
        date(2024, 5, 27),  # Spring bank holiday
        date(2024, 8, 26),  # Summer bank holiday
        date(2024, 12, 25),  # Christmas Day
        date(2024, 12, 26),  # Boxing Day
        date(2025, 1, 1),  # New Year's Day
        date(2022, 6, 2),  # Spring bank holiday moved for the Platinum Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
        date(2022, 12, 27),  # Christmas Day (a Sunday) substitute
        date(2021, 12, 27),  # Christmas Day (a Saturday) substitute
        date(2021, 12, 28),  # Boxing Day (a Sunday) substitute
        date(2023, 1, 2),  # New Year's Day (a Sunday) substitute
        date(2023, 5, 8),  # Coronation of King Charles III
        date(2020, 5, 8),  # early May bank holiday moved to VE Day
    ],
)
def test_england_and_wales_bank_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert is_bank_holiday(day=day)
    assert not is_working_day(day=day)


@pytest.mark.parametrize(
    "day",
    [
        date(2020, 5, 4),  # first Monday of May 2020: the holiday moved to Friday 8 May
        date(2022, 5, 30),  # last Monday of May 2022: the holiday moved to 2 June
        date(2023, 5, 9),  # the day after the Coronation
        date(2024, 3, 28),  # Maundy Thursday
        date(2024, 12, 27),  # the Friday after Boxing Day
        date(2024, 1, 2),  # a Scottish bank holiday only
        date(2024, 8, 5),  # Scottish summer bank holiday only
        date(2024, 3, 18),  # St Patrick's Day substitute: Northern Ireland only
        date(2024, 7, 12),  # Battle of the Boyne: Northern Ireland only
    ],
)
def test_other_weekdays_are_working_days(day):
    assert day.weekday() < 5
    assert is_working_day(day=day)


def test_weekends_are_not_working_days():
    assert not is_working_day(day=date(2024, 3, 2))  # Saturday
    assert not is_working_day(day=date(2024, 3, 3))  # Sunday
    assert is_working_day(day=date(2024, 3, 4))  # Monday


def test_twentieth_working_day_after_monday_8_january_2024_is_5_february():
    # Tue 9 .. Fri 12 (4), 15-19 (9), 22-26 (14), 29 Jan - 2 Feb (19), Mon 5 Feb (20).
    assert add_working_days(start=date(2024, 1, 8), n=20) == date(2024, 2, 5)


def test_good_friday_and_easter_monday_are_skipped():
    # From Mon 11 March 2024: 12-15 (4), 18-22 (9), 25-28 (13), Fri 29 Good Friday and
    # Mon 1 April Easter Monday skipped, 2-5 April (17), 8, 9, 10 April (20).
    assert add_working_days(start=date(2024, 3, 11), n=20) == date(2024, 4, 10)


def test_a_bank_holiday_inside_the_count_is_skipped():
    # From Mon 20 May 2024: 21-24 (4), Mon 27 May Spring bank holiday skipped, 28-31 (8),
    # 3-7 June (13), 10-14 (18), Mon 17 (19), Tue 18 June (20).
    assert add_working_days(start=date(2024, 5, 20), n=20) == date(2024, 6, 18)


def test_counting_from_a_bank_holiday_starts_the_next_day():
    # From Mon 27 May 2024 (bank holiday, not counted): 28-31 (4), 3-7 June (9), 10-14 (14),
    # 17-21 (19), Mon 24 June (20).
    assert add_working_days(start=date(2024, 5, 27), n=20) == date(2024, 6, 24)


def test_christmas_and_new_year_are_skipped():
    # From Fri 20 Dec 2024: 23, 24 (2), 25 and 26 skipped, 27 (3), 30, 31 (5), 1 Jan skipped,
    # 2, 3 Jan (7), 6-10 (12), 13-17 (17), 20, 21, Wed 22 Jan 2025 (20).
    assert add_working_days(start=date(2024, 12, 20), n=20) == date(2025, 1, 22)


def test_the_queens_funeral_is_skipped():
    # From Mon 12 Sep 2022: 13-16 (4), Mon 19 funeral skipped, 20-23 (8), 26-30 (13),
    # 3-7 Oct (18), Mon 10 (19), Tue 11 Oct (20). Without the funeral it would be 10 Oct.
    assert add_working_days(start=date(2022, 9, 12), n=20) == date(2022, 10, 11)


def test_the_coronation_and_early_may_holiday_are_skipped():
    # From Mon 24 Apr 2023: 25-28 (4), Mon 1 May skipped, 2-5 (8), Mon 8 May coronation
    # skipped, 9-12 (12), 15-19 (17), 22, 23, Wed 24 May (20).
    assert add_working_days(start=date(2023, 4, 24), n=20) == date(2023, 5, 24)


def test_counting_from_a_weekend():
    assert add_working_days(start=date(2024, 3, 2), n=1) == date(2024, 3, 4)  # Sat -> Mon
    assert add_working_days(start=date(2024, 3, 3), n=5) == date(2024, 3, 8)  # Sun -> Fri


def test_zero_working_days_is_the_start_and_negative_counts_are_refused():
    assert add_working_days(start=date(2024, 3, 2), n=0) == date(2024, 3, 2)
    with pytest.raises(ValueError):
        add_working_days(start=date(2024, 3, 4), n=-1)
