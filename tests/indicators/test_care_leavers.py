"""Care leavers: pathway_plan, the DfE 19–21 cohort (NEET, unsuitable accommodation, in
touch) and the birthday cohort, from dated SSD observations with the 903 OC3 as fallback.

E = 31 March 2024; the year to date is 1 April 2023 – 31 March 2024. A birthday's status is
the latest observation from 3 months before to 1 month after it (and on or before E).
"""

from __future__ import annotations

import pytest

from tests.indicators.builders import child_make, figures, la_get
from tests.indicators.casework_builders import leaver_make, oc3_make

pytestmark = pytest.mark.django_db


def _fixture(la):
    # L1: 19 on 31 March 2024, the last day of the month. The observation taken that very
    # day is the status: in touch, NEET (G5), unsuitable accommodation. Its OC3 row is
    # ignored (SSD covers the birthday).
    l1 = child_make(la, "L1", dob="2005-03-31")
    leaver_make(l1, "2024-01-31", activity="F2", plan="2023-09-30")
    leaver_make(l1, "2024-03-31", suitable="2", activity="G5", plan="2023-09-30")
    oc3_make(l1, 2024, activity="F1", accom="D1")
    # L2: 20 on 1 March 2024. Its only observation (30 November 2023) is one day before the
    # window (1 December): the OC3 row of 2023/24 gives the status: no longer requires
    # services, EET, suitable.
    l2 = child_make(la, "L2", dob="2004-03-01")
    leaver_make(l2, "2023-11-30", activity="G5", plan="2023-09-29")
    oc3_make(l2, 2024, in_touch="NREQ", activity="F5", accom="B1")
    # L3: 21 on 15 March 2024, not in touch: everything unknown. A later observation (15
    # April, in the window) does not exist yet on 31 March.
    l3 = child_make(la, "L3", dob="2003-03-15")
    leaver_make(l3, "2024-02-29", in_touch="NO", accommodation="", suitable="", activity="")
    leaver_make(l3, "2024-04-15")
    # L4: 19 on 1 April 2024: next financial year.
    l4 = child_make(la, "L4", dob="2005-04-01")
    leaver_make(l4, "2024-03-31", activity="F1", plan="2024-03-01")
    # L5: qualifying, not a care leaver in the catalogue's sense.
    l5 = child_make(la, "L5", dob="2005-03-10")
    leaver_make(l5, "2024-03-31", "Qualifying")
    # L6: 18 on 20 March 2024: in the birthday cohort only.
    l6 = child_make(la, "L6", dob="2006-03-20")
    leaver_make(l6, "2024-03-31")


def test_a_care_leaver_whose_19th_birthday_is_the_last_day_of_the_month():
    la = la_get()
    l1 = child_make(la, "L1", dob="2005-03-31")
    leaver_make(l1, "2024-03-31", suitable="2", activity="G5")

    feb, march = figures(la, "2024-02"), figures(la, "2024-03")

    assert feb["cl_19_21_neet"]["ytd"]["denominator"] == 0
    assert march["cl_19_21_neet"]["ytd"] == {
        "numerator": 1,
        "denominator": 1,
        "neet": 1,
        "unknown": 0,
    }
    assert march["cl_birthday_cohort"]["month"]["breakdown"]["cohort"] == 1


def test_19_to_21_cohort_neet_and_unsuitable_count_unknown_as_not_good():
    la = la_get()
    _fixture(la)

    march = figures(la, "2024-03")

    # L1 NEET, L2 EET (OC3), L3 unknown.
    assert march["cl_19_21_neet"]["ytd"] == {
        "numerator": 2,
        "denominator": 3,
        "neet": 1,
        "unknown": 1,
    }
    # L1 unsuitable, L2 suitable (B1), L3 unknown.
    assert march["cl_19_21_unsuitable_accommodation"]["ytd"] == {
        "numerator": 2,
        "denominator": 3,
        "unsuitable": 1,
        "unknown": 1,
    }
    assert march["cl_19_21_in_touch"]["ytd"] == {
        "numerator": 1,
        "denominator": 3,
        "returned_home": 0,
        "no_longer_required": 1,
        "died": 0,
        "unknown": 1,
    }


def test_the_next_financial_year_starts_a_new_cohort():
    la = la_get()
    _fixture(la)

    april = figures(la, "2024-04")

    assert april["cl_19_21_neet"]["ytd"]["denominator"] == 1  # L4
    assert april["cl_19_21_neet"]["ytd"]["numerator"] == 0
    assert april["cl_19_21_in_touch"]["ytd"]["numerator"] == 1


def test_birthday_cohort_of_the_month():
    la = la_get()
    _fixture(la)

    cell = figures(la, "2024-03")["cl_birthday_cohort"]["month"]

    assert cell["breakdown"] == {
        "cohort": 4,  # L1 (19), L2 (20), L3 (21), L6 (18)
        "suitable_accommodation_yes": 2,  # L2, L6
        "suitable_accommodation_unknown": 1,  # L3
        "eet_yes": 2,  # L2, L6
        "eet_unknown": 1,  # L3
        "in_touch_yes": 2,  # L1, L6
        "in_touch_returned_home": 0,
        "in_touch_no_longer_required": 1,  # L2
    }


def test_pathway_plan_reviewed_within_6_months_of_care_leavers_at_e():
    la = la_get()
    _fixture(la)

    cell = figures(la, "2024-03")["pathway_plan"]["at_e"]

    # Care leavers at E: L1, L2, L3, L4, L6 (L5 qualifying). Plans: L1 30 September 2023
    # (E − 6 months: in), L4 1 March 2024; L2's 29 September is too old; L3, L6 none.
    assert (cell["numerator"], cell["denominator"]) == (2, 5)


def test_worked_example_of_ssd_extracts_section_5_care_leaver():
    la = la_get()
    # C1002: born 2 November 2006, left care on his 18th birthday; Former Relevant, in touch,
    # NEET (G5), suitable (1), plan reviewed 5 December 2024: within 6 months of 31 March
    # 2025. Aged 18, so outside the 19–21 cohort.
    c1002 = child_make(la, "C1002", dob="2006-11-02")
    leaver_make(c1002, "2025-03-31", activity="G5", plan="2024-12-05")

    march = figures(la, "2025-03")

    assert march["pathway_plan"]["at_e"] == {"numerator": 1, "denominator": 1}
    assert march["cl_19_21_neet"]["ytd"]["denominator"] == 0
