"""Missing incidents and missing children."""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get, missing_make

pytestmark = pytest.mark.django_db


def test_missing_incidents_and_children_month_and_year_to_date():
    la = la_get()
    a = child_make(la, "A")
    episode_make(a, "2023-01-01", "S", "C2", "U4")
    missing_make(a, "2023-04-01", "2023-04-02")  # first day of the year
    missing_make(a, "2024-03-01", "2024-03-02")
    missing_make(a, "2024-03-31")  # on the month end, still missing
    missing_make(a, "2024-03-10", "2024-03-10", kind="A")  # away, not missing
    missing_make(a, "2024-04-01")  # next month
    b = child_make(la, "B")
    episode_make(b, "2023-06-01", "S", "V2", "U6", dec="2024-03-15", rec="E4A")
    missing_make(b, "2024-03-14", "2024-03-15")
    missing_make(b, "2024-03-15")  # the day care ended: no longer looked after
    c = child_make(la, "C")
    episode_make(c, "2024-03-05", "S", "V3", "U6", dec="2024-03-08", rec="E8")
    missing_make(c, "2024-03-06", "2024-03-06")  # on a short break

    cells = figures(la, "2024-03")

    assert cells["missing_incidents"] == {"month": {"value": 3}, "ytd": {"value": 4}}
    assert cells["missing_children"] == {"month": {"value": 2}, "ytd": {"value": 2}}


def test_one_child_many_incidents_is_one_missing_child():
    la = la_get()
    a = child_make(la, "A")
    episode_make(a, "2024-01-01", "S", "C2", "U4")
    for day in ("02", "09", "16", "23"):
        missing_make(a, f"2024-02-{day}", f"2024-02-{day}")

    cells = figures(la, "2024-02")

    assert cells["missing_incidents"]["month"] == {"value": 4}
    assert cells["missing_children"]["month"] == {"value": 1}
