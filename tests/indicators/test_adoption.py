"""Adoptions, % of leavers adopted, A1 / A2 / A10, the 14-month wait and the pipeline.

Hand-worked intervals:
- F (adopted by own foster carers): care from 10 Jan 2022; the carers' placement became an
  adoptive placement (RNE T, A5) on 15 Jan 2023: A1 = 370 days; A10 counts to the day F
  moved in with those carers, the start of care: 0 days. Placement order (E1) 1 Jul 2022,
  match 1 Dec 2022: A2 = 153 days.
- O (other adopters): care from 1 Feb 2022, placed with adopters (P, A6) 1 Mar 2023:
  A1 = A10 = 393 days. E1 from 1 Oct 2022, match 15 Jan 2023: A2 = 106 days.
"""

from __future__ import annotations

from datetime import date

import pytest

from scorecards.selectors import snapshot_export
from tests.indicators.builders import adoption_make, child_make, episode_make, figures, la_get

pytestmark = pytest.mark.django_db


def _adoptions_fixture(la):
    f = child_make(la, "F", dob="2021-05-01")
    episode_make(f, "2022-01-10", "S", "C1", "U4", dec="2022-07-01", rec="X1")
    episode_make(f, "2022-07-01", "L", "E1", "U4", dec="2023-01-15", rec="X1")
    episode_make(f, "2023-01-15", "T", "E1", "A5", dec="2023-09-20", rec="E11")
    adoption_make(f, 2024, date_match="2022-12-01", foster_care=True)
    o = child_make(la, "O", dob="2020-03-03")
    episode_make(o, "2022-02-01", "S", "C1", "U6", dec="2022-10-01", rec="X1")
    episode_make(o, "2022-10-01", "L", "E1", "U6", dec="2023-03-01", rec="X1")
    episode_make(o, "2023-03-01", "P", "E1", "A6", dec="2023-09-30", rec="E12")
    adoption_make(o, 2024, date_match="2023-01-15", foster_care=False)
    n = child_make(la, "N")
    episode_make(n, "2022-02-01", "S", "V2", "U6", dec="2023-08-15", rec="E4A")


def test_adoptions_and_percentage_of_leavers_adopted():
    la = la_get()
    _adoptions_fixture(la)

    september = figures(la, "2023-09")

    assert september["adoptions"] == {"month": {"value": 2}, "ytd": {"value": 2}}
    assert september["adopted_pct"]["quarter"] == {"numerator": 2, "denominator": 3}
    assert september["adopted_pct"]["ytd"] == {"numerator": 2, "denominator": 3}
    assert figures(la, "2023-10")["adopted_pct"]["quarter"] == {"numerator": 0, "denominator": 0}


def test_a1_a10_a2_for_foster_carer_and_other_adoptions():
    la = la_get()
    _adoptions_fixture(la)

    september = figures(la, "2023-09")

    assert september["a1_days"]["month"] == {"sum": 370 + 393, "count": 2}
    assert september["a10_days"]["month"] == {"sum": 0 + 393, "count": 2}
    assert september["a2_days"]["month"] == {"sum": 153 + 106, "count": 2}
    assert september["adoption_wait_under_14m"]["month"] == {"numerator": 2, "denominator": 2}
    export = snapshot_export(la=la, month=date(2023, 9, 1))["indicators"]
    assert export["a1_days"]["month"]["value"] == 381.5


def test_foster_carer_adoption_without_ad1_is_recognised_from_the_placement_code():
    la = la_get()
    child = child_make(la, "F2", dob="2021-05-01")
    episode_make(child, "2022-01-10", "S", "C1", "U4", dec="2023-01-15", rec="X1")
    episode_make(child, "2023-01-15", "U", "E1", "A5", dec="2023-09-20", rec="E11")

    september = figures(la, "2023-09")

    assert september["a1_days"]["month"] == {"sum": 370, "count": 1}
    assert september["a10_days"]["month"] == {"sum": 0, "count": 1}
    assert september["a2_days"]["month"] == {"sum": 0, "count": 0}  # no match date known


def test_fourteen_months_means_under_426_days():
    la = la_get()
    on_limit = child_make(la, "W426")  # 1 Jun 2021 → 1 Aug 2022 = 426 days
    episode_make(on_limit, "2021-06-01", "S", "V2", "U4", dec="2022-08-01", rec="X1")
    episode_make(on_limit, "2022-08-01", "P", "V2", "A4", dec="2023-02-10", rec="E11")
    under = child_make(la, "W425")  # 2 Jun 2021 → 1 Aug 2022 = 425 days
    episode_make(under, "2021-06-02", "S", "V2", "U4", dec="2022-08-01", rec="X1")
    episode_make(under, "2022-08-01", "P", "V2", "A4", dec="2023-02-10", rec="E11")

    february = figures(la, "2023-02")

    assert february["adoption_wait_under_14m"]["month"] == {"numerator": 1, "denominator": 2}
    assert february["a1_days"]["month"] == {"sum": 851, "count": 2}
    # Placed with consent (no placement order): no A2.
    assert february["a2_days"]["month"] == {"sum": 0, "count": 0}


