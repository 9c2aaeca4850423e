"""Education: pep_in_place and good_outstanding_school.

School age at E = 31 March 2024: aged 5 to 15 on 31 August 2023, i.e. born 1 September 2007
to 31 August 2018. 31 March 2024 − 6 months = 30 September 2023.
"""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, episode_make, figures, la_get
from tests.indicators.casework_builders import pep_make, school_make, school_placement_make

pytestmark = pytest.mark.django_db


def _cell(la, month: str, indicator: str) -> dict:
    return figures(la, month)[indicator]["at_e"]


def test_a_pep_draft_after_a_completed_pep_neither_counts_nor_resets_the_clock():
    la = la_get()
    draft_after_old = child_make(la, "P1", dob="2012-06-14")
    episode_make(draft_after_old, "2023-01-02", "S", "C2", "U4")
    pep_make(draft_after_old, "2023-09-29")  # complete, one day too old on 31 March 2024
    pep_make(draft_after_old, "2024-03-01", status="DRAFT")
    draft_after_recent = child_make(la, "P2", dob="2012-06-14")
    episode_make(draft_after_recent, "2023-01-02", "S", "C2", "U4")
    pep_make(draft_after_recent, "2023-09-30")  # exactly E − 6 months: in place
    pep_make(draft_after_recent, "2024-03-01", status="DRAFT")

    cell = _cell(la, "2024-03", "pep_in_place")

    assert (cell["numerator"], cell["denominator"]) == (1, 2)


def test_pep_denominator_is_school_aged_children_in_care_for_a_month():
    la = la_get()
    reception = child_make(la, "R", dob="2018-09-01")  # 4 on 31 August 2023: Reception
    episode_make(reception, "2023-01-02", "S", "C2", "U4")
    year1 = child_make(la, "Y1", dob="2018-08-31")  # 5 on 31 August 2023: Year 1
    episode_make(year1, "2023-01-02", "S", "C2", "U4")
    year11 = child_make(la, "Y11", dob="2007-09-01")  # 15 on 31 August 2023: Year 11
    episode_make(year11, "2023-01-02", "S", "C2", "U4")
    year12 = child_make(la, "Y12", dob="2007-08-31")  # 16: past school age
    episode_make(year12, "2023-01-02", "S", "C2", "U4")
    # One month, both days counted (indicators.md §1 "Durations"): from 1 March, the period
    # has lasted a month on 31 March (1 April − 1 month = 1 March); from 2 March it has not.
    month_exactly = child_make(la, "M1", dob="2012-06-14")
    episode_make(month_exactly, "2024-03-01", "S", "C2", "U4")
    too_new = child_make(la, "M0", dob="2012-06-14")
    episode_make(too_new, "2024-03-02", "S", "C2", "U4")

    cell = _cell(la, "2024-03", "pep_in_place")

    assert cell["denominator"] == 3  # Year 1, Year 11, in care since 1 March


def test_good_or_outstanding_school_of_children_with_a_known_school():
    la = la_get()
    school_make("100001", 1)
    school_make("100002", 2)
    school_make("100003", 3)
    school_make("100004", None)  # no graded judgement
    for child_id, urn, end in (
        ("S1", "100001", None),
        ("S2", "100002", None),
        ("S3", "100003", None),
        ("S4", "100004", None),
        ("S5", "100001", "2024-03-31"),  # left the school on E: no known school
        ("S6", "999999", None),  # URN not in the reference table
    ):
        child = child_make(la, child_id, dob="2012-06-14")
        episode_make(child, "2023-01-02", "S", "C2", "U4")
        school_placement_make(child, urn, "2023-09-01", end)
    moved = child_make(la, "S7", dob="2012-06-14")  # latest school on E counts
    episode_make(moved, "2023-01-02", "S", "C2", "U4")
    school_placement_make(moved, "100003", "2023-09-01", "2024-01-08")
    school_placement_make(moved, "100002", "2024-01-08")

    cell = _cell(la, "2024-03", "good_outstanding_school")

    assert (cell["numerator"], cell["denominator"], cell["unrated"]) == (3, 6, 2)
