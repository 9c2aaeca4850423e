"""Children in care by age group (the education section's 903-fed figure)."""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get

pytestmark = pytest.mark.django_db


def test_age_groups_use_whole_years_on_the_month_end():
    la = la_get()
    dobs = {
        "A": "2023-04-01",  # 0 on 31 March 2024 (first birthday tomorrow)
        "B": "2023-03-31",  # 1 on its birthday, the month end
        "C": "2019-04-01",  # 4
        "D": "2019-03-31",  # 5
        "E": "2014-03-31",  # 10
        "F": "2008-04-01",  # 15
        "G": "2008-03-31",  # 16
        "H": "2006-04-01",  # 17
        "I": "2012-02-29",  # 12: leap-day birthday
    }
    for child_id, dob in dobs.items():
        episode_make(child_make(la, child_id, dob=dob), "2024-03-01", "S", "V2", "U6")

    breakdown = figures(la, "2024-03")["age_breakdown"]["at_e"]["breakdown"]

    assert breakdown == {"under 1": 1, "1-4": 2, "5-9": 1, "10-15": 3, "16-17": 2}


def test_a_leap_day_birthday_is_reached_on_1_march_in_a_common_year():
    la = la_get()
    episode_make(child_make(la, "L", dob="2016-02-29"), "2020-01-01", "S", "C2", "U4")

    february = figures(la, "2021-02")["age_breakdown"]["at_e"]["breakdown"]
    march = figures(la, "2021-03")["age_breakdown"]["at_e"]["breakdown"]

    assert (february["1-4"], february["5-9"]) == (1, 0)  # still 4 on 28 February 2021
    assert (march["1-4"], march["5-9"]) == (0, 1)  # 5 from 1 March


def test_children_aged_18_or_without_a_birth_date_keep_the_total():
    la = la_get()
    episode_make(child_make(la, "OLD", dob="2006-03-01"), "2023-01-01", "S", "V2", "K3")
    nodob = child_make(la, "NODOB")
    nodob.dob = None
    nodob.save()
    episode_make(nodob, "2023-01-01", "S", "V2", "U6")

    breakdown = figures(la, "2024-03")["age_breakdown"]["at_e"]["breakdown"]

    assert breakdown["18+"] == 1
    assert breakdown["unknown"] == 1
    assert sum(breakdown.values()) == 2
