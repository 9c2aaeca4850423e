"""Headline figures, worked by hand on tiny fixtures whose dates sit on the boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from scorecards.selectors import snapshot_export
from tests.indicators.builders import (
    child_make,
    episode_make,
    figures,
    la_get,
    population_make,
    uasc_make,
)

pytestmark = pytest.mark.django_db


def test_an_episode_ending_on_the_month_end_is_not_looked_after_at_e_but_has_ceased():
    la = la_get()
    child = child_make(la, "A")
    episode_make(child, "2024-01-10", "S", "V2", "U6", dec="2024-03-31", rec="E4A")

    february = figures(la, "2024-02")
    march = figures(la, "2024-03")

    assert february["cla_count"]["at_e"] == {"value": 1}
    assert march["cla_count"]["at_e"] == {"value": 0}
    assert march["cla_ceased"] == {"month": {"value": 1}, "ytd": {"value": 1}}
    assert figures(la, "2024-01")["cla_started"] == {"month": {"value": 1}, "ytd": {"value": 1}}


def test_an_episode_starting_on_the_month_end_is_looked_after_and_started():
    la = la_get()
    child = child_make(la, "B")
    episode_make(child, "2024-03-31", "S", "L1", "U6")

    march = figures(la, "2024-03")

    assert march["cla_count"]["at_e"] == {"value": 1}
    assert march["cla_started"]["month"] == {"value": 1}


def test_short_break_children_are_never_counted():
    la = la_get()
    child = child_make(la, "SB")
    episode_make(child, "2024-03-01", "S", "V3", "U6", dec="2024-03-05", rec="E8")
    episode_make(child, "2024-03-29", "S", "V3", "U6")

    march = figures(la, "2024-03")

    assert march["cla_count"]["at_e"] == {"value": 0}
    assert march["cla_started"]["month"] == {"value": 0}
    assert march["cla_ceased"]["month"] == {"value": 0}


def test_x1_continues_the_period_and_a_mid_period_start_is_not_a_start():
    la = la_get()
    moved = child_make(la, "X")
    episode_make(moved, "2023-12-01", "S", "C1", "U6", dec="2024-03-15", rec="X1")
    episode_make(moved, "2024-03-15", "P", "C1", "K2")
    data_begin_mid_period = child_make(la, "M")
    episode_make(data_begin_mid_period, "2024-03-10", "P", "C2", "U4")

    march = figures(la, "2024-03")

    assert march["cla_count"]["at_e"] == {"value": 2}
    assert march["cla_ceased"]["month"] == {"value": 0}
    assert march["cla_started"]["month"] == {"value": 0}


def test_a_child_starting_and_ceasing_twice_in_the_year_counts_once():
    la = la_get()
    child = child_make(la, "T")
    episode_make(child, "2023-04-05", "S", "V2", "U6", dec="2023-05-10", rec="E4A")
    episode_make(child, "2023-06-02", "S", "V2", "U6", dec="2023-06-20", rec="E13")

    june = figures(la, "2023-06")

    assert june["cla_started"] == {"month": {"value": 1}, "ytd": {"value": 1}}
    assert june["cla_ceased"] == {"month": {"value": 1}, "ytd": {"value": 1}}


def test_overlapping_episodes_the_later_start_supersedes():
    la = la_get()
    child = child_make(la, "O")
    episode_make(child, "2024-01-01", "S", "C1", "U6")  # never closed in the extract
    episode_make(child, "2024-02-01", "B", "C2", "K2")

    march = figures(la, "2024-03")

    assert march["cla_count"]["at_e"] == {"value": 1}
    assert march["legal_status_breakdown"]["at_e"]["breakdown"]["C2"] == 1
    assert march["legal_status_breakdown"]["at_e"]["breakdown"]["C1"] == 0


def test_uasc_until_the_date_status_ceased():
    la = la_get()
    child = child_make(la, "U", dob="2007-04-01")
    episode_make(child, "2023-06-01", "S", "V2", "K3")
    uasc_make(child, 2024, duc="2024-03-31")
    other = child_make(la, "N")
    episode_make(other, "2023-06-01", "S", "C2", "U4")

    february = figures(la, "2024-02")
    march = figures(la, "2024-03")

    assert february["cla_uasc_count"]["at_e"] == {"value": 1}
    assert february["cla_non_uasc_count"]["at_e"] == {"value": 1}
    assert february["uasc_pct"]["at_e"] == {"numerator": 1, "denominator": 2}
    assert march["cla_uasc_count"]["at_e"] == {"value": 0}
    assert march["uasc_pct"]["at_e"] == {"numerator": 0, "denominator": 2}


def test_rate_per_10k_uses_the_financial_years_population_and_no_population_is_no_data():
    la = la_get()
    for i in range(3):
        episode_make(child_make(la, f"R{i}"), "2023-05-01", "S", "C2", "U4")
    population_make(la, 2023, 30_000)
    population_make(la, 2022, 10)  # an older estimate, not used for 2023/24

    march = figures(la, "2024-03")  # financial year 2023/24 → mid-2023 estimate
    assert march["cla_rate_per_10k"]["at_e"] == {"numerator": 3, "denominator": 30_000}
    export = snapshot_export(la=la, month=date(2024, 3, 1))
    assert export["indicators"]["cla_rate_per_10k"]["at_e"]["value"] == 1.0

    other = la_get("874")
    episode_make(child_make(other, "Z"), "2023-05-01", "S", "C2", "U4")
    figures(other, "2024-03")
    export = snapshot_export(la=other, month=date(2024, 3, 1))
    assert export["indicators"]["cla_rate_per_10k"]["at_e"]["value"] is None


def test_entry_exit_ratio_window_includes_e_minus_six_months():
    la = la_get()
    # E = 31 March 2024; E − 6 months = 30 September 2023, which counts.
    episode_make(child_make(la, "IN1"), "2023-09-30", "S", "V2", "U6")
    episode_make(child_make(la, "IN0"), "2023-09-29", "S", "V2", "U6")  # outside
    episode_make(child_make(la, "IN2"), "2024-01-15", "S", "V2", "U6")
    episode_make(child_make(la, "OUT"), "2023-01-01", "S", "C2", "U4", dec="2023-10-01", rec="E13")

    march = figures(la, "2024-03")

    assert march["entry_exit_ratio_6m"]["rolling6"] == {"numerator": 2, "denominator": 1}


def test_entry_exit_ratio_with_no_leavers_is_no_data():
    la = la_get()
    episode_make(child_make(la, "IN"), "2024-01-15", "S", "V2", "U6")
    figures(la, "2024-03")

    cell = snapshot_export(la=la, month=date(2024, 3, 1))["indicators"]["entry_exit_ratio_6m"]
    assert cell["rolling6"] == {"numerator": 1, "denominator": 0, "value": None}


def test_month_to_date_ignores_records_dated_after_today():
    la = la_get()
    episode_make(child_make(la, "NOW"), "2024-03-10", "S", "V2", "U6")
    episode_make(child_make(la, "LATER"), "2024-03-20", "S", "V2", "U6")

    cells = figures(la, "2024-03", today=date(2024, 3, 15))

    assert cells["cla_count"]["at_e"] == {"value": 1}
    assert cells["cla_started"]["month"] == {"value": 1}
    export = snapshot_export(la=la, month=date(2024, 3, 1))
    assert export["month_to_date"] is True
    assert export["as_of"] == "2024-03-15"


def test_records_dated_after_e_do_not_change_a_closed_month():
    la = la_get()
    child = child_make(la, "A")
    episode_make(child, "2023-05-01", "S", "C1", "U6", dec="2024-04-10", rec="X1")
    before = figures(la, "2024-03")

    episode_make(child, "2024-04-10", "P", "C2", "K2", dec="2024-05-01", rec="E4A")
    episode_make(child_make(la, "B"), "2024-04-01", "S", "V2", "U6")
    after = figures(la, "2024-03")

    assert after == before
