"""The long-term stability drill-down reads the figure's own reading (indicators.md §1):
a temporary placement is never a placement of its own, and durations count both days."""

from __future__ import annotations

from datetime import date

from reviews.selectors import drilldown_get
from scorecards.services import snapshots_recompute
from tests.worklists.conftest import allocate, child_make, d, episode_make

TODAY = date(2024, 4, 10)


def test_the_stability_list_matches_the_figure_and_shows_no_home_for_a_hospital_stay(world):
    # E = 31 March 2024; both children under 16 and in care since May 2021.
    hospital = child_make(world.la, "H1", dob="2021-05-03")  # in hospital since birth
    episode_make(hospital, "2021-05-03", "S", "T1")
    foster = child_make(world.la, "F1", dob="2021-05-03")  # moved on 1 April 2022 (RNE L)
    episode_make(foster, "2021-05-03", "S", "T1", dec="2022-04-01")
    episode_make(foster, "2022-04-01", "L", "U4")
    for child in (hospital, foster):
        allocate(child, world.team1, world.worker1, "2021-05-03")
    snapshots_recompute(la=world.la, months=[date(2024, 3, 1)], today=TODAY)

    drill = drilldown_get(
        user=world.admin, la=world.la, indicator_id="long_term_stability",
        month=date(2024, 3, 1), period="at_e", today=TODAY,
    )  # fmt: skip

    assert sorted((it.child_id, it.done, it.in_numerator) for it in drill.items) == [
        ("F1", d("2022-04-01"), True),  # in this home since 1 April 2022: 2 years on E
        ("H1", None, False),  # no usual placement: the hospital stay is not one
    ]
    assert (drill.snapshot_cell["numerator"], drill.snapshot_cell["denominator"]) == (1, 2)
