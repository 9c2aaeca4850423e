"""The team lists, worked by hand: boundary days (due today, due on a bank holiday, seen on
the due date), one test per list, each as of a day chosen around its due date."""

from __future__ import annotations

from datetime import date

from reviews.selectors import (
    DENTAL_OVERDUE,
    HEALTH_OVERDUE,
    IHA_OUTSTANDING,
    MISSING_NOW,
    PATHWAY_PLAN_OVERDUE,
    PEP_OVERDUE,
    RETURN_INTERVIEWS,
    REVIEWS_DUE_14,
    REVIEWS_OVERDUE,
    VISITS_DUE_7,
    VISITS_DUE_14,
    VISITS_OVERDUE,
    TeamWorklist,
    worklist_for_team,
    worklist_team_choice_get,
)
from reviews.working_days import is_bank_holiday
from tests.worklists.conftest import (
    allocate,
    care_leaver,
    child_make,
    d,
    health,
    looked_after_child,
    missing,
    pep,
    review,
    visit,
)


def lists(world, on: str, team: str = "T10") -> TeamWorklist:
    choice = worklist_team_choice_get(user=world.admin, la=world.la, key=team)
    return worklist_for_team(user=world.admin, la=world.la, choice=choice, as_of=d(on))


def only(worklist: TeamWorklist, kind: str) -> dict[str, object]:
    return {row.child_id: row for row in worklist.rows[kind]}


# --- statutory visits --------------------------------------------------------------------


def test_a_first_visit_due_today_and_not_made_is_overdue_by_zero_days(world):
    looked_after_child(world, "C1", start="2024-03-01")  # first visit due 8 March
    wl = lists(world, "2024-03-08")
    row = only(wl, VISITS_OVERDUE)["C1"]
    assert (row.due_date, row.days_overdue, row.days_text) == (d("2024-03-08"), 0, "Due today")
    assert row.last_date is None
    assert "C1" not in only(wl, VISITS_DUE_7)


def test_the_day_before_it_is_due_the_visit_is_in_both_due_soon_lists(world):
    looked_after_child(world, "C1", start="2024-03-01")
    wl = lists(world, "2024-03-07")
    assert only(wl, VISITS_DUE_7)["C1"].days_text == "Due in 1 day"
    assert "C1" in only(wl, VISITS_DUE_14)
    assert "C1" not in only(wl, VISITS_OVERDUE)


def test_a_visit_due_on_a_bank_holiday_stays_due_that_day(world):
    """Due dates are calendar dates: 25 December is not moved to the next working day."""
    looked_after_child(world, "C1", start="2023-12-18")
    assert is_bank_holiday(day=date(2023, 12, 25))
    assert "C1" in only(lists(world, "2023-12-24"), VISITS_DUE_7)
    row = only(lists(world, "2023-12-25"), VISITS_OVERDUE)["C1"]
    assert (row.due_date, row.days_overdue) == (d("2023-12-25"), 0)
    assert only(lists(world, "2023-12-27"), VISITS_OVERDUE)["C1"].days_overdue == 2


def test_seen_on_the_due_date_meets_it_and_the_next_is_due_six_weeks_later(world):
    child = looked_after_child(world, "C1", start="2024-03-01")
    visit(child, "2024-03-08")
    wl = lists(world, "2024-03-08")
    assert "C1" not in only(wl, VISITS_OVERDUE)
    assert "C1" not in only(wl, VISITS_DUE_14)  # next due 19 April
    row = only(lists(world, "2024-04-10"), VISITS_DUE_14)["C1"]
    assert (row.due_date, row.last_date) == (d("2024-04-19"), d("2024-03-08"))


def test_an_unseen_visit_does_not_count(world):
    child = looked_after_child(world, "C1", start="2024-03-01")
    visit(child, "2024-03-05", seen=False)
    assert "C1" in only(lists(world, "2024-03-08"), VISITS_OVERDUE)


def test_missed_due_dates_chain_and_the_row_shows_the_first_one_missed(world):
    looked_after_child(world, "C1", start="2024-03-01")  # due 8 Mar, 19 Apr, 31 May
    row = only(lists(world, "2024-06-01"), VISITS_OVERDUE)["C1"]
    assert (row.due_date, row.days_overdue) == (d("2024-03-08"), 85)
    assert row.note == "3 due dates missed"


def test_a_new_placement_starts_a_new_schedule(world):
    """A move (RNE P) starts the schedule again: the old placement's missed date lapses."""
    from tests.worklists.conftest import episode_make

    child = child_make(world.la, "C1")
    episode_make(child, "2024-01-01", "S", "U4", dec="2024-03-01")
    episode_make(child, "2024-03-01", "P", "K2")
    allocate(child, world.team1, world.worker1, "2024-01-01")
    wl = lists(world, "2024-03-05")
    assert "C1" not in only(wl, VISITS_OVERDUE)
    row = only(wl, VISITS_DUE_7)["C1"]
    assert row.due_date == d("2024-03-08")
    assert row.placement.startswith("K2")