def test_rolling_12_months_includes_every_adoption_since_e_minus_12_months():
    la = la_get()
    _adoptions_fixture(la)
    early = child_make(la, "E")  # adopted on 30 Sep 2022 = E − 12 months: counts
    episode_make(early, "2021-09-01", "S", "V2", "U4", dec="2022-05-01", rec="X1")
    episode_make(early, "2022-05-01", "P", "V2", "A4", dec="2022-09-30", rec="E11")
    too_early = child_make(la, "TE")  # 29 Sep 2022: outside
    episode_make(too_early, "2021-09-01", "S", "V2", "U4", dec="2022-05-01", rec="X1")
    episode_make(too_early, "2022-05-01", "P", "V2", "A4", dec="2022-09-29", rec="E11")

    september = figures(la, "2023-09")

    assert september["a1_days"]["rolling12"] == {"sum": 370 + 393 + 242, "count": 3}


def test_data_beginning_mid_period_count_as_adoptions_but_not_in_timeliness():
    la = la_get()
    child = child_make(la, "MID")
    episode_make(child, "2023-01-01", "P", "E1", "A6", dec="2023-09-05", rec="E11")

    september = figures(la, "2023-09")

    assert september["adoptions"]["month"] == {"value": 1}
    assert september["a1_days"]["month"] == {"sum": 0, "count": 0}
    assert september["adoption_wait_under_14m"]["month"] == {"numerator": 0, "denominator": 0}


def test_adoption_pipeline_placed_and_matched_awaiting_placement():
    la = la_get()
    _adoptions_fixture(la)
    q = child_make(la, "Q", dob="2021-01-01")
    episode_make(q, "2022-03-01", "S", "E1", "U6", dec="2023-10-01", rec="X1")
    episode_make(q, "2023-10-01", "P", "E1", "A6", dec="2024-01-10", rec="E12")
    adoption_make(q, 2024, date_match="2023-08-15", foster_care=False)

    august = figures(la, "2023-08")["adoption_pipeline"]["at_e"]["breakdown"]
    july = figures(la, "2023-07")["adoption_pipeline"]["at_e"]["breakdown"]

    assert august == {"placed_for_adoption": 2, "matched_awaiting_placement": 1}
    assert july == {"placed_for_adoption": 2, "matched_awaiting_placement": 0}


def test_a10_counts_to_the_move_from_hospital_to_the_carers_who_adopt():
    # Born in hospital (T1) and looked after from 3 May 2022; moved to foster carers on
    # 1 June 2022 (RNE L: no change of carer on the record), who adopt (RNE T, A5, from
    # 1 Feb 2023; adopted 30 Sept 2023). The hospital stay is never a placement of its own
    # (indicators.md §1), so the child moved in with the adopters on 1 June: A10 = 29 days
    # (3 May to 1 June); A1 = 274 days (to 1 Feb 2023).
    la = la_get()
    child = child_make(la, "NB", dob="2022-05-03")
    episode_make(child, "2022-05-03", "S", "C1", "T1", dec="2022-06-01", rec="X1")
    episode_make(child, "2022-06-01", "L", "C1", "U4", dec="2023-02-01", rec="X1")
    episode_make(child, "2023-02-01", "T", "E1", "A5", dec="2023-09-30", rec="E12")
    adoption_make(child, 2024, date_match="2022-12-01", foster_care=True)

    september = figures(la, "2023-09")

    assert september["a10_days"]["month"] == {"sum": 29, "count": 1}
    assert september["a1_days"]["month"] == {"sum": 274, "count": 1}


def test_a2_counts_a_match_only_once_it_is_dated_by_the_month_end():
    """Adopted on 20 April 2023, the match recorded as 1 May 2023 (later than the adoption:
    a mistyped AD1). April's A2 cannot know the match yet (as of 30 April); May counts it."""
    la = la_get()
    child = child_make(la, "M", dob="2019-01-01")
    episode_make(child, "2021-01-01", "S", "C2", "U6", dec="2022-06-01", rec="X1")
    episode_make(child, "2022-06-01", "L", "E1", "U6", dec="2023-02-01", rec="X1")
    episode_make(child, "2023-02-01", "P", "E1", "A6", dec="2023-04-20", rec="E11")
    adoption_make(child, 2024, date_match="2023-05-01", foster_care=False)

    april, may = figures(la, "2023-04"), figures(la, "2023-05")

    assert april["a2_days"]["month"] == {"sum": 0, "count": 0}
    assert april["a2_days"]["rolling12"] == {"sum": 0, "count": 0}
    assert may["a2_days"]["rolling12"] == {"sum": 334, "count": 1}  # 1 Jun 2022 → 1 May 2023
