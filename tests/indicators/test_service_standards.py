"""Reviews (reg. 33): % held on time and late reviews, month and year to date.

Hand-worked due dates:
- start Monday 25 March 2024: Good Friday (29 March) and Easter Monday (1 April) are bank
  holidays, so the 20th working day after the start is Wednesday 24 April 2024;
- start Tuesday 1 August 2023: the August bank holiday (28 August) is skipped, so the 20th
  working day is Wednesday 30 August 2023.
"""

from __future__ import annotations

from datetime import date

import pytest

from organisations.models import Allocation, AllocationRole, Team
from scorecards.selectors import snapshot_export
from tests.indicators.builders import child_make, episode_make, figures, la_get, review_make

pytestmark = pytest.mark.django_db


def _easter_fixture(la):
    r1 = child_make(la, "R1")  # on time on the due date; second late; third on time
    episode_make(r1, "2024-03-25", "S", "C1", "U6")
    for when in ("2024-04-24", "2024-07-30", "2025-01-30"):
        review_make(r1, when)
    r2 = child_make(la, "R2")  # one day late; second never held
    episode_make(r2, "2024-03-25", "S", "C1", "U6")
    review_make(r2, "2024-04-25")
    r3 = child_make(la, "R3")  # never reviewed
    episode_make(r3, "2024-03-25", "S", "C1", "U6")
    r4 = child_make(la, "R4")  # left care before the review was due: it lapses
    episode_make(r4, "2024-03-25", "S", "V2", "U6", dec="2024-04-20", rec="E4A")
    r5 = child_make(la, "R5")  # a cancelled review is not held; held late in May
    episode_make(r5, "2024-03-25", "S", "C1", "U6")
    review_make(r5, "2024-04-10", cancelled=True)
    review_make(r5, "2024-05-02")
    return r1


def test_first_review_due_20_working_days_after_start_across_easter():
    la = la_get()
    _easter_fixture(la)

    april = figures(la, "2024-04")

    # Held in April: R1 (24 Apr, on time), R2 (25 Apr, late). Due in April and not held by
    # 30 April: R3 and R5 (24 Apr). R4 lapsed.
    assert april["reviews_on_time"]["month"]["numerator"] == 1
    assert april["reviews_on_time"]["month"]["denominator"] == 4
    assert april["reviews_late"] == {"month": {"value": 3}, "ytd": {"value": 3}}


def test_a_review_held_late_counts_when_due_and_again_when_held_but_once_year_to_date():
    la = la_get()
    _easter_fixture(la)

    may = figures(la, "2024-05")

    assert may["reviews_on_time"]["month"]["numerator"] == 0
    assert may["reviews_on_time"]["month"]["denominator"] == 1  # R5 held late on 2 May
    # Year to date: held R1, R2, R5 (one on time) + R3 still not held.
    assert may["reviews_on_time"]["ytd"]["numerator"] == 1
    assert may["reviews_on_time"]["ytd"]["denominator"] == 4
    assert may["reviews_late"] == {"month": {"value": 1}, "ytd": {"value": 3}}


def test_a_late_review_resets_the_schedule_from_the_day_it_was_held():
    la = la_get()
    _easter_fixture(la)

    july = figures(la, "2024-07")

    # R1's second was due 24 Jul (3 months after 24 Apr), held 30 Jul: late. R2's second
    # was due 25 Jul (from the day the first was held), not held. R5's second is due
    # 2 August (from 2 May), not in July.
    assert july["reviews_on_time"]["month"]["numerator"] == 0
    assert july["reviews_on_time"]["month"]["denominator"] == 2

    # R1's third is due 6 months after the late second: 30 January 2025, held that day.
    january = figures(la, "2025-01")
    assert january["reviews_on_time"]["month"]["numerator"] == 1


def test_20th_working_day_after_a_bank_holiday_and_a_due_date_on_the_month_end():
    la = la_get()
    late_first = child_make(la, "K1")
    episode_make(late_first, "2023-08-01", "S", "C1", "U6")
    review_make(late_first, "2023-08-31")  # due 30 August: one day late
    review_make(late_first, "2023-11-30")  # due 30 Nov (3 months after 31 Aug): on time
    on_time_first = child_make(la, "K2")
    episode_make(on_time_first, "2023-08-01", "S", "C1", "U6")
    review_make(on_time_first, "2023-08-30")  # on the 20th working day: on time
    review_make(on_time_first, "2023-12-01")  # due 30 Nov, the month end: late

    august = figures(la, "2023-08")["reviews_on_time"]["month"]
    november = figures(la, "2023-11")["reviews_on_time"]["month"]
    december = figures(la, "2023-12")["reviews_on_time"]["month"]

    assert (august["numerator"], august["denominator"]) == (1, 2)
    assert (november["numerator"], november["denominator"]) == (1, 2)
    assert (december["numerator"], december["denominator"]) == (0, 1)


def test_no_reviews_due_or_held_is_no_data():
    la = la_get()
    episode_make(child_make(la, "A"), "2024-03-25", "S", "C1", "U6")
    figures(la, "2024-03")

    cell = snapshot_export(la=la, month=date(2024, 3, 1))["indicators"]["reviews_on_time"]
    assert cell["month"]["denominator"] == 0
    assert cell["month"]["value"] is None


def test_reviews_by_team_of_the_allocated_social_worker_on_the_due_date():
    la = la_get()
    r1 = _easter_fixture(la)
    team = Team.objects.create(la=la, team_id="CIC1", name="Children in care 1")
    Allocation.objects.create(
        la=la,
        involvement_id="I1",
        child=r1,
        team=team,
        role=AllocationRole.ALLOCATED_SW,
        start_date=date(2024, 3, 25),
    )

    april = figures(la, "2024-04")["reviews_on_time"]["month"]

    assert april["by_team"] == {"CIC1": [1, 1], "unallocated": [0, 3]}


def test_a_period_begun_before_the_data_is_scheduled_from_its_first_held_review():
    la = la_get()
    child = child_make(la, "OLD")
    # First 903 return imported: 2022/23, so reviews before 1 April 2022 are not in the data.
    episode_make(child, "2020-01-01", "S", "C2", "U4", collection_year=2023)
    review_make(child, "2022-06-01")  # the anchor: its own due date is unknown
    review_make(child, "2022-12-01")  # due 6 months after the anchor: on time

    june = figures(la, "2022-06")["reviews_on_time"]["month"]
    december = figures(la, "2022-12")["reviews_on_time"]["month"]

    assert june["denominator"] == 0
    assert (december["numerator"], december["denominator"]) == (1, 1)
