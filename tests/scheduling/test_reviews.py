"""Looked-after reviews (reg. 33), as indicators.md §3 "Reviews" defines them.

First review within 20 working days of the start of the period of care, the second 3 calendar
months after the first, later ones 6 months after the previous (clamped to month end). Due
dates counted by hand; the comments show the arithmetic.
"""

from __future__ import annotations

from datetime import date

import pytest

from reviews.scheduling.reviews import CarePeriod, ReviewDue, ReviewRule, review_schedule


def _summary(reviews: list[ReviewDue]) -> list[tuple[int | None, date, date | None, bool]]:
    return [(r.sequence, r.due_date, r.held_date, r.on_time) for r in reviews]


# ssd-extracts.md §5: C1001 in care since Monday 8 January 2024. R2 (29 April) was cancelled,
# so callers do not pass it: cancelled reviews are never held.
WORKED_PERIOD = CarePeriod(start=date(2024, 1, 8))
WORKED_HELD = [date(2024, 2, 1), date(2024, 5, 9), date(2024, 11, 4)]


def test_worked_example_r1_on_time_r3_eight_days_late_r4_on_time_two_of_three():
    reviews = review_schedule(
        period=WORKED_PERIOD, held_review_dates=WORKED_HELD, as_of=date(2025, 3, 31)
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 1), True),  # 20th working day after 8 Jan
        (2, date(2024, 5, 1), date(2024, 5, 9), False),  # R1 + 3 months; 8 days late
        (3, date(2024, 11, 9), date(2024, 11, 4), True),  # R3 held + 6 months
        (4, date(2025, 5, 4), None, False),  # R4 held + 6 months: next, not due yet
    ]
    held = [r for r in reviews if r.held_date is not None]
    assert (sum(r.on_time for r in held), len(held)) == (2, 3)
    assert [r.rule for r in reviews] == [
        ReviewRule.FIRST_20_WORKING_DAYS,
        ReviewRule.SECOND_3_MONTHS,
        ReviewRule.LATER_6_MONTHS,
        ReviewRule.LATER_6_MONTHS,
    ]
    assert [r.counted_from for r in reviews] == [date(2024, 1, 8), *WORKED_HELD]


def test_the_first_review_counts_working_days_over_easter():
    # From Mon 11 March 2024 the 20th working day is 10 April (Good Friday, Easter Monday).
    reviews = review_schedule(
        period=CarePeriod(start=date(2024, 3, 11)),
        held_review_dates=[date(2024, 4, 10)],
        as_of=date(2024, 4, 30),
    )
    assert _summary(reviews)[0] == (1, date(2024, 4, 10), date(2024, 4, 10), True)


def test_after_a_late_review_the_next_is_due_from_the_date_it_was_held():
    # R1 due 5 Feb, held 12 Feb (late): R2 due 12 May, not 5 May; held 10 May, on time;
    # R3 due 10 November.
    reviews = review_schedule(
        period=WORKED_PERIOD,
        held_review_dates=[date(2024, 2, 12), date(2024, 5, 10)],
        as_of=date(2024, 6, 30),
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 12), False),
        (2, date(2024, 5, 12), date(2024, 5, 10), True),
        (3, date(2024, 11, 10), None, False),
    ]


def test_an_unheld_review_stays_one_overdue_review_until_held():
    # R2 due 1 May 2024 and never held: at 31 March 2025 it is still the one overdue review;
    # no further due dates (1 Nov 2024, ...) are generated.
    reviews = review_schedule(
        period=WORKED_PERIOD, held_review_dates=[date(2024, 2, 1)], as_of=date(2025, 3, 31)
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 1), True),
        (2, date(2024, 5, 1), None, False),
    ]


def test_when_the_overdue_review_is_held_it_is_late_and_the_schedule_runs_from_it():
    reviews = review_schedule(
        period=WORKED_PERIOD,
        held_review_dates=[date(2024, 2, 1), date(2024, 12, 10)],
        as_of=date(2025, 3, 31),
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 1), True),
        (2, date(2024, 5, 1), date(2024, 12, 10), False),
        (3, date(2025, 6, 10), None, False),
    ]


def test_due_dates_on_the_31st_of_a_shorter_month_fall_on_its_last_day():
    # Start Mon 13 May 2024: 20th working day 11 June (Spring bank holiday 27 May skipped).
    # R1 31 May -> R2 due 31 August; R2 31 August -> R3 due 28 February 2025.
    reviews = review_schedule(
        period=CarePeriod(start=date(2024, 5, 13)),
        held_review_dates=[date(2024, 5, 31), date(2024, 8, 31)],
        as_of=date(2024, 12, 31),
    )
    assert _summary(reviews) == [
        (1, date(2024, 6, 11), date(2024, 5, 31), True),
        (2, date(2024, 8, 31), date(2024, 8, 31), True),
        (3, date(2025, 2, 28), None, False),
    ]


def test_reviews_held_after_the_as_of_date_do_not_exist_yet():
    reviews = review_schedule(
        period=WORKED_PERIOD, held_review_dates=WORKED_HELD, as_of=date(2024, 5, 8)
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 1), True),
        (2, date(2024, 5, 1), None, False),  # overdue on 8 May: R3 is held on 9 May
    ]


