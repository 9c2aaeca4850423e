"""Health: iha_on_time, health_assessment_on_time (with the refused note), dental_on_time.

Hand-worked dates: Good Friday 29 March and Easter Monday 1 April 2024 are bank holidays,
so the 20th working day after Monday 25 March 2024 is Wednesday 24 April 2024; the 20th
working day after Monday 8 January 2024 is Monday 5 February 2024 (ssd-extracts.md §5).
"""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get
from tests.indicators.casework_builders import health_make

pytestmark = pytest.mark.django_db


def _fraction(cells: dict, indicator: str, period: str) -> tuple[int, int]:
    cell = cells[indicator][period]
    return cell["numerator"], cell["denominator"]


def test_an_iha_whose_20th_working_day_falls_after_easter():
    la = la_get()
    on_due_day = child_make(la, "A")
    episode_make(on_due_day, "2024-03-25", "S", "C1", "U6")
    health_make(on_due_day, "2024-04-24", "IHA")  # the 20th working day itself: on time
    day_late = child_make(la, "B")
    episode_make(day_late, "2024-03-25", "S", "C1", "U6")
    health_make(day_late, "2024-04-25", "IHA")  # 20 days counted without Easter: late
    never = child_make(la, "C")
    episode_make(never, "2024-03-25", "S", "C1", "U6")
    health_make(never, "2024-04-10", "IHA", status="REFUSED")  # refused is not done
    left = child_make(la, "D")  # not looked after on the due date: left out
    episode_make(left, "2024-03-25", "S", "V2", "U6", dec="2024-04-20", rec="E4A")
    respite = child_make(la, "E")  # a short break is not a period of care
    episode_make(respite, "2024-03-25", "S", "V3", "U6")

    march, april = figures(la, "2024-03"), figures(la, "2024-04")

    assert march["iha_on_time"]["quarter"]["denominator"] == 0  # due in April, not March
    assert _fraction(april, "iha_on_time", "quarter") == (1, 3)
    assert _fraction(april, "iha_on_time", "ytd") == (1, 3)


def test_each_period_of_care_has_its_own_iha_and_any_health_assessment_type_counts():
    la = la_get()
    twice = child_make(la, "TWICE")
    episode_make(twice, "2024-01-08", "S", "C1", "U6", dec="2024-03-01", rec="E4A")
    health_make(twice, "2024-01-30", "IHA")  # due 5 February: on time
    episode_make(twice, "2024-03-25", "S", "C1", "U6")
    health_make(twice, "2024-04-20", "HA")  # the first of the new period, due 24 April

    feb, april = figures(la, "2024-02"), figures(la, "2024-04")

    assert _fraction(feb, "iha_on_time", "quarter") == (1, 1)  # Jan–Mar 2024
    assert _fraction(april, "iha_on_time", "quarter") == (1, 1)  # Apr–Jun 2024


def test_a_child_turning_5_is_judged_on_the_interval_for_their_age_at_the_month_end():
    la = la_get()
    child = child_make(la, "FIVE", dob="2019-03-15")  # 5 on 15 March 2024
    episode_make(child, "2023-01-02", "S", "C2", "U4")
    health_make(child, "2023-06-01", "RHA")

    feb, march = figures(la, "2024-02"), figures(la, "2024-03")

    # 29 Feb 2024: aged 4, within 6 months means on or after 29 August 2023: overdue.
    assert _fraction(feb, "health_assessment_on_time", "at_e") == (0, 1)
    # 31 March 2024: aged 5, within 12 months means on or after 31 March 2023: in time.
    assert _fraction(march, "health_assessment_on_time", "at_e") == (1, 1)


