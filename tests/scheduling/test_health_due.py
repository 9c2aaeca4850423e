"""Initial health assessment, annual health assessment and dental check (indicators.md §3)."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.scheduling.health import (
    IhaDue,
    dental_check_due,
    health_assessment_due,
    iha_due,
)
from reviews.scheduling.recurring import RecurringDue
from reviews.scheduling.reviews import CarePeriod

# --- initial health assessment: within 20 working days ------------------------------------


def test_worked_example_iha_due_5_february_met_on_30_january():
    # ssd-extracts.md §5: C1001 in care from Mon 8 Jan 2024; H1 (30 Jan) and H3 (20 Jan 2025).
    assert iha_due(
        period=CarePeriod(start=date(2024, 1, 8)),
        completed_assessment_dates=[date(2025, 1, 20), date(2024, 1, 30)],
        as_of=date(2025, 3, 31),
    ) == IhaDue(
        period_start=date(2024, 1, 8),
        due_date=date(2024, 2, 5),
        assessment_date=date(2024, 1, 30),
        on_time=True,
        looked_after_on_due_date=True,
    )


@pytest.mark.parametrize(
    ("assessment", "on_time"),
    [
        (date(2024, 4, 9), True),  # after the 20th day if Easter were counted (8 April)
        (date(2024, 4, 10), True),  # the 20th working day itself
        (date(2024, 4, 11), False),
    ],
)
def test_an_iha_whose_twentieth_working_day_falls_after_easter(assessment, on_time):
    # From Mon 11 March 2024, skipping Good Friday 29 March and Easter Monday 1 April.
    due = iha_due(
        period=CarePeriod(start=date(2024, 3, 11)),
        completed_assessment_dates=[assessment],
        as_of=date(2024, 6, 30),
    )
    assert (due.due_date, due.on_time) == (date(2024, 4, 10), on_time)


def test_an_iha_counted_over_christmas_and_new_year():
    # From Fri 20 Dec 2024: 25, 26 Dec and 1 Jan skipped -> Wed 22 Jan 2025.
    due = iha_due(
        period=CarePeriod(start=date(2024, 12, 20)),
        completed_assessment_dates=[],
        as_of=date(2025, 1, 31),
    )
    assert (due.due_date, due.assessment_date, due.on_time) == (date(2025, 1, 22), None, False)


def test_the_iha_is_the_first_completed_assessment_of_the_period_whatever_its_type():
    # An assessment before the period started belongs to no period of this care.
    due = iha_due(
        period=CarePeriod(start=date(2024, 1, 8)),
        completed_assessment_dates=[date(2024, 1, 5), date(2024, 2, 20), date(2024, 3, 1)],
        as_of=date(2024, 3, 31),
    )
    assert (due.assessment_date, due.on_time) == (date(2024, 2, 20), False)


def test_an_assessment_after_the_as_of_date_does_not_exist_yet():
    due = iha_due(
        period=CarePeriod(start=date(2024, 1, 8)),
        completed_assessment_dates=[date(2024, 2, 5)],
        as_of=date(2024, 2, 4),
    )
    assert (due.assessment_date, due.on_time) == (None, False)


@pytest.mark.parametrize(
    ("end", "looked_after"),
    [
        (date(2024, 1, 31), False),
        (date(2024, 2, 5), False),  # ceased on the due date: not looked after that day
        (date(2024, 2, 6), True),
    ],
)
def test_a_period_ending_on_or_before_the_due_date_is_flagged(end, looked_after):
    due = iha_due(
        period=CarePeriod(start=date(2024, 1, 8), end=end),
        completed_assessment_dates=[],
        as_of=date(2024, 3, 31),
    )
    assert due.looked_after_on_due_date is looked_after


def test_a_period_not_starting_with_s_has_no_iha_measure():
    assert (
        iha_due(
            period=CarePeriod(start=date(2024, 1, 8), starts_with_s=False),
            completed_assessment_dates=[date(2024, 1, 30)],
            as_of=date(2024, 3, 31),
        )
        is None
    )


def test_a_period_starting_after_the_as_of_date_has_no_iha_yet():
    assert (
        iha_due(
            period=CarePeriod(start=date(2024, 1, 8)),
            completed_assessment_dates=[],
            as_of=date(2024, 1, 7),
        )
        is None
    )


# --- annual health assessment and dental check --------------------------------------------


def test_worked_example_health_assessment_in_time_and_dental_check_overdue():
    # C1001, aged 14 at 31 March 2025: H3 (20 Jan 2025) within 12 months; dental H2
    # (14 March 2024) older than 12 months.
    as_of = date(2025, 3, 31)
    assert health_assessment_due(
        completed_assessment_dates=[date(2024, 1, 30), date(2025, 1, 20)],
        date_of_birth=date(2010, 5, 14),
        as_of=as_of,
    ) == RecurringDue(
        latest_date=date(2025, 1, 20),
        interval_months=12,
        due_date=date(2026, 1, 20),
        overdue=False,
    )
    assert dental_check_due(completed_check_dates=[date(2024, 3, 14)], as_of=as_of) == RecurringDue(
        latest_date=date(2024, 3, 14),
        interval_months=12,
        due_date=date(2025, 3, 14),
        overdue=True,
    )


@pytest.mark.parametrize(
    ("as_of", "interval", "due_date", "overdue"),
    [
        # Born 15 March 2019; last health assessment 20 August 2023.
        (date(2024, 2, 29), 6, date(2024, 2, 20), True),  # aged 4: 6 months
        (date(2024, 3, 14), 6, date(2024, 2, 20), True),  # the day before the 5th birthday
        (date(2024, 3, 15), 12, date(2024, 8, 20), False),  # 5th birthday: 12 months
        (date(2024, 3, 31), 12, date(2024, 8, 20), False),  # aged 5 at the month end
    ],
)
def test_a_child_turning_5_moves_to_the_12_month_interval_by_age_at_the_as_of_date(
    as_of, interval, due_date, overdue
):
    due = health_assessment_due(
        completed_assessment_dates=[date(2023, 8, 20)],
        date_of_birth=date(2019, 3, 15),
        as_of=as_of,
    )
    assert (due.interval_months, due.due_date, due.overdue) == (interval, due_date, overdue)


@pytest.mark.parametrize(
    ("latest", "due_date", "overdue"),
    [
        (date(2024, 9, 30), date(2025, 3, 31), False),  # exactly E - 6 months: counts
        (date(2024, 9, 29), date(2025, 3, 29), True),
    ],
)
def test_the_six_month_window_counts_back_from_the_month_end(latest, due_date, overdue):
    due = health_assessment_due(
        completed_assessment_dates=[latest],
        date_of_birth=date(2022, 6, 1),
        as_of=date(2025, 3, 31),
    )
    assert (due.interval_months, due.due_date, due.overdue) == (6, due_date, overdue)


def test_a_dental_check_exactly_12_months_before_counts():
    due = dental_check_due(completed_check_dates=[date(2024, 3, 31)], as_of=date(2025, 3, 31))
    assert (due.due_date, due.overdue) == (date(2025, 3, 31), False)


def test_no_completed_check_is_overdue_and_later_checks_do_not_exist_yet():
    assert dental_check_due(
        completed_check_dates=[date(2025, 4, 1)], as_of=date(2025, 3, 31)
    ) == RecurringDue(latest_date=None, interval_months=12, due_date=None, overdue=True)
