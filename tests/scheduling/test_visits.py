"""Statutory visits (reg. 28), as indicators.md §3 "Visits" defines them.

Every expected due date was counted by hand (42 days = 6 weeks, calendar months clamped to
month end); the comments show the arithmetic.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.scheduling.visits import (
    CountedFrom,
    PlacementSpan,
    VisitDue,
    VisitRule,
    VisitStandard,
    visit_schedule,
)


def _placement(
    start: date,
    place: str = "U6",
    *,
    end: date | None = None,
    changes: tuple[tuple[date, str], ...] = (),
) -> PlacementSpan:
    return PlacementSpan(start=start, end=end, places=((start, place), *changes))


def _summary(dues: list[VisitDue]) -> list[tuple[date, date | None, bool]]:
    return [(d.due_date, d.met_date, d.on_time) for d in dues]


def _due_counted_from_visit(dues: list[VisitDue], visit: date) -> VisitDue:
    (due,) = [
        d for d in dues if d.counted_from == visit and d.counted_from_kind == CountedFrom.VISIT
    ]
    return due


# --- ssd-extracts.md §5 worked example -----------------------------------------------------

WORKED_PLACEMENT = _placement(date(2024, 1, 8), "U6")
WORKED_SEEN_VISITS = [date(2024, 1, 12), date(2024, 2, 20), date(2024, 4, 10)]  # V4 not seen


def test_worked_example_v1_and_v2_on_time_v3_late_and_next_due_22_may():
    dues = visit_schedule(
        placements=[WORKED_PLACEMENT],
        seen_visit_dates=WORKED_SEEN_VISITS,
        as_of=date(2024, 5, 21),
        horizon=date(2024, 5, 22),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 12), True),  # start + 7; V1 4 days in
        (date(2024, 2, 23), date(2024, 2, 20), True),  # V1 + 42; V2 39 days after V1
        (date(2024, 4, 2), date(2024, 4, 10), False),  # V2 + 42; V3 50 days after V2
        (date(2024, 5, 22), None, False),  # V3 + 42: V4 was not seen
    ]
    assert [d.rule for d in dues] == [
        VisitRule.FIRST_WEEK,
        VisitRule.SIX_WEEKS_FIRST_YEAR,
        VisitRule.SIX_WEEKS_FIRST_YEAR,
        VisitRule.SIX_WEEKS_FIRST_YEAR,
    ]


def test_worked_example_at_the_may_month_end_the_22_may_visit_is_missed():
    dues = visit_schedule(
        placements=[WORKED_PLACEMENT],
        seen_visit_dates=[*WORKED_SEEN_VISITS],
        as_of=date(2024, 5, 31),
    )
    assert dues[-1] == VisitDue(
        due_date=date(2024, 5, 22),
        placement_start=date(2024, 1, 8),
        rule=VisitRule.SIX_WEEKS_FIRST_YEAR,
        counted_from=date(2024, 4, 10),
        counted_from_kind=CountedFrom.VISIT,
        met_date=None,
        on_time=False,
    )


def test_a_visit_after_the_as_of_date_does_not_exist_yet():
    # As of 9 April (V3 is on 10 April = E + 1), the 2 April visit is unmet, and with a
    # horizon the next one is chained from the missed due date: 2 April + 42 = 14 May.
    dues = visit_schedule(
        placements=[WORKED_PLACEMENT],
        seen_visit_dates=WORKED_SEEN_VISITS,
        as_of=date(2024, 4, 9),
        horizon=date(2024, 5, 31),
    )
    assert _summary(dues)[2:] == [
        (date(2024, 4, 2), None, False),
        (date(2024, 5, 14), None, False),
    ]
    assert dues[3].counted_from_kind == CountedFrom.MISSED_DUE_DATE


def test_a_due_date_met_early_is_listed_only_once_it_is_on_or_before_the_horizon():
    # On 20 February V2 meets the visit due on 23 February early.
    as_of = date(2024, 2, 20)
    without = visit_schedule(
        placements=[WORKED_PLACEMENT], seen_visit_dates=WORKED_SEEN_VISITS, as_of=as_of
    )
    assert _summary(without) == [(date(2024, 1, 15), date(2024, 1, 12), True)]
    with_horizon = visit_schedule(
        placements=[WORKED_PLACEMENT],
        seen_visit_dates=WORKED_SEEN_VISITS,
        as_of=as_of,
        horizon=date(2024, 2, 29),
    )
    assert _summary(with_horizon)[1] == (date(2024, 2, 23), date(2024, 2, 20), True)


# --- due dates are calendar dates ---------------------------------------------------------


def test_a_visit_due_on_a_saturday_and_made_on_the_monday_is_late():
    # Placement starts Saturday 24 Feb 2024: first visit due Saturday 2 March.
    dues = visit_schedule(
        placements=[_placement(date(2024, 2, 24))],
        seen_visit_dates=[date(2024, 3, 4)],  # Monday
        as_of=date(2024, 3, 31),
        horizon=date(2024, 4, 30),
    )
    assert _summary(dues) == [
        (date(2024, 3, 2), date(2024, 3, 4), False),
        (date(2024, 4, 15), None, False),  # 4 March + 42: 27 days to 31 March, 15 more
    ]


def test_a_visit_due_on_a_saturday_made_on_the_friday_before_is_on_time():
    dues = visit_schedule(
        placements=[_placement(date(2024, 2, 24))],
        seen_visit_dates=[date(2024, 3, 1)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(dues) == [(date(2024, 3, 2), date(2024, 3, 1), True)]


def test_a_six_week_visit_due_on_a_bank_holiday_is_not_moved():
    # Start Mon 8 April 2024, visited on the due day Mon 15 April; 15 April + 42 =
    # Mon 27 May 2024, the Spring bank holiday: still due that day.
    placement = _placement(date(2024, 4, 8))
    late = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2024, 4, 15), date(2024, 5, 28)],
        as_of=date(2024, 5, 31),
    )
    assert _summary(late) == [
        (date(2024, 4, 15), date(2024, 4, 15), True),  # met on its own day: on time
        (date(2024, 5, 27), date(2024, 5, 28), False),
    ]
    on_the_day = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2024, 4, 15), date(2024, 5, 27)],
        as_of=date(2024, 5, 31),
    )
    assert _summary(on_the_day)[1] == (date(2024, 5, 27), date(2024, 5, 27), True)


# --- missed due dates chain ---------------------------------------------------------------


def test_a_child_unseen_for_18_weeks_has_missed_three_visits():
    # Start Wed 20 Dec 2023; seen on the due day 27 Dec; then not seen for 18 weeks (126 days)
    # to 1 May 2024. 27 Dec + 42 = 7 Feb; 7 Feb + 42 = 20 Mar (2024 is a leap year);
    # 20 Mar + 42 = 1 May. Missed visits fall in February, March and May, none in April.
    dues = visit_schedule(
        placements=[_placement(date(2023, 12, 20))],
        seen_visit_dates=[date(2023, 12, 27)],
        as_of=date(2024, 5, 1),
    )
    assert _summary(dues) == [
        (date(2023, 12, 27), date(2023, 12, 27), True),
        (date(2024, 2, 7), None, False),
        (date(2024, 3, 20), None, False),
        (date(2024, 5, 1), None, False),
    ]
    assert [d.counted_from for d in dues[1:]] == [
        date(2023, 12, 27),
        date(2024, 2, 7),
        date(2024, 3, 20),
    ]
    assert [d.counted_from_kind for d in dues[1:]] == [
        CountedFrom.VISIT,
        CountedFrom.MISSED_DUE_DATE,
        CountedFrom.MISSED_DUE_DATE,
    ]


def test_a_visit_after_18_weeks_meets_all_three_late_and_restarts_the_schedule():
    dues = visit_schedule(
        placements=[_placement(date(2023, 12, 20))],
        seen_visit_dates=[date(2023, 12, 27), date(2024, 5, 3)],
        as_of=date(2024, 5, 31),
        horizon=date(2024, 6, 30),
    )
    assert _summary(dues) == [
        (date(2023, 12, 27), date(2023, 12, 27), True),
        (date(2024, 2, 7), date(2024, 5, 3), False),
        (date(2024, 3, 20), date(2024, 5, 3), False),
        (date(2024, 5, 1), date(2024, 5, 3), False),
        (date(2024, 6, 14), None, False),  # 3 May + 42 (not 1 May + 42 = 12 June)
    ]


def test_a_late_visit_drops_the_due_date_chained_after_its_day():
    # Start 8 Jan 2024, seen 10 Jan; due 21 Feb (10 Jan + 42) missed, chained 3 Apr
    # (21 Feb + 42). Seen 1 March: meets 21 Feb late; 3 April is never due; next is
    # 1 March + 42 = 12 April.
    dues = visit_schedule(
        placements=[_placement(date(2024, 1, 8))],
        seen_visit_dates=[date(2024, 1, 10), date(2024, 3, 1)],
        as_of=date(2024, 4, 30),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 10), True),
        (date(2024, 2, 21), date(2024, 3, 1), False),
        (date(2024, 4, 12), None, False),
    ]


def test_a_chained_due_date_on_the_visit_day_is_met_on_time():
    dues = visit_schedule(
        placements=[_placement(date(2024, 1, 8))],
        seen_visit_dates=[date(2024, 1, 10), date(2024, 4, 3)],
        as_of=date(2024, 4, 30),
        horizon=date(2024, 5, 31),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 10), True),
        (date(2024, 2, 21), date(2024, 4, 3), False),
        (date(2024, 4, 3), date(2024, 4, 3), True),
        (date(2024, 5, 15), None, False),  # 3 April + 42
    ]


def test_visits_before_one_due_date_meet_it_once_and_the_next_runs_from_the_latest():
    # indicators.md §3 Visits: placement from 24 Dec 2024 (U6), seen 31 Dec (meets 31 Dec on
    # its day); next due 31 Dec + 42 = 11 Feb 2025. Seen on 3 and 7 Feb: together they meet
    # 11 Feb once, and the next is due 7 Feb + 42 = 21 March — not also 17 March
    # (3 Feb + 42), which the 7 Feb visit would otherwise "meet" as a second on-time visit.
    dues = visit_schedule(
        placements=[_placement(date(2024, 12, 24))],
        seen_visit_dates=[date(2024, 12, 31), date(2025, 2, 3), date(2025, 2, 7)],
        as_of=date(2025, 2, 28),
        horizon=date(2025, 3, 31),
    )
    assert _summary(dues) == [
        (date(2024, 12, 31), date(2024, 12, 31), True),
        (date(2025, 2, 11), date(2025, 2, 3), True),
        (date(2025, 3, 21), None, False),
    ]
    assert (dues[2].counted_from, dues[2].counted_from_kind) == (
        date(2025, 2, 7),
        CountedFrom.VISIT,
    )


def test_after_a_late_visit_the_visits_before_the_next_due_date_meet_it_once():
    # The same after a missed due date: placement from 1 Dec 2024, first visit due 8 Dec,
    # missed; seen late on 31 Dec (meets 8 Dec late; 8 Dec + 42 = 19 Jan is dropped), so the
    # next is due 31 Dec + 42 = 11 Feb 2025. Seen on 3 and 7 Feb: 11 Feb is met once and the
    # next is due 21 March.
    dues = visit_schedule(
        placements=[_placement(date(2024, 12, 1))],
        seen_visit_dates=[date(2024, 12, 31), date(2025, 2, 3), date(2025, 2, 7)],
        as_of=date(2025, 2, 28),
        horizon=date(2025, 3, 31),
    )
    assert _summary(dues) == [
        (date(2024, 12, 8), date(2024, 12, 31), False),
        (date(2025, 2, 11), date(2025, 2, 3), True),
        (date(2025, 3, 21), None, False),
    ]


def test_a_late_visit_restarts_the_schedule_and_the_next_visit_meets_the_due_date_after_it():
    # Missed 31 Dec 2024 (chained 11 Feb): the visit on 3 Feb meets 31 Dec late and restarts
    # the schedule, so 11 Feb is dropped and 3 Feb + 42 = 17 March is due; 7 Feb, the next
    # visit after that anchor, meets it; the next runs from 7 Feb: 21 March.
    placement = _placement(date(2024, 11, 12))  # first due 19 Nov, met on the day
    dues = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2024, 11, 19), date(2025, 2, 3), date(2025, 2, 7)],
        as_of=date(2025, 2, 28),
        horizon=date(2025, 3, 31),
    )
    assert _summary(dues) == [
        (date(2024, 11, 19), date(2024, 11, 19), True),
        (date(2024, 12, 31), date(2025, 2, 3), False),  # 19 Nov + 42
        (date(2025, 3, 17), date(2025, 2, 7), True),
        (date(2025, 3, 21), None, False),
    ]


def test_three_visits_between_due_dates_add_no_due_dates():
    # Seen 12 Jan (meets 15 Jan), then 26 Jan, 5 Feb and 20 Feb before the 23 Feb due date
    # (12 Jan + 42): one due date met, the next from 20 Feb: 2 April.
    dues = visit_schedule(
        placements=[_placement(date(2024, 1, 8))],
        seen_visit_dates=[
            date(2024, 1, 12),
            date(2024, 1, 26),
            date(2024, 2, 5),
            date(2024, 2, 20),
        ],
        as_of=date(2024, 4, 1),
        horizon=date(2024, 4, 30),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 12), True),
        (date(2024, 2, 23), date(2024, 1, 26), True),
        (date(2024, 4, 2), None, False),
    ]


def test_a_visit_on_the_due_date_itself_is_one_of_the_visits_that_meet_it():
    # Seen 20 Feb and on the due day 23 Feb: the next runs from 23 Feb (+ 42 = 5 April).
    dues = visit_schedule(
        placements=[WORKED_PLACEMENT],
        seen_visit_dates=[date(2024, 1, 12), date(2024, 2, 20), date(2024, 2, 23)],
        as_of=date(2024, 3, 31),
        horizon=date(2024, 4, 30),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 12), True),
        (date(2024, 2, 23), date(2024, 2, 20), True),
        (date(2024, 4, 5), None, False),
    ]


def test_two_seen_visits_on_one_day_count_once():
    once = visit_schedule(
        placements=[WORKED_PLACEMENT], seen_visit_dates=[date(2024, 1, 12)], as_of=date(2024, 3, 1)
    )
    twice = visit_schedule(
        placements=[WORKED_PLACEMENT],
        seen_visit_dates=[date(2024, 1, 12), date(2024, 1, 12)],
        as_of=date(2024, 3, 1),
    )
    assert twice == once
    assert _summary(once) == [
        (date(2024, 1, 15), date(2024, 1, 12), True),
        (date(2024, 2, 23), None, False),
    ]


# --- placements ---------------------------------------------------------------------------


def test_a_placement_move_restarts_the_schedule_and_later_due_dates_lapse():
    # Placement A from 8 Jan 2024: seen 10 Jan; 21 Feb missed; its next due date, 3 April,
    # falls after the move on 15 March and lapses. B from 15 March: first due 22 March.
    first = _placement(date(2024, 1, 8), "U6", end=date(2024, 3, 15))
    second = _placement(date(2024, 3, 15), "K2")
    dues = visit_schedule(
        placements=[second, first],
        seen_visit_dates=[date(2024, 1, 10), date(2024, 3, 20)],
        as_of=date(2024, 4, 30),
    )
    assert [(d.placement_start, d.due_date, d.met_date, d.on_time) for d in dues] == [
        (date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 10), True),
        (date(2024, 1, 8), date(2024, 2, 21), None, False),  # stays missed
        (date(2024, 3, 15), date(2024, 3, 22), date(2024, 3, 20), True),
    ]
    assert dues[2].rule == VisitRule.FIRST_WEEK


def test_a_visit_on_the_day_of_a_move_belongs_to_the_new_placement():
    first = _placement(date(2024, 1, 8), "U6", end=date(2024, 3, 15))
    second = _placement(date(2024, 3, 15), "K2")
    dues = visit_schedule(
        placements=[first, second],
        seen_visit_dates=[date(2024, 1, 10), date(2024, 3, 15)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 10), True),
        (date(2024, 2, 21), None, False),  # not met late by the visit in the new placement
        (date(2024, 3, 22), date(2024, 3, 15), True),
    ]


def test_a_due_date_on_the_day_a_placement_ends_lapses():
    # The child is no longer in the placement on its end date (indicators.md §1).
    dues = visit_schedule(
        placements=[_placement(date(2024, 1, 8), end=date(2024, 2, 21))],
        seen_visit_dates=[date(2024, 1, 10)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(dues) == [(date(2024, 1, 15), date(2024, 1, 10), True)]
    day_after = visit_schedule(
        placements=[_placement(date(2024, 1, 8), end=date(2024, 2, 22))],
        seen_visit_dates=[date(2024, 1, 10)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(day_after)[1] == (date(2024, 2, 21), None, False)


def test_a_due_date_met_early_lapses_when_the_placement_ends_before_it():
    # Seen 12 Jan (meets 15 Jan) and 30 Jan: 30 Jan would meet 23 Feb early, but the
    # child left care on 10 Feb, so 23 Feb never fell due.
    dues = visit_schedule(
        placements=[_placement(date(2024, 1, 8), end=date(2024, 2, 10))],
        seen_visit_dates=[date(2024, 1, 12), date(2024, 1, 30)],
        as_of=date(2024, 3, 31),
    )
    assert _summary(dues) == [(date(2024, 1, 15), date(2024, 1, 12), True)]


def test_a_placement_end_after_the_as_of_date_is_not_known_yet():
    placement = _placement(date(2024, 1, 8), end=date(2024, 2, 10))
    dues = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2024, 1, 12)],
        as_of=date(2024, 2, 1),
        horizon=date(2024, 2, 29),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 12), True),
        (date(2024, 2, 23), None, False),
    ]


def test_an_overlapping_later_placement_ends_the_earlier_one_from_its_start():
    # A "ends" 31 March but B starts 15 March: A is treated as ending on 15 March.
    first = _placement(date(2024, 1, 8), end=date(2024, 3, 31))
    second = _placement(date(2024, 3, 15), "K2")
    dues = visit_schedule(
        placements=[first, second],
        seen_visit_dates=[date(2024, 1, 10), date(2024, 3, 20)],
        as_of=date(2024, 4, 30),
    )
    assert _summary(dues) == [
        (date(2024, 1, 15), date(2024, 1, 10), True),
        (date(2024, 2, 21), None, False),
        (date(2024, 3, 22), date(2024, 3, 20), True),
    ]


def test_visits_before_the_placement_and_placements_after_the_as_of_date_are_ignored():
    dues = visit_schedule(
        placements=[_placement(date(2024, 1, 8)), _placement(date(2024, 6, 1), "K2")],
        seen_visit_dates=[date(2024, 1, 5), date(2024, 1, 8)],
        as_of=date(2024, 1, 31),
    )
    assert _summary(dues) == [(date(2024, 1, 15), date(2024, 1, 8), True)]


# --- long-term foster care and the first year -------------------------------------------


@pytest.mark.parametrize(
    ("place", "visit", "expected_due", "expected_rule"),
    [
        # U4 from 10 Jan 2022: the first anniversary is 10 Jan 2023.
        ("U4", date(2023, 1, 9), date(2023, 2, 20), VisitRule.SIX_WEEKS_FIRST_YEAR),
        ("U4", date(2023, 1, 10), date(2023, 4, 10), VisitRule.THREE_MONTHS_LONG_TERM),
        ("U1", date(2023, 1, 10), date(2023, 4, 10), VisitRule.THREE_MONTHS_LONG_TERM),
        ("U4", date(2023, 3, 31), date(2023, 6, 30), VisitRule.THREE_MONTHS_LONG_TERM),
        ("U6", date(2023, 1, 10), date(2023, 2, 21), VisitRule.SIX_WEEKS),
        ("K2", date(2023, 3, 31), date(2023, 5, 12), VisitRule.SIX_WEEKS),
    ],
)
def test_interval_after_a_visit_depends_on_the_first_year_and_long_term_care(
    place, visit, expected_due, expected_rule
):
    dues = visit_schedule(
        placements=[_placement(date(2022, 1, 10), place)],
        seen_visit_dates=[visit],
        as_of=visit,
        horizon=visit + timedelta(days=120),
    )
    due = _due_counted_from_visit(dues, visit)
    assert (due.due_date, due.rule) == (expected_due, expected_rule)


def test_a_placement_becoming_long_term_part_way_uses_the_code_on_the_visit_day():
    # U6 from 10 Jan 2022, the same carers approved long-term (T episode) from 1 June 2022.
    placement = _placement(date(2022, 1, 10), "U6", changes=((date(2022, 6, 1), "U4"),))
    visits = [date(2022, 5, 31), date(2022, 7, 1), date(2023, 3, 1)]
    dues = visit_schedule(
        placements=[placement],
        seen_visit_dates=visits,
        as_of=date(2023, 3, 1),
        horizon=date(2023, 6, 30),
    )
    assert _due_counted_from_visit(dues, date(2022, 5, 31)).due_date == date(2022, 7, 12)
    assert _due_counted_from_visit(dues, date(2022, 7, 1)).due_date == date(2022, 8, 12)
    after_first_year = _due_counted_from_visit(dues, date(2023, 3, 1))
    assert (after_first_year.due_date, after_first_year.rule) == (
        date(2023, 6, 1),
        VisitRule.THREE_MONTHS_LONG_TERM,
    )


def test_the_interval_after_a_missed_due_date_is_judged_on_that_due_date():
    # U4 from 10 Jan 2022; seen 20 Dec 2022 (first year): due 31 Jan 2023 (20 Dec + 42).
    # Missed; 31 Jan 2023 is after the anniversary, long-term: next 30 April (clamped),
    # then 30 July, 30 October.
    dues = visit_schedule(
        placements=[_placement(date(2022, 1, 10), "U4")],
        seen_visit_dates=[date(2022, 12, 20)],
        as_of=date(2023, 10, 31),
    )
    tail = [(d.due_date, d.rule, d.met_date) for d in dues if d.due_date >= date(2023, 1, 1)]
    assert tail == [
        (date(2023, 1, 31), VisitRule.SIX_WEEKS_FIRST_YEAR, None),
        (date(2023, 4, 30), VisitRule.THREE_MONTHS_LONG_TERM, None),
        (date(2023, 7, 30), VisitRule.THREE_MONTHS_LONG_TERM, None),
        (date(2023, 10, 30), VisitRule.THREE_MONTHS_LONG_TERM, None),
    ]


def test_a_temporary_placement_does_not_interrupt_long_term_foster_care():
    # Usual U4 placement from 10 Jan 2022; the carers' holiday (T3) 1–8 March 2023 is bridged:
    # a visit during it, after the first year, still gives 3 months.
    placement = _placement(
        date(2022, 1, 10), "U4", changes=((date(2023, 3, 1), "T3"), (date(2023, 3, 8), "U4"))
    )
    dues = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2023, 3, 3)],
        as_of=date(2023, 3, 3),
        horizon=date(2023, 7, 1),
    )
    due = _due_counted_from_visit(dues, date(2023, 3, 3))
    assert (due.due_date, due.rule) == (date(2023, 6, 3), VisitRule.THREE_MONTHS_LONG_TERM)


def test_a_placement_starting_on_29_february_is_in_its_first_year_to_28_february():
    # Durations count both days (indicators.md §1): from 29 Feb 2024 the placement has lasted
    # 12 months on 28 Feb 2025 (366 days), so a visit that day is still in its first year:
    # 6 weeks. On 1 March 2025 the first year is over and U4 gives 3 months.
    placement = _placement(date(2024, 2, 29), "U4")
    on_28_february = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2025, 2, 28)],
        as_of=date(2025, 2, 28),
        horizon=date(2025, 6, 30),
    )
    due = _due_counted_from_visit(on_28_february, date(2025, 2, 28))
    assert (due.due_date, due.rule) == (date(2025, 4, 11), VisitRule.SIX_WEEKS_FIRST_YEAR)
    on_1_march = visit_schedule(
        placements=[placement],
        seen_visit_dates=[date(2025, 3, 1)],
        as_of=date(2025, 3, 1),
        horizon=date(2025, 6, 30),
    )
    due = _due_counted_from_visit(on_1_march, date(2025, 3, 1))
    assert (due.due_date, due.rule) == (date(2025, 6, 1), VisitRule.THREE_MONTHS_LONG_TERM)


def test_the_local_six_weekly_standard_applies_six_weeks_to_long_term_care_too():
    dues = visit_schedule(
        placements=[_placement(date(2022, 1, 10), "U4")],
        seen_visit_dates=[date(2023, 1, 10)],
        as_of=date(2023, 1, 10),
        horizon=date(2023, 3, 31),
        standard="six_weekly",
    )
    assert dues[0].due_date == date(2022, 1, 17)  # the first visit is still due in a week
    due = _due_counted_from_visit(dues, date(2023, 1, 10))
    assert (due.due_date, due.rule) == (date(2023, 2, 21), VisitRule.SIX_WEEKS_LOCAL_STANDARD)


# --- arguments ----------------------------------------------------------------------------


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        visit_schedule(
            placements=[WORKED_PLACEMENT],
            seen_visit_dates=[],
            as_of=date(2024, 3, 1),
            horizon=date(2024, 2, 1),
        )
    with pytest.raises(ValueError):
        visit_schedule(
            placements=[WORKED_PLACEMENT],
            seen_visit_dates=[],
            as_of=date(2024, 3, 1),
            standard="monthly",
        )
    with pytest.raises(ValueError):
        PlacementSpan(start=date(2024, 1, 8), end=None, places=())
    with pytest.raises(ValueError):
        PlacementSpan(
            start=date(2024, 1, 8), end=date(2024, 1, 7), places=((date(2024, 1, 8), "U6"),)
        )
    assert VisitStandard("statutory") == VisitStandard.STATUTORY


# --- the schedule is causal ---------------------------------------------------------------

_DAY0 = date(2022, 1, 1)
_offsets = st.integers(min_value=0, max_value=900)


@st.composite
def _child(draw):
    starts = sorted(set(draw(st.lists(_offsets, min_size=1, max_size=3))))
    placements = []
    for start in starts:
        start_date = _DAY0 + timedelta(days=start)
        end = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=500)))
        codes = draw(
            st.lists(st.sampled_from(["U1", "U4", "U6", "K2", "T1"]), min_size=1, max_size=3)
        )
        shifts = draw(
            st.lists(
                st.integers(min_value=0, max_value=600), min_size=len(codes), max_size=len(codes)
            )
        )
        placements.append(
            PlacementSpan(
                start=start_date,
                end=None if end is None else start_date + timedelta(days=end),
                places=tuple(
                    (start_date + timedelta(days=0 if i == 0 else s), c)
                    for i, (s, c) in enumerate(zip(shifts, codes, strict=True))
                ),
            )
        )
    visits = [_DAY0 + timedelta(days=v) for v in draw(st.lists(_offsets, max_size=25))]
    return placements, visits


@settings(max_examples=300, deadline=None)
@given(
    child=_child(),
    month_end=st.integers(min_value=0, max_value=1000),
    later=st.integers(min_value=0, max_value=400),
    standard=st.sampled_from(list(VisitStandard)),
)
def test_due_dates_up_to_e_are_the_same_computed_as_of_e_or_later(
    child, month_end, later, standard
):
    placements, visits = child
    e = _DAY0 + timedelta(days=month_end)
    as_of_e = visit_schedule(
        placements=placements, seen_visit_dates=visits, as_of=e, standard=standard
    )
    as_of_later = visit_schedule(
        placements=placements,
        seen_visit_dates=visits,
        as_of=e + timedelta(days=later),
        standard=standard,
    )
    seen_by_e = [
        d if d.met_date is None or d.met_date <= e else _unmet(d)
        for d in as_of_later
        if d.due_date <= e
    ]
    assert as_of_e == seen_by_e
    for due in as_of_e:
        assert due.on_time == (due.met_date is not None and due.met_date <= due.due_date)
        assert due.placement_start < due.due_date <= e


def _unmet(due: VisitDue) -> VisitDue:
    return VisitDue(
        due_date=due.due_date,
        placement_start=due.placement_start,
        rule=due.rule,
        counted_from=due.counted_from,
        counted_from_kind=due.counted_from_kind,
        met_date=None,
        on_time=False,
    )