def test_refused_latest_assessments_are_shown_beside_the_figure():
    la = la_get()
    refused_after_done = child_make(la, "R1")
    episode_make(refused_after_done, "2022-01-04", "S", "C2", "U4")
    health_make(refused_after_done, "2023-06-01", "RHA")
    health_make(refused_after_done, "2024-02-01", "RHA", status="REFUSED")
    refused_only = child_make(la, "R2")
    episode_make(refused_only, "2022-01-04", "S", "C2", "U4")
    health_make(refused_only, "2024-02-01", "RHA", status="REFUSED")
    cancelled = child_make(la, "R3")
    episode_make(cancelled, "2022-01-04", "S", "C2", "U4")
    health_make(cancelled, "2024-02-01", "RHA", status="CANCELLED")
    new_to_care = child_make(la, "R4")  # in care under 12 months: not in the denominator
    episode_make(new_to_care, "2023-06-01", "S", "C2", "U4")
    health_make(new_to_care, "2024-02-01", "RHA", status="REFUSED")

    cell = figures(la, "2024-03")["health_assessment_on_time"]["at_e"]

    assert (cell["numerator"], cell["denominator"], cell["refused"]) == (1, 3, 2)


def test_the_annual_cohort_is_children_looked_after_12_months_counting_both_days():
    # DfE's continuous-care rule (indicators.md §1 "Durations"): a child who started on
    # 1 April 2023 has been looked after for 12 months on 31 March 2024; from 2 April, not.
    la = la_get()
    exactly = child_make(la, "Y1")
    episode_make(exactly, "2023-04-01", "S", "C2", "U4")
    health_make(exactly, "2023-04-20", "IHA")
    health_make(exactly, "2023-04-25", "DENTAL")
    day_short = child_make(la, "Y0")
    episode_make(day_short, "2023-04-02", "S", "C2", "U4")
    health_make(day_short, "2023-04-20", "IHA")

    cells = figures(la, "2024-03")

    assert _fraction(cells, "health_assessment_on_time", "at_e") == (1, 1)
    assert _fraction(cells, "dental_on_time", "at_e") == (1, 1)


def test_dental_check_within_12_months_of_the_month_end():
    la = la_get()
    exactly = child_make(la, "D1")
    episode_make(exactly, "2022-01-04", "S", "C2", "U4")
    health_make(exactly, "2023-03-31", "DENTAL")  # 31 March 2024 − 12 months: counts
    day_before = child_make(la, "D2")
    episode_make(day_before, "2022-01-04", "S", "C2", "U4")
    health_make(day_before, "2023-03-30", "DENTAL")
    health_make(day_before, "2024-01-10", "RHA")  # a health assessment is not a dental check
    refused = child_make(la, "D3")
    episode_make(refused, "2022-01-04", "S", "C2", "U4")
    health_make(refused, "2024-01-10", "DENTAL", status="REFUSED")

    cell = figures(la, "2024-03")["dental_on_time"]["at_e"]

    assert (cell["numerator"], cell["denominator"], cell["refused"]) == (1, 3, 1)


def test_worked_example_of_ssd_extracts_section_5():
    la = la_get()
    c1001 = child_make(la, "C1001", dob="2010-05-14", sex="F")
    episode_make(c1001, "2024-01-08", "S", "C2", "U6")
    health_make(c1001, "2024-01-30", "IHA")  # H1
    health_make(c1001, "2024-03-14", "DENTAL")  # H2
    health_make(c1001, "2025-01-20", "RHA")  # H3
    c1002 = child_make(la, "C1002", dob="2006-11-02")
    episode_make(c1002, "2021-03-01", "S", "C2", "U4", dec="2024-11-02", rec="E5")
    health_make(c1002, "2024-06-11", "DENTAL", status="REFUSED")  # H4: a note only

    feb24, march25 = figures(la, "2024-02"), figures(la, "2025-03")

    assert _fraction(feb24, "iha_on_time", "quarter") == (1, 1)  # due 5 Feb, H1 30 Jan
    assert _fraction(march25, "health_assessment_on_time", "at_e") == (1, 1)
    assert _fraction(march25, "dental_on_time", "at_e") == (0, 1)  # H2 older than 12 months
    assert march25["dental_on_time"]["at_e"]["refused"] == 0  # C1002 has left care
