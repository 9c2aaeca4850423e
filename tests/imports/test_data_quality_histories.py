"""The data-quality page counts the care histories the returns leave uncertain."""

from __future__ import annotations

from datetime import date

from imports.data_quality import authority_quality
from tests.imports.conftest import import_903
from tests.imports.test_cross_year_history import RETURN_2021, RETURN_2022

EXTRA_HEADER = "F1,1,01/01/2019,WBRI,UN1,,\nG1,1,01/01/2018,WBRI,UN1,,\n"
EXTRA_EPISODES = (
    # Adopted straight from foster care: never coded as placed for adoption (A3–A6).
    "F1,01/05/2020,S,C2,N1,U6,PR1,10/02/2021,E11,,AA1 1AA,AA2 2AB,SC900001\n"
    # The data begin mid-period: the first episode is an L, not an S.
    "G1,01/06/2020,L,C2,N1,U6,PR1,,,,AA1 1AA,AA2 2AB,SC900001\n"
)


def test_ends_of_record_unknown_starts_and_unplaced_adoptions_are_counted(la):
    import_903(
        la,
        {
            "Header.csv": RETURN_2021["Header.csv"] + EXTRA_HEADER,
            "Episodes.csv": RETURN_2021["Episodes.csv"] + EXTRA_EPISODES,
        },
        year=2021,
    )
    import_903(la, RETURN_2022, year=2022)

    quality = authority_quality(la=la, on=date(2022, 3, 31))

    assert quality.ends_of_record == 4  # A, B and C; and G1, whom 2021-22 omits too
    assert quality.periods_without_start == 1  # G1
    assert quality.adoptions_not_placed_for_adoption == 1  # F1