def test_rows_show_the_allocated_worker_and_most_overdue_come_first(world):
    looked_after_child(world, "C1", start="2024-03-01", worker=world.worker2)
    looked_after_child(world, "C2", start="2024-02-01")
    rows = lists(world, "2024-03-20").rows[VISITS_OVERDUE]
    assert [r.child_id for r in rows] == ["C2", "C1"]
    assert rows[1].worker_name == "Bo Worker"


# --- reviews -----------------------------------------------------------------------------


def test_first_review_due_on_the_twentieth_working_day_past_the_christmas_holidays(world):
    """Care from Wed 20 Dec 2023: 25, 26 Dec and 1 Jan are bank holidays, so the 20th working
    day is Mon 22 Jan 2024."""
    looked_after_child(world, "C1", start="2023-12-20")
    assert only(lists(world, "2024-01-10"), REVIEWS_DUE_14)["C1"].due_date == d("2024-01-22")
    row = only(lists(world, "2024-01-22"), REVIEWS_OVERDUE)["C1"]
    assert (row.due_date, row.days_text, row.note) == (d("2024-01-22"), "Due today", "Review 1")


def test_a_review_held_on_its_due_date_is_not_overdue_and_the_second_is_due_3_months_on(world):
    child = looked_after_child(world, "C1", start="2023-12-20")
    review(child, "2024-01-22")
    wl = lists(world, "2024-01-23")
    assert "C1" not in only(wl, REVIEWS_OVERDUE)
    assert "C1" not in only(wl, REVIEWS_DUE_14)
    row = only(lists(world, "2024-04-22"), REVIEWS_OVERDUE)["C1"]
    assert (row.due_date, row.last_date, row.note) == (d("2024-04-22"), d("2024-01-22"), "Review 2")


def test_a_cancelled_review_is_not_held(world):
    child = looked_after_child(world, "C1", start="2023-12-20")
    review(child, "2024-01-15", cancelled=True)
    assert only(lists(world, "2024-02-01"), REVIEWS_OVERDUE)["C1"].days_overdue == 10


# --- health ------------------------------------------------------------------------------


def test_iha_outstanding_from_its_twentieth_working_day(world):
    looked_after_child(world, "C1", start="2023-12-20")
    assert "C1" not in only(lists(world, "2024-01-19"), IHA_OUTSTANDING)
    row = only(lists(world, "2024-01-22"), IHA_OUTSTANDING)["C1"]
    assert (row.due_date, row.days_overdue, row.last_date) == (d("2024-01-22"), 0, d("2023-12-20"))


def test_an_iha_done_on_the_due_day_clears_it(world):
    child = looked_after_child(world, "C1", start="2023-12-20")
    health(child, "2024-01-22", kind="IHA")
    assert "C1" not in only(lists(world, "2024-02-01"), IHA_OUTSTANDING)


def test_a_refused_assessment_does_not_count(world):
    child = looked_after_child(world, "C1", start="2023-12-20")
    health(child, "2024-01-10", kind="IHA", status="REFUSED")
    assert "C1" in only(lists(world, "2024-02-01"), IHA_OUTSTANDING)


def test_annual_health_assessment_in_time_to_the_anniversary_then_overdue(world):
    """Last assessment 31 Jan 2023 (a month end): in time until 31 Jan 2024."""
    child = looked_after_child(world, "C1", start="2022-06-01", dob="2012-06-14")
    health(child, "2022-06-20", kind="IHA")
    health(child, "2023-01-31")
    assert "C1" not in only(lists(world, "2024-01-31"), HEALTH_OVERDUE)
    row = only(lists(world, "2024-02-01"), HEALTH_OVERDUE)["C1"]
    assert (row.due_date, row.last_date, row.days_overdue) == (d("2024-01-31"), d("2023-01-31"), 1)


def test_an_under_five_in_care_under_a_year_is_due_again_six_months_after_the_iha(world):
    child = looked_after_child(world, "C1", start="2023-06-01", dob="2021-03-03")
    health(child, "2023-06-15", kind="IHA")
    assert "C1" not in only(lists(world, "2023-12-15"), HEALTH_OVERDUE)
    assert only(lists(world, "2023-12-16"), HEALTH_OVERDUE)["C1"].due_date == d("2023-12-15")


def test_dental_checks_are_listed_for_children_in_care_a_year_or_more(world):
    child = looked_after_child(world, "C1", start="2022-06-01")
    health(child, "2022-12-01", kind="DENTAL")
    assert "C1" not in only(lists(world, "2023-12-01"), DENTAL_OVERDUE)
    assert only(lists(world, "2023-12-02"), DENTAL_OVERDUE)["C1"].last_date == d("2022-12-01")
    looked_after_child(world, "C2", start="2023-06-01")  # in care under a year: not listed
    assert "C2" not in only(lists(world, "2023-12-02"), DENTAL_OVERDUE)


