"""Homes: type of home, 3+ placements, long-term stability and placement location."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.indicators.builders import (
    child_make,
    episode_make,
    figures,
    la_get,
    uasc_make,
)

pytestmark = pytest.mark.django_db

HOME = {"pl_post": "AA1 1AA", "urn": "SC000001", "place_provider": "PR1"}
HOSPITAL = {"pl_post": "BB1 1BB", "urn": "", "place_provider": ""}
OTHER_HOME = {"pl_post": "CC1 1CC", "urn": "SC000002", "place_provider": "PR4"}


def _stability_fixture(la):
    """Six children in care on 31 March 2024; window start W = 31 March 2023."""
    # A: the placement open at W counts as one, then two moves → 3.
    a = child_make(la, "A")
    episode_make(a, "2022-01-01", "S", "C2", "U4", dec="2023-06-01", rec="X1")
    episode_make(a, "2023-06-01", "P", "C2", "U6", dec="2024-01-10", rec="X1")
    episode_make(a, "2024-01-10", "P", "C2", "K2")
    # B: the first placement ended on W itself, so its successor is the one open at W → 2.
    b = child_make(la, "B")
    episode_make(b, "2022-01-01", "S", "C2", "U4", dec="2023-03-31", rec="X1")
    episode_make(b, "2023-03-31", "P", "C2", "U6", dec="2023-06-01", rec="X1")
    episode_make(b, "2023-06-01", "P", "C2", "K2")
    # C: a temporary placement (hospital) and the return to the same carers are not moves;
    # a change of legal status is not either → 1 + one real move = 2.
    c = child_make(la, "C")
    episode_make(c, "2023-05-01", "S", "C1", "U4", dec="2023-07-01", rec="X1", **HOME)
    episode_make(c, "2023-07-01", "P", "C1", "T1", dec="2023-07-05", rec="X1", **HOSPITAL)
    episode_make(c, "2023-07-05", "P", "C1", "U4", dec="2023-09-01", rec="X1", **HOME)
    episode_make(c, "2023-09-01", "L", "C2", "U4", dec="2024-02-01", rec="X1", **HOME)
    episode_make(c, "2024-02-01", "P", "C2", "K2", **OTHER_HOME)
    # D: foster carers approved as adopters (RNE T) is not a move → 2.
    d_ = child_make(la, "D")
    episode_make(d_, "2022-05-01", "S", "C2", "U6", dec="2023-05-01", rec="X1")
    episode_make(d_, "2023-05-01", "P", "E1", "U4", dec="2023-08-01", rec="X1")
    episode_make(d_, "2023-08-01", "T", "E1", "A5")
    # E: placements in two periods of care within the window all count → 3.
    e = child_make(la, "E")
    episode_make(e, "2023-04-10", "S", "V2", "U6", dec="2023-05-01", rec="X1")
    episode_make(e, "2023-05-01", "P", "V2", "U6", dec="2023-06-01", rec="E4A", **OTHER_HOME)
    episode_make(e, "2023-10-01", "S", "C1", "U4")
    # F: short breaks are not placements → 2.
    f = child_make(la, "F")
    episode_make(f, "2023-05-01", "S", "V3", "U6", dec="2023-05-03", rec="E8")
    episode_make(f, "2023-07-01", "S", "V3", "U6", dec="2023-07-03", rec="E8")
    episode_make(f, "2023-12-01", "S", "C1", "U4", dec="2024-01-05", rec="X1")
    episode_make(f, "2024-01-05", "P", "C1", "U6")


def test_three_plus_placements_in_the_12_months_ending_e():
    la = la_get()
    _stability_fixture(la)

    cells = figures(la, "2024-03")

    assert cells["cla_count"]["at_e"] == {"value": 6}
    assert cells["placements_3plus_12m"]["rolling12"] == {"numerator": 2, "denominator": 6}


def test_three_plus_placements_year_to_date_counts_from_1_april():
    la = la_get()
    _stability_fixture(la)

    assert figures(la, "2024-03")["placements_3plus_ytd"]["ytd"] == {
        "numerator": 2,
        "denominator": 6,
    }


def test_rolling_12_and_year_to_date_differ_by_their_window_start():
    la = la_get()
    g = child_make(la, "G")
    episode_make(g, "2022-10-01", "S", "C2", "U4", dec="2023-01-01", rec="X1")
    episode_make(g, "2023-01-01", "P", "C2", "U6", dec="2023-06-01", rec="X1")
    episode_make(g, "2023-06-01", "P", "C2", "K2")

    cells = figures(la, "2023-09")  # W = 30 Sep 2022; year from 1 Apr 2023

    assert cells["placements_3plus_12m"]["rolling12"] == {"numerator": 1, "denominator": 1}
    assert cells["placements_3plus_ytd"]["ytd"] == {"numerator": 0, "denominator": 1}


def test_long_term_stability_boundaries():
    la = la_get()
    # E = 31 March 2024; durations count both days (indicators.md §1), so 2.5 years in care
    # means from 1 Oct 2021 (1 April 2024 − 30 months) and 2 years in the home from
    # 1 April 2022. L1: both exactly.
    one = child_make(la, "L1", dob="2010-01-01")
    episode_make(one, "2021-10-01", "S", "C2", "U4", dec="2022-04-01", rec="X1")
    episode_make(one, "2022-04-01", "P", "C2", "U6")
    # One day short of 2.5 years in care: not in the denominator.
    episode_make(child_make(la, "L2", dob="2010-01-01"), "2021-10-02", "S", "C2", "U4")
    # In care long enough, but one day short of 2 years in the home: denominator only.
    short = child_make(la, "L2b", dob="2010-01-01")
    episode_make(short, "2021-01-01", "S", "C2", "U4", dec="2022-04-02", rec="X1")
    episode_make(short, "2022-04-02", "P", "C2", "U6")
    # 16 on the month end: out; 15 (16 tomorrow): in, but moved 15 months ago.
    episode_make(child_make(la, "L3a", dob="2008-03-31"), "2019-01-01", "S", "C2", "U4")
    fifteen = child_make(la, "L3b", dob="2008-04-01")
    episode_make(fifteen, "2020-01-01", "S", "C2", "U4", dec="2023-01-01", rec="X1")
    episode_make(fifteen, "2023-01-01", "P", "C2", "U6")
    # Placed for adoption: the adoptive home plus the one before lasts 2+ years (the one
    # before began on 1 April 2022: exactly 2 years, both days counted).
    adopt = child_make(la, "L4", dob="2018-05-05")
    episode_make(adopt, "2021-01-01", "S", "C1", "U4", dec="2022-04-01", rec="X1")
    episode_make(adopt, "2022-04-01", "P", "E1", "U6", dec="2023-06-01", rec="X1")
    episode_make(adopt, "2023-06-01", "P", "E1", "A6")
    # …and one day short: denominator only.
    adopt_short = child_make(la, "L4b", dob="2018-05-05")
    episode_make(adopt_short, "2021-01-01", "S", "C1", "U4", dec="2022-04-02", rec="X1")
    episode_make(adopt_short, "2022-04-02", "P", "E1", "U6", dec="2023-06-01", rec="X1")
    episode_make(adopt_short, "2023-06-01", "P", "E1", "A6")
    # In hospital on the month end: the usual placement continues.
    temp = child_make(la, "L5", dob="2012-01-01")
    episode_make(temp, "2021-06-01", "S", "C2", "U4", dec="2024-03-20", rec="X1", **HOME)
    episode_make(temp, "2024-03-20", "P", "C2", "T1", **HOSPITAL)

    cells = figures(la, "2024-03")

    # Denominator: L1, L2b, L3b, L4, L4b, L5; numerator: L1, L4, L5.
    assert cells["long_term_stability"]["at_e"] == {"numerator": 3, "denominator": 6}


def test_long_term_stability_with_nobody_eligible_is_a_zero_denominator():
    la = la_get()
    episode_make(child_make(la, "NEW"), "2024-01-01", "S", "C1", "U6")

    assert figures(la, "2024-03")["long_term_stability"]["at_e"] == {
        "numerator": 0,
        "denominator": 0,
    }


def test_type_of_home_groups_and_the_other_settings_drill_down():
    la = la_get()
    codes = ["U1", "U3", "U6", "U4", "P1", "A5", "K2", "K1", "R5", "K3", "H5", "P2", "S1", "R1"]
    for i, place in enumerate(codes):
        episode_make(child_make(la, f"C{i}"), "2024-01-01", "S", "C2", place)
    hospital = child_make(la, "T")
    episode_make(hospital, "2024-01-01", "S", "C2", "U4", dec="2024-03-30", rec="X1", **HOME)
    episode_make(hospital, "2024-03-30", "P", "C2", "T1", **HOSPITAL)

    cell = figures(la, "2024-03")["placement_type_breakdown"]["at_e"]

    assert cell["breakdown"] == {
        "foster_connected_carer": 2,
        "foster_other": 3,  # U6, U4 and the child in hospital from a U4 home
        "placed_with_parents": 1,
        "placed_for_adoption": 1,
        "residential_childrens_home": 1,
        "secure": 2,
        "semi_independent_supported": 2,
        "independent_living": 1,
        "other": 2,
    }
    assert cell["other_codes"] == {"R1": 1, "S1": 1}


def test_location_in_and_out_of_county_and_20_miles():
    la = la_get()
    rows = [
        ("IN", "IN", Decimal("3.0"), False),
        ("OUT_NEAR", "OUT", Decimal("19.9"), False),
        ("OUT_FAR", "OUT", Decimal("20.0"), False),
        ("UNKNOWN", "", None, False),
        ("UASC_OUT", "OUT", None, True),
        ("UASC_IN", "IN", None, True),
    ]
    for child_id, location, distance, uasc in rows:
        child = child_make(la, child_id)
        episode_make(
            child, "2024-01-01", "S", "C2", "U4", pl_location=location, pl_distance=distance
        )
        if uasc:
            uasc_make(child, 2024)

    cells = figures(la, "2024-03")

    assert cells["placed_in_county"]["at_e"] == {"value": 2, "unknown": 1}
    assert cells["out_of_county_non_uasc"]["at_e"] == {
        "numerator": 2,
        "denominator": 4,
        "unknown": 1,
    }
    assert cells["out_of_county_20_miles"]["at_e"] == {
        "numerator": 1,
        "denominator": 4,
        "unknown": 1,
    }
    assert cells["uasc_out_of_county"]["at_e"] == {"numerator": 1, "denominator": 2, "unknown": 0}


def test_a_temporary_placement_is_never_a_placement_of_its_own_for_stability():
    # E = 31 March 2024. Every child is under 16 and in care since 2021 (2.5+ years): all
    # six are in the denominator. A temporary placement (T0–T4) is never a placement of its
    # own (indicators.md §1), so:
    la = la_get()
    # H1: born in hospital in May 2021 and still there at E: no usual placement → not
    # "in the same placement for 2 years".
    still = child_make(la, "H1", dob="2021-05-03")
    episode_make(still, "2021-05-03", "S", "C2", "T1", **HOSPITAL)
    # H2: moved on from hospital to foster carers on 1 June 2022 coded RNE T (no change of
    # carer on the record): the placement runs from 1 June 2022, under 2 years.
    moved_on = child_make(la, "H2", dob="2021-05-03")
    episode_make(moved_on, "2021-05-03", "S", "C2", "T1", dec="2022-06-01", rec="X1", **HOSPITAL)
    episode_make(moved_on, "2022-06-01", "T", "C2", "U4", **HOME)
    # H3: the same, moving on on 1 April 2022: exactly 2 years on E → counted.
    long_enough = child_make(la, "H3", dob="2021-05-03")
    episode_make(long_enough, "2021-05-03", "S", "C2", "T1", dec="2022-04-01", rec="X1", **HOSPITAL)
    episode_make(long_enough, "2022-04-01", "L", "C2", "U4", **HOME)
    # H4: placed for adoption from hospital (RNE P) in 2023: the "previous placement" is
    # the hospital stay, which is not a placement, so the adoptive one alone is too short.
    adopted = child_make(la, "H4", dob="2021-05-03")
    episode_make(adopted, "2021-05-03", "S", "C2", "T1", dec="2023-06-01", rec="X1", **HOSPITAL)
    episode_make(adopted, "2023-06-01", "P", "E1", "A4", **OTHER_HOME)
    # H5: in hospital on E from a U4 home of 3 years: judged by the placement it bridges.
    away = child_make(la, "H5", dob="2012-01-01")
    episode_make(away, "2021-01-04", "S", "C2", "U4", dec="2024-03-20", rec="X1", **HOME)
    episode_make(away, "2024-03-20", "P", "C2", "T1", **HOSPITAL)
    # H6: foster home, then hospital, then a new home (a move) 6 months ago: not counted.
    moved = child_make(la, "H6", dob="2012-01-01")
    episode_make(moved, "2021-01-04", "S", "C2", "U4", dec="2023-09-01", rec="X1", **HOME)
    episode_make(moved, "2023-09-01", "P", "C2", "T1", dec="2023-09-10", rec="X1", **HOSPITAL)
    episode_make(moved, "2023-09-10", "P", "C2", "K2", **OTHER_HOME)

    cells = figures(la, "2024-03")

    assert cells["long_term_stability"]["at_e"] == {"numerator": 2, "denominator": 6}  # H3, H5
    # The same reading in the 3+ placements figure (window from 31 March 2023): H6 had two
    # (the U4 home open at the start and K2); no one has three, hospital stays adding none.
    assert cells["placements_3plus_12m"]["rolling12"] == {"numerator": 0, "denominator": 6}
    # And in the type of home: H1 has no usual placement (other, T1); H5 is in their U4 home.
    breakdown = cells["placement_type_breakdown"]["at_e"]
    assert breakdown["breakdown"]["other"] == 1 and breakdown["other_codes"] == {"T1": 1}
    assert breakdown["breakdown"]["foster_other"] == 3  # H2, H3, H5


def test_moving_on_from_hospital_starts_the_first_of_three_placements():
    # From hospital (T1) to foster care by a legal-status-only episode (RNE L) within the
    # window, then two changes of carer: 3 placements, the hospital stay adding none.
    la = la_get()
    child = child_make(la, "H7")
    episode_make(child, "2023-05-01", "S", "C2", "T1", dec="2023-05-20", rec="X1", **HOSPITAL)
    episode_make(child, "2023-05-20", "L", "C1", "U6", dec="2023-09-01", rec="X1", **HOME)
    episode_make(child, "2023-09-01", "P", "C1", "K2", dec="2024-01-01", rec="X1", **OTHER_HOME)
    episode_make(child, "2024-01-01", "P", "C1", "U4")

    cells = figures(la, "2024-03")

    assert cells["placements_3plus_12m"]["rolling12"] == {"numerator": 1, "denominator": 1}
