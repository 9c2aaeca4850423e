"""Location at E (placed_in_county, out_of_county_non_uasc, out_of_county_20_miles,
uasc_out_of_county): the placement in force on the month end, UASC status on that day."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get, uasc_make

pytestmark = pytest.mark.django_db


def test_a_move_out_of_county_counts_from_the_day_of_the_move():
    la = la_get()
    child = child_make(la, "MOVER")
    episode_make(child, "2024-01-02", "S", "C2", "U4", dec="2024-03-31", rec="X1", pl_location="IN")
    episode_make(
        child, "2024-03-31", "P", "C2", "K2", pl_location="OUT", pl_distance=Decimal("42.0")
    )

    feb, march = figures(la, "2024-02"), figures(la, "2024-03")

    assert feb["placed_in_county"]["at_e"]["value"] == 1
    assert march["placed_in_county"]["at_e"]["value"] == 0
    assert march["out_of_county_20_miles"]["at_e"]["numerator"] == 1


def test_a_temporary_stay_out_of_county_keeps_the_usual_placement_location():
    la = la_get()
    child = child_make(la, "HOSPITAL")
    episode_make(child, "2024-01-02", "S", "C2", "U4", dec="2024-03-20", rec="X1", pl_location="IN")
    episode_make(child, "2024-03-20", "T", "C2", "T1", pl_location="OUT")

    march = figures(la, "2024-03")

    assert march["placed_in_county"]["at_e"]["value"] == 1
    assert march["out_of_county_non_uasc"]["at_e"]["numerator"] == 0


def test_uasc_status_ceased_before_e_moves_a_child_to_the_non_uasc_figures():
    la = la_get()
    child = child_make(la, "FORMER_UASC")
    episode_make(child, "2023-06-01", "S", "C2", "U6", pl_location="OUT")
    uasc_make(child, 2024, duc="2024-03-15")

    feb, march = figures(la, "2024-02"), figures(la, "2024-03")

    assert (
        feb["uasc_out_of_county"]["at_e"]["numerator"],
        feb["uasc_out_of_county"]["at_e"]["denominator"],
    ) == (1, 1)
    assert march["uasc_out_of_county"]["at_e"]["denominator"] == 0
    assert march["out_of_county_non_uasc"]["at_e"]["numerator"] == 1
