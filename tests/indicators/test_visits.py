"""Statutory visits (reg. 28): visits_on_time (with by_team), visits_due, visits_seen_6_weeks.

Every due date below was counted by hand: 7 days after a placement starts, then 42 days
(6 weeks) after each visit or missed due date, or 3 calendar months in long-term foster care
(U1/U4) after the placement's first year. Calendars: 1 March 2024 was a Friday, 8 January
2024 a Monday.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from organisations.models import LocalAuthority
from tests.indicators.builders import child_make, episode_make, figures, la_get
from tests.indicators.casework_builders import allocation_make, team_make, visit_make

pytestmark = pytest.mark.django_db


def _fraction(cells: dict, indicator: str, period: str) -> tuple[int, int]:
    cell = cells[indicator][period]
    return cell["numerator"], cell["denominator"]


def test_a_visit_due_on_a_saturday_and_made_on_the_monday_is_late():
    la = la_get()
    child = child_make(la, "SAT")
    episode_make(child, "2024-03-02", "S", "C2", "U6")  # Saturday: first visit due Sat 9 March
    visit_make(child, "2024-03-11")  # Monday 11 March: late (due dates never move)
    visit_make(child, "2024-04-19")  # next due 11 Mar + 42 = Mon 22 April: made early

    march = figures(la, "2024-03")
    april = figures(la, "2024-04")

    assert _fraction(march, "visits_on_time", "month") == (0, 1)
    assert march["visits_due"]["month"]["breakdown"] == {"due": 1, "not_seen_in_timescale": 1}
    assert _fraction(april, "visits_on_time", "month") == (1, 1)
    assert april["visits_due"]["month"]["breakdown"] == {"due": 1, "not_seen_in_timescale": 0}


def test_a_visit_where_the_child_was_not_seen_does_not_count():
    la = la_get()
    child = child_make(la, "UNSEEN")
    episode_make(child, "2024-03-02", "S", "C2", "U6")  # due Saturday 9 March
    visit_make(child, "2024-03-08", seen=False)

    march = figures(la, "2024-03")

    assert _fraction(march, "visits_on_time", "month") == (0, 1)
    assert _fraction(march, "visits_seen_6_weeks", "at_e") == (0, 1)


def _unseen_18_weeks(la: LocalAuthority):
    child = child_make(la, "UNSEEN18")
    episode_make(child, "2024-01-08", "S", "C2", "U6")  # first visit due 15 January
    visit_make(child, "2024-01-12")  # on time; next due 12 Jan + 42 = Fri 23 February
    # Not seen again until Monday 20 May, 18 weeks and 3 days later. Missed due dates chain:
    # 23 Feb, 23 Feb + 42 = 5 April, 5 Apr + 42 = 17 May: three missed visits.
    visit_make(child, "2024-05-20")
    return child


def test_a_child_unseen_for_18_weeks_has_missed_three_visits_in_the_right_months():
    la = la_get()
    _unseen_18_weeks(la)

    feb, march, april, may = (figures(la, m) for m in ("2024-02", "2024-03", "2024-04", "2024-05"))

    assert _fraction(feb, "visits_on_time", "month") == (0, 1)  # 23 February
    assert march["visits_on_time"]["month"]["denominator"] == 0  # nothing due in March
    assert _fraction(april, "visits_on_time", "month") == (0, 1)  # 5 April
    assert _fraction(may, "visits_on_time", "month") == (0, 1)  # 17 May, met late on 20 May
    # Year to date (from 1 April 2024): 5 April and 17 May; in 2023/24, 15 Jan and 23 Feb.
    assert _fraction(may, "visits_on_time", "ytd") == (0, 2)
    assert _fraction(march, "visits_on_time", "ytd") == (1, 2)
    assert may["visits_due"]["month"]["breakdown"] == {"due": 1, "not_seen_in_timescale": 1}
    # Seen in the 6 weeks to 31 March (from 18 February)? No. To 31 May (from 19 April)? Yes.
    assert _fraction(march, "visits_seen_6_weeks", "at_e") == (0, 1)
    assert _fraction(may, "visits_seen_6_weeks", "at_e") == (1, 1)


def test_the_schedule_restarts_from_the_late_visit():
    la = la_get()
    child = _unseen_18_weeks(la)
    visit_make(child, "2024-06-28")  # next due 20 May + 42 = Monday 1 July: made early

    july = figures(la, "2024-07")

    assert _fraction(july, "visits_on_time", "month") == (1, 1)


def test_a_placement_move_restarts_the_schedule():
    la = la_get()
    child = child_make(la, "MOVE")
    episode_make(child, "2024-01-08", "S", "C2", "U6", dec="2024-02-20", rec="X1")
    visit_make(child, "2024-01-12")  # on time; next due 23 February in this placement
    # New carers on 20 February: the 23 February due date lapses, first visit due 27 Feb.
    episode_make(child, "2024-02-20", "P", "C2", "U4", pl_post="PE1 1AA")
    visit_make(child, "2024-02-26")

    feb = figures(la, "2024-02")

    assert _fraction(feb, "visits_on_time", "month") == (1, 1)


def test_without_the_move_the_same_visit_would_be_late():
    la = la_get()
    child = child_make(la, "STAY")
    episode_make(child, "2024-01-08", "S", "C2", "U6")
    visit_make(child, "2024-01-12")
    visit_make(child, "2024-02-26")  # due 23 February

    feb = figures(la, "2024-02")

    assert _fraction(feb, "visits_on_time", "month") == (0, 1)


def _long_term(la: LocalAuthority, place: str):
    child = child_make(la, f"LT{place}")
    episode_make(child, "2023-03-01", "S", "C2", place)  # first anniversary 1 March 2024
    # The day before the anniversary: still the first year, so 6 weeks → due 11 April 2024.
    visit_make(child, "2024-02-29")
    # On its due date (on time). After the first year: U4 → 3 months (11 July), U6 → 6 weeks
    # (23 May).
    visit_make(child, "2024-04-11")
    return child


def test_long_term_foster_care_after_the_first_year_is_visited_every_3_months():
    la = la_get()
    child = _long_term(la, "U4")
    visit_make(child, "2024-07-10")  # due 11 July: on time; next due 10 October

    april, may, june, july = (figures(la, m) for m in ("2024-04", "2024-05", "2024-06", "2024-07"))

    assert _fraction(april, "visits_on_time", "month") == (1, 1)  # 11 April: 6 weeks, not 3 m
    assert may["visits_on_time"]["month"]["denominator"] == 0
    assert june["visits_on_time"]["month"]["denominator"] == 0
    assert _fraction(july, "visits_on_time", "month") == (1, 1)
    assert _fraction(july, "visits_on_time", "ytd") == (2, 2)


def test_other_placements_after_the_first_year_stay_on_6_weeks():
    la = la_get()
    _long_term(la, "U6")

    may = figures(la, "2024-05")

    assert _fraction(may, "visits_on_time", "month") == (0, 1)  # 23 May, never visited


def test_by_team_uses_the_allocation_open_on_the_due_date():
    la = la_get()
    t10, t20 = team_make(la, "T10"), team_make(la, "T20")
    handed_over = _unseen_18_weeks(la)  # due 23 Feb 2024, missed
    # T10's allocation ends on the due date, so on 23 February it is T20's child.
    allocation_make(handed_over, t10, "2024-01-08", "2024-02-23")
    allocation_make(handed_over, t20, "2024-02-23")
    dropped = child_make(la, "DROPPED")
    episode_make(dropped, "2024-01-08", "S", "C2", "U6")
    visit_make(dropped, "2024-01-12")
    visit_make(dropped, "2024-02-22")  # due 23 February: on time
    # Allocated until the due date only: unallocated on it.
    allocation_make(dropped, t10, "2024-01-08", "2024-02-23")

    feb = figures(la, "2024-02")["visits_on_time"]["month"]

    assert (feb["numerator"], feb["denominator"]) == (1, 2)
    assert feb["by_team"] == {"T20": [0, 1], "unallocated": [1, 1]}


def test_the_local_six_weekly_standard_is_an_authority_setting():
    la = la_get()
    la.visit_standard = LocalAuthority.VisitStandard.SIX_WEEKLY
    la.save(update_fields=["visit_standard"])
    _long_term(la, "U4")

    may = figures(la, "2024-05")

    assert _fraction(may, "visits_on_time", "month") == (0, 1)  # 11 Apr + 42 = 23 May


def test_children_on_short_breaks_have_no_visits_due():
    la = la_get()
    child = child_make(la, "RESPITE")
    episode_make(child, "2024-03-02", "S", "V3", "U6")

    march = figures(la, "2024-03")

    assert march["visits_on_time"]["month"]["denominator"] == 0
    assert march["visits_due"]["month"]["breakdown"] == {"due": 0, "not_seen_in_timescale": 0}


def test_visiting_twice_a_week_before_each_due_date_adds_no_visits_to_the_year():
    # A hand-worked year: a U6 placement from Saturday 1 April 2023 (first visit due 8 April).
    # Before each due date the child is seen twice, 4 days before and on the day; the next
    # due date runs 42 days from the later visit (indicators.md §3 Visits):
    #   8 Apr, 19 May, 30 Jun, 11 Aug, 22 Sep, 3 Nov, 15 Dec 2023, 26 Jan 2024 — all on time;
    #   then 26 Jan + 42 = 8 March (2024 is a leap year), seen late on 12 March.
    # 9 due dates in the year, 8 on time. Were each visit to restart the schedule, the earlier
    # visit of each pair would add a due date of its own (15 May, 26 Jun, … 4 March) that the
    # later one "meets": 17 due dates, 16 on time.
    la = la_get()
    child = child_make(la, "TWICE")
    episode_make(child, "2023-04-01", "S", "C2", "U6")
    dues = ["2023-04-08", "2023-05-19", "2023-06-30", "2023-08-11", "2023-09-22",
            "2023-11-03", "2023-12-15", "2024-01-26"]  # fmt: skip
    for due in dues:
        on_the_day = date.fromisoformat(due)
        visit_make(child, (on_the_day - timedelta(days=4)).isoformat())
        visit_make(child, due)
    visit_make(child, "2024-03-12")  # due 8 March: late

    march = figures(la, "2024-03")

    assert _fraction(march, "visits_on_time", "ytd") == (8, 9)
    assert _fraction(march, "visits_on_time", "month") == (0, 1)
    assert march["visits_due"]["month"]["breakdown"] == {"due": 1, "not_seen_in_timescale": 1}


def test_moving_on_from_hospital_starts_a_new_schedule_whatever_the_rne():
    # Looked after from birth in hospital (T1) on Friday 1 March 2024: first visit due
    # 8 March, met on 5 March. On 1 April the child moves to foster carers, recorded as a
    # legal-status change only (RNE L): the hospital stay was never a placement, so the
    # foster placement is the first one and its first visit is due 8 April (not 16 April,
    # 5 March + 42). Seen on 10 April: late.
    la = la_get()
    child = child_make(la, "BABY", dob="2024-03-01")
    episode_make(child, "2024-03-01", "S", "V2", "T1", dec="2024-04-01", rec="X1")
    episode_make(child, "2024-04-01", "L", "C1", "U4")
    visit_make(child, "2024-03-05")
    visit_make(child, "2024-04-10")

    assert _fraction(figures(la, "2024-03"), "visits_on_time", "month") == (1, 1)
    assert _fraction(figures(la, "2024-04"), "visits_on_time", "month") == (0, 1)