def test_reviews_before_the_start_are_ignored_and_one_day_counts_once():
    reviews = review_schedule(
        period=WORKED_PERIOD,
        held_review_dates=[date(2023, 12, 1), date(2024, 2, 1), date(2024, 2, 1)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 1), True),
        (2, date(2024, 5, 1), None, False),
    ]


def test_a_period_starting_after_the_as_of_date_has_no_reviews():
    assert review_schedule(period=WORKED_PERIOD, held_review_dates=[], as_of=date(2024, 1, 7)) == []


def test_a_new_period_of_care_with_no_review_has_its_first_review_pending():
    reviews = review_schedule(period=WORKED_PERIOD, held_review_dates=[], as_of=date(2024, 1, 8))
    assert _summary(reviews) == [(1, date(2024, 2, 5), None, False)]


# --- the end of the period ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "pending_listed"),
    [
        (date(2024, 4, 20), False),  # left care before R2 fell due on 1 May
        (date(2024, 5, 1), False),  # left care on the due date: not looked after that day
        (date(2024, 5, 2), True),  # still looked after on 1 May: R2 fell due
    ],
)
def test_the_pending_review_lapses_when_care_ends_on_or_before_its_due_date(end, pending_listed):
    reviews = review_schedule(
        period=CarePeriod(start=date(2024, 1, 8), end=end),
        held_review_dates=[date(2024, 2, 1)],
        as_of=date(2024, 12, 31),
    )
    expected = [(1, date(2024, 2, 5), date(2024, 2, 1), True)]
    if pending_listed:
        expected.append((2, date(2024, 5, 1), None, False))
    assert _summary(reviews) == expected


def test_a_review_held_on_the_day_care_ends_is_that_periods_review():
    reviews = review_schedule(
        period=CarePeriod(start=date(2024, 1, 8), end=date(2024, 5, 9)),
        held_review_dates=[date(2024, 2, 1), date(2024, 5, 9), date(2024, 6, 1)],
        as_of=date(2024, 12, 31),
    )
    assert _summary(reviews) == [
        (1, date(2024, 2, 5), date(2024, 2, 1), True),
        (2, date(2024, 5, 1), date(2024, 5, 9), False),
    ]


def test_an_end_of_care_after_the_as_of_date_is_not_known_yet():
    reviews = review_schedule(
        period=CarePeriod(start=date(2024, 1, 8), end=date(2024, 4, 20)),
        held_review_dates=[date(2024, 2, 1)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(reviews)[-1] == (2, date(2024, 5, 1), None, False)


# --- periods whose start is not known -----------------------------------------------------


def test_a_period_not_starting_with_s_is_scheduled_from_its_first_held_review():
    # The first known episode is not RNE S: no first-review rule. The first held review in
    # the data (10 March) cannot be judged and is not listed; the next is due 6 months later.
    reviews = review_schedule(
        period=CarePeriod(start=date(2023, 6, 1), starts_with_s=False),
        held_review_dates=[date(2024, 3, 10), date(2024, 8, 1)],
        as_of=date(2024, 12, 31),
    )
    assert _summary(reviews) == [
        (None, date(2024, 9, 10), date(2024, 8, 1), True),
        (None, date(2025, 2, 1), None, False),
    ]
    assert {r.rule for r in reviews} == {ReviewRule.LATER_6_MONTHS}


def test_a_period_not_starting_with_s_and_no_held_review_has_nothing_due():
    period = CarePeriod(start=date(2023, 6, 1), starts_with_s=False)
    assert review_schedule(period=period, held_review_dates=[], as_of=date(2024, 12, 31)) == []


def test_reviews_before_the_data_begin_are_unknown_so_the_first_one_found_is_not_judged():
    # ssd-extracts.md §5 R5: C1002's period began 1 March 2021, but the review data begin in
    # 2024; R5 (15 Aug 2024) cannot be judged, and he left care on 2 Nov 2024 before the next
    # review (15 Feb 2025) fell due: nothing to count.
    period = CarePeriod(start=date(2021, 3, 1), end=date(2024, 11, 2))
    assert (
        review_schedule(
            period=period,
            held_review_dates=[date(2024, 8, 15)],
            as_of=date(2025, 3, 31),
            reviews_known_from=date(2024, 4, 1),
        )
        == []
    )
    # Without the coverage date, the same review would be judged as a very late first review.
    judged = review_schedule(
        period=period, held_review_dates=[date(2024, 8, 15)], as_of=date(2025, 3, 31)
    )
    assert _summary(judged) == [(1, date(2021, 3, 29), date(2024, 8, 15), False)]


def test_a_period_starting_inside_the_review_data_is_scheduled_from_its_start():
    reviews = review_schedule(
        period=WORKED_PERIOD,
        held_review_dates=WORKED_HELD,
        as_of=date(2025, 3, 31),
        reviews_known_from=date(2024, 1, 8),
    )
    assert reviews[0].sequence == 1


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        CarePeriod(start=date(2024, 1, 8), end=date(2024, 1, 7))
