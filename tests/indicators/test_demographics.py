"""Breakdowns of the children in care at E, and the reason for becoming looked after."""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get

pytestmark = pytest.mark.django_db


def test_legal_status_is_the_status_of_the_episode_in_force_at_e():
    la = la_get()
    child = child_make(la, "A")
    episode_make(child, "2023-02-03", "S", "C1", "U6", dec="2024-03-31", rec="X1")
    episode_make(child, "2024-03-31", "L", "C2", "U6")  # full care order from the month end
    episode_make(child_make(la, "B"), "2024-01-01", "S", "V2", "U6")

    breakdown = figures(la, "2024-03")["legal_status_breakdown"]["at_e"]["breakdown"]

    assert breakdown["C2"] == 1
    assert breakdown["V2"] == 1
    assert breakdown["C1"] == 0
    assert sum(breakdown.values()) == 2


@pytest.mark.parametrize(
    ("start", "band"),
    [
        # E = 31 March 2024; both the first day and E count (indicators.md §1 "Durations"),
        # so a band is reached from E + 1 day − N months = 1 April − N months.
        ("2023-10-02", "<6 months"),  # 6 months on 1 April: not yet
        ("2023-10-01", "6-12 months"),  # 1 Oct .. 31 Mar is 6 whole months
        ("2023-04-02", "6-12 months"),
        ("2023-04-01", "1-2 years"),  # 12 months on 31 March, as DfE counts it
        ("2022-04-02", "1-2 years"),
        ("2022-04-01", "2-5 years"),
        ("2019-04-02", "2-5 years"),
        ("2019-04-01", "5+ years"),
    ],
)
def test_time_in_care_bands_by_calendar_months(start, band):
    la = la_get()
    episode_make(child_make(la, "A"), start, "S", "C2", "U4")

    breakdown = figures(la, "2024-03")["time_in_care_breakdown"]["at_e"]["breakdown"]

    assert breakdown[band] == 1
    assert sum(breakdown.values()) == 1


@pytest.mark.parametrize(
    ("start", "band"),
    [
        # E = 29 February 2024 (a leap year): 1 March − 6 months = 1 September 2023, so a
        # period from 31 August has lasted 6 months; one from 2 September has not.
        ("2023-08-31", "6-12 months"),
        ("2023-09-01", "6-12 months"),
        ("2023-09-02", "<6 months"),
    ],
)
def test_time_in_care_bands_at_a_february_month_end(start, band):
    la = la_get()
    episode_make(child_make(la, "A"), start, "S", "C2", "U4")

    breakdown = figures(la, "2024-02")["time_in_care_breakdown"]["at_e"]["breakdown"]

    assert breakdown[band] == 1


def test_time_in_care_runs_from_the_start_of_the_current_period():
    la = la_get()
    child = child_make(la, "A")
    episode_make(child, "2018-01-01", "S", "C2", "U4", dec="2023-01-01", rec="E4A")
    episode_make(child, "2024-01-02", "S", "V2", "U6")

    breakdown = figures(la, "2024-03")["time_in_care_breakdown"]["at_e"]["breakdown"]

    assert breakdown["<6 months"] == 1


def test_gender_and_ethnicity_groups_add_up_to_cla_count(settings):
    la = la_get()
    rows = [
        ("A", "M", "WBRI"),
        ("B", "F", "MWBC"),
        ("C", "U", "BAFR"),
        ("D", "F", "CHNE"),
        ("E", "M", "REFU"),
        ("F", "M", "NOBT"),
        ("G", "F", ""),
        ("H", "M", "AIND"),
    ]
    for child_id, sex, ethnic in rows:
        episode_make(child_make(la, child_id, sex=sex, ethnicity=ethnic), "2024-01-01", "S")

    cells = figures(la, "2024-03")

    assert cells["gender_breakdown"]["at_e"]["breakdown"] == {
        "male": 4,
        "female": 3,
        "unknown": 1,
    }
    assert cells["ethnicity_breakdown"]["at_e"]["breakdown"] == {
        "White": 1,
        "Mixed": 1,
        "Asian or Asian British": 1,
        "Black or Black British": 1,
        "Other ethnic group": 1,  # CHNE, 903 statistics' historic grouping
        "Not stated": 1,
        "Not recorded": 2,  # NOBT and blank
    }

    settings.SCORECARD_CHNE_GROUP = "Asian or Asian British"
    regrouped = figures(la, "2024-03")["ethnicity_breakdown"]["at_e"]["breakdown"]
    assert regrouped["Asian or Asian British"] == 2
    assert regrouped["Other ethnic group"] == 0


def test_cin_reason_counts_children_who_started_in_the_window_by_first_start():
    la = la_get()
    # E = 31 March 2024: year to date from 1 April 2023, rolling 6 from 30 September 2023.
    episode_make(child_make(la, "A"), "2023-04-01", "S", "C1", "U6", cin="N1")
    episode_make(child_make(la, "B"), "2023-09-30", "S", "V2", "U6", cin="N4")
    episode_make(child_make(la, "C"), "2023-03-31", "S", "V2", "U6", cin="N2")  # before both
    twice = child_make(la, "D")
    episode_make(twice, "2023-10-02", "S", "V2", "U6", cin="N5", dec="2023-11-01", rec="E4A")
    episode_make(twice, "2024-02-01", "S", "C1", "U6", cin="N1")
    episode_make(child_make(la, "E"), "2024-03-01", "S", "V2", "U6", cin="")

    cells = figures(la, "2024-03")["cin_reason_breakdown"]

    assert cells["ytd"]["breakdown"] == {
        "N1": 1,
        "N2": 0,
        "N3": 0,
        "N4": 1,
        "N5": 1,
        "N6": 0,
        "N7": 0,
        "N8": 0,
        "unknown": 1,
    }
    rolling = cells["rolling6"]["breakdown"]
    assert (rolling["N1"], rolling["N4"], rolling["N5"], rolling["unknown"]) == (0, 1, 1, 1)