def test_the_dental_list_counts_a_year_in_care_both_days_included(world):
    """From 3 December 2022 a child has been looked after 12 months on 2 December 2023 (DfE's
    continuous-care rule, as dental_on_time counts it); from 4 December, not yet."""
    looked_after_child(world, "C1", start="2022-12-03")
    looked_after_child(world, "C2", start="2022-12-04")
    listed = only(lists(world, "2023-12-02"), DENTAL_OVERDUE)
    assert "C1" in listed and "C2" not in listed


# --- PEPs and pathway plans ----------------------------------------------------------------


def test_pep_older_than_six_months_with_month_end_clamping(world):
    """A PEP on 30 September is within 6 months of 31 March (31 Mar − 6 months = 30 Sep)."""
    child = looked_after_child(world, "C1", start="2023-01-01", dob="2012-06-14")
    pep(child, "2023-09-30")
    pep(child, "2024-01-10", status="DRAFT")  # drafts never count
    assert "C1" not in only(lists(world, "2024-03-31"), PEP_OVERDUE)
    row = only(lists(world, "2024-04-01"), PEP_OVERDUE)["C1"]
    assert (row.due_date, row.last_date) == (d("2024-03-31"), d("2023-09-30"))


def test_a_school_aged_child_with_no_pep_is_listed_once_in_care_a_month(world):
    """A month counting both days (indicators.md §1 "Durations"): from 1 March, a month on
    31 March, as pep_in_place counts it."""
    looked_after_child(world, "C1", start="2024-03-01", dob="2012-06-14")
    assert "C1" not in only(lists(world, "2024-03-30"), PEP_OVERDUE)
    assert only(lists(world, "2024-03-31"), PEP_OVERDUE)["C1"].note == "No complete PEP"


def test_care_leaver_pathway_plan_review_overdue(world):
    young = child_make(world.la, "L1", dob="2005-01-01")
    allocate(young, world.team1, world.worker1, "2023-01-01", role="PA")
    care_leaver(young, "2024-01-31", reviewed="2023-08-15")
    assert "L1" not in only(lists(world, "2024-02-15"), PATHWAY_PLAN_OVERDUE)
    row = only(lists(world, "2024-02-16"), PATHWAY_PLAN_OVERDUE)["L1"]
    assert (row.due_date, row.last_date) == (d("2024-02-15"), d("2023-08-15"))


# --- missing --------------------------------------------------------------------------------


def test_missing_now_and_return_interviews_outstanding(world):
    child = looked_after_child(world, "C1", start="2023-06-01")
    missing(child, "2024-02-10")  # still missing
    missing(child, "2024-01-03", "2024-01-05", rhi_accepted="Y")  # accepted, not held
    missing(child, "2024-01-07", "2024-01-08", rhi_accepted="N")  # declined
    missing(child, "2024-01-20", "2024-01-21", rhi_accepted="Y", rhi_completed_date="2024-01-23")
    wl = lists(world, "2024-02-12")
    assert only(wl, MISSING_NOW)["C1"].days_text == "2 days"
    notes = sorted((r.last_date, r.note) for r in wl.rows[RETURN_INTERVIEWS])
    assert notes == [
        (d("2024-01-05"), "Accepted, not held yet"),
        (d("2024-01-08"), "Declined"),
    ]


def test_return_interviews_from_last_financial_year_are_not_listed(world):
    child = looked_after_child(world, "C1", start="2023-01-01")
    missing(child, "2024-03-20", "2024-03-21")
    assert len(lists(world, "2024-03-31").rows[RETURN_INTERVIEWS]) == 1
    assert lists(world, "2024-04-01").rows[RETURN_INTERVIEWS] == []


# --- teams and caseloads ------------------------------------------------------------------


def test_a_team_lists_only_children_allocated_to_it_on_the_day(world):
    looked_after_child(world, "C1", start="2024-01-01")
    moved = looked_after_child(world, "C2", start="2024-01-01")
    allocate(moved, world.team2, world.worker2, "2024-02-01")
    assert {r.child_id for r in lists(world, "2024-01-20").rows[VISITS_OVERDUE]} == {"C1", "C2"}
    assert {r.child_id for r in lists(world, "2024-03-20").rows[VISITS_OVERDUE]} == {"C1"}
    assert {r.child_id for r in lists(world, "2024-03-20", "T11").rows[VISITS_OVERDUE]} == {"C2"}
    service = {r.child_id for r in lists(world, "2024-03-20", "T00").rows[VISITS_OVERDUE]}
    assert service == {"C1", "C2"}  # the service sees the teams below it


def test_caseload_per_worker(world):
    looked_after_child(world, "C1", start="2024-01-01")
    looked_after_child(world, "C2", start="2024-03-01")
    looked_after_child(world, "C3", start="2024-03-01", worker=world.worker2)
    wl = lists(world, "2024-03-20")
    caseloads = {c.worker_name: c for c in wl.caseloads}
    assert (caseloads["Ada Worker"].children, caseloads["Ada Worker"].visits_overdue) == (2, 2)
    assert (caseloads["Bo Worker"].children, caseloads["Bo Worker"].looked_after) == (1, 1)
    assert wl.counts()[VISITS_OVERDUE] == 3
