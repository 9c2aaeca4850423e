"""A value stored as unknown counts as "not known" in the figures, never in another group.

``ssda903.md`` §6 stores a code in no year's list as unknown (blank) with a warning. Each
return below is imported as a council would send it, then the month end 31 March 2025 is
computed; the counts are worked by hand. Legal status and date of birth cannot be unknown:
an LS or DOB the import cannot read rejects the upload (``test_real_exports_903``).
"""

from __future__ import annotations

import pytest

from imports.models import ImportBatch
from tests.imports.conftest import EPISODES_COLUMNS, import_903
from tests.indicators.builders import figures

pytestmark = pytest.mark.django_db

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A1001,X,14/06/2012,WBRI,UN1,,
B2002,F,05/09/2021,ZZZZ,UN1,0,
C3003,F,22/01/2010,BAFR,UN1,0,
"""
EPISODES = f"""{EPISODES_COLUMNS}
A1001,01/05/2024,S,C2,N9,U6,PR1,,,,AA1 1AA,AA2 2AB,SC900001
B2002,01/06/2024,S,C2,N1,U6,PR1,,,,CC4 4CD,CC5 5DE,SC900001
C3003,01/07/2024,S,C2,N2,U6,PR1,,,,EE7 7FG,EE8 8GH,SC900001
"""


def test_unknown_sex_ethnicity_and_category_of_need_are_counted_as_not_known(la):
    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": EPISODES})

    assert batch.status == ImportBatch.Status.DONE
    warned = {
        (i.column, i.value, i.rule_code) for i in batch.issues.exclude(kind__startswith="location_")
    }
    assert warned == {("SEX", "X", "101"), ("ETHNIC", "ZZZZ", "103"), ("CIN", "N9", "145")}

    cells = figures(la, "2025-03")

    assert cells["gender_breakdown"]["at_e"]["breakdown"] == {"male": 0, "female": 2, "unknown": 1}
    ethnicity = cells["ethnicity_breakdown"]["at_e"]["breakdown"]
    assert (ethnicity["White"], ethnicity["Black or Black British"], ethnicity["Not recorded"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert sum(ethnicity.values()) == 3
    cin = cells["cin_reason_breakdown"]["ytd"]["breakdown"]
    assert (cin["N1"], cin["N2"], cin["unknown"]) == (1, 1, 1)
    assert sum(cin.values()) == 3


def test_an_oc3_status_stored_unknown_is_unknown_never_good(la):
    """C9001 is 19 on 15 March 2025; the OC3 row of 2024/25 gives her status there.
    ACTIV F3 is retired (so unknown, not EET) and ACCOM 01 is in no list (unknown, not
    suitable): she is in the cohort, in touch, with activity and accommodation unknown."""
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC9001,F,15/03/2006,WBRI,UN2,0,\n"
    oc3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC9001,15/03/2006,YES,F3,01\n"

    batch = import_903(la, {"Header.csv": header, "OC3.csv": oc3})

    assert batch.status == ImportBatch.Status.DONE
    assert {(i.column, i.rule_code) for i in batch.issues.all()} == {("ACTIV", "132"),
                                                                     ("ACCOM", "133")}  # fmt: skip
    cells = figures(la, "2025-03")
    cohort = cells["cl_birthday_cohort"]["month"]["breakdown"]
    assert (cohort["cohort"], cohort["in_touch_yes"]) == (1, 1)
    assert (cohort["eet_yes"], cohort["eet_unknown"]) == (0, 1)
    assert (cohort["suitable_accommodation_yes"], cohort["suitable_accommodation_unknown"]) == (
        0,
        1,
    )
    neet = cells["cl_19_21_neet"]["ytd"]
    assert (neet["numerator"], neet["denominator"], neet["unknown"]) == (1, 1, 1)
    unsuitable = cells["cl_19_21_unsuitable_accommodation"]["ytd"]
    assert (unsuitable["numerator"], unsuitable["unsuitable"], unsuitable["unknown"]) == (1, 0, 1)
