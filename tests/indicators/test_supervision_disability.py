"""supervision_in_month and disability_pct: shares of the children in care at E."""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get
from tests.indicators.casework_builders import supervision_make

pytestmark = pytest.mark.django_db


def test_supervision_recorded_in_the_month_up_to_e():
    la = la_get()
    for child_id, when in (
        ("S1", "2024-03-01"),  # first day of the month
        ("S2", "2024-03-31"),  # E
        ("S3", "2024-02-29"),  # the month before
        ("S4", "2024-04-01"),  # after E
    ):
        child = child_make(la, child_id)
        episode_make(child, "2024-01-02", "S", "C2", "U4")
        supervision_make(child, when)
    left = child_make(la, "S5")  # supervised, but not in care at E
    episode_make(left, "2024-01-02", "S", "V2", "U4", dec="2024-03-20", rec="E4A")
    supervision_make(left, "2024-03-10")

    cell = figures(la, "2024-03")["supervision_in_month"]["month"]

    assert (cell["numerator"], cell["denominator"]) == (2, 4)


def test_disability_of_children_in_care_with_unknown_shown_beside_it():
    la = la_get()
    for child_id, disability in (("D1", True), ("D2", False), ("D3", None), ("D4", True)):
        child = child_make(la, child_id)
        child.disability = disability
        child.save(update_fields=["disability"])
        episode_make(child, "2024-01-02", "S", "C2", "U4")

    cell = figures(la, "2024-03")["disability_pct"]["at_e"]

    assert cell == {"numerator": 2, "denominator": 4, "unknown": 1}
