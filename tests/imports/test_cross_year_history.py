"""Each SSDA903 return speaks for its own year; none erases another's (docs/ssda903.md §5).

Two linked returns, hand-worked. The 2020-21 return (collection year 2021) has four
children looked after on 31 March 2021, each in one open episode:

- A (from 10/05/2020): the 2021-22 return omits A altogether;
- B (from 01/06/2020): omitted, then B starts to be looked after again (RNE S) on
  15/09/2021;
- C (from 01/07/2020): omitted, but the 2021-22 return has C moving placement (RNE P)
  on 20/05/2021 — a later-starting episode that supersedes the omitted one;
- D (from 01/08/2020): carried into 2021-22 as DfE requires, and D goes home on
  10/10/2021 (E4A).

So: looked after on 31 March 2021 {A, B, C, D}; on 30 April 2021 {C, D} (A's and B's
records end on 1 April 2021, which is not a ceasing); on 30 September 2021 {B, C, D};
on 31 October 2021 {B, C}. The only ceasing in 2021-22 is D's; the only start is B's.
"""

from __future__ import annotations

from datetime import date

import pytest

from children.care_history import (
    EpisodeIn,
    ReturnedEpisode,
    care_history_build,
    end_of_record_dates,
)
from children.models import Episode, PeriodOfCare, ReturnYear
from imports.formats.ssda903_years import MSG_NOT_CARRIED, MSG_NOT_IN_NEXT
from scorecards.engine import MonthContext, la_data_load
from scorecards.periods import ReportingDates
from scorecards.services import snapshot_cells_compute
from tests.imports.conftest import EPISODES_COLUMNS, import_903, issues

TODAY = date(2026, 12, 7)
HEADER_COLUMNS = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
HEADER_ROWS = {
    "A": "A,1,14/06/2012,WBRI,UN1,,",
    "B": "B,1,15/06/2012,WBRI,UN1,,",
    "C": "C,1,16/06/2012,WBRI,UN1,,",
    "D": "D,1,17/06/2012,WBRI,UN1,,",
}
FOSTER = "C2,N1,U6,PR1"
HOME = "AA1 1AA,AA2 2AB,SC900001"
EPISODES_2021 = [
    f"A,10/05/2020,S,{FOSTER},,,,{HOME}",
    f"B,01/06/2020,S,{FOSTER},,,,{HOME}",
    f"C,01/07/2020,S,{FOSTER},,,,{HOME}",
    f"D,01/08/2020,S,{FOSTER},,,,{HOME}",
]
EPISODES_2022 = [
    f"B,15/09/2021,S,{FOSTER},,,,{HOME}",
    "C,20/05/2021,P,C2,N1,K2,PR4,,,,AA1 1AA,BB3 3BC,1900002",
    f"D,01/08/2020,S,{FOSTER},10/10/2021,E4A,,{HOME}",
]


def _return(children: str, episodes: list[str]) -> dict[str, str]:
    header = [HEADER_ROWS[c] for c in children]
    return {
        "Header.csv": "\n".join([HEADER_COLUMNS, *header]) + "\n",
        "Episodes.csv": "\n".join([EPISODES_COLUMNS, *episodes]) + "\n",
    }


RETURN_2021 = _return("ABCD", EPISODES_2021)
RETURN_2022 = _return("BCD", EPISODES_2022)


def looked_after(la, month: date) -> set[str]:
    data = la_data_load(la=la)
    ctx = MonthContext(data, ReportingDates.for_month(month, today=TODAY))
    return {entry.child.child_id for entry in ctx.cla}


def figure(la, month: date, indicator: str, period: str):
    cells = snapshot_cells_compute(
        data=la_data_load(la=la), dates=ReportingDates.for_month(month, today=TODAY)
    )
    return cells[indicator][period]["value"]


def stored_history(la) -> dict[str, set[tuple]]:
    return {
        "episodes": set(
            Episode.objects.filter(la=la).values_list(
                "child__child_id",
                "decom",
                "dec",
                "rec",
                "rne",
                "place",
                "collection_year",
                "end_of_record",
                "is_move",
            )
        ),  # fmt: skip
        "periods": set(
            PeriodOfCare.objects.filter(la=la).values_list(
                "child__child_id", "start_date", "end_date", "reason_ceased", "end_of_record"
            )
        ),
    }


EXPECTED_LOOKED_AFTER = {
    date(2021, 3, 1): {"A", "B", "C", "D"},
    date(2021, 4, 1): {"C", "D"},
    date(2021, 9, 1): {"B", "C", "D"},
    date(2021, 10, 1): {"B", "C"},
}


def _assert_the_hand_worked_history(la) -> None:
    for month, children in EXPECTED_LOOKED_AFTER.items():
        assert looked_after(la, month) == children, month
    assert figure(la, date(2021, 4, 1), "cla_ceased", "month") == 0  # ends of record
    assert figure(la, date(2022, 3, 1), "cla_ceased", "ytd") == 1  # D only
    assert figure(la, date(2022, 3, 1), "cla_started", "ytd") == 1  # B's return to care
    assert figure(la, date(2021, 3, 1), "cla_count", "at_e") == 4
    a = Episode.objects.get(la=la, child__child_id="A")
    assert (a.dec, a.rec, a.end_of_record, a.collection_year) == (None, "", date(2021, 4, 1), 2021)
    b_periods = PeriodOfCare.objects.filter(la=la, child__child_id="B").order_by("start_date")
    assert [(p.start_date, p.end_date, p.end_of_record) for p in b_periods] == [
        (date(2020, 6, 1), date(2021, 4, 1), True),
        (date(2021, 9, 15), None, False),
    ]
    c_periods = PeriodOfCare.objects.filter(la=la, child__child_id="C")
    assert [(p.start_date, p.end_date) for p in c_periods] == [(date(2020, 7, 1), None)]
    c_moves = Episode.objects.filter(la=la, child__child_id="C", is_move=True)
    assert [e.decom for e in c_moves] == [date(2021, 5, 20)]


def test_an_omitted_open_episode_keeps_last_years_month_end_and_is_never_a_ceasing(la):
    first = import_903(la, RETURN_2021, year=2021)
    assert looked_after(la, date(2021, 4, 1)) == {"A", "B", "C", "D"}  # 2022 not loaded yet

    second = import_903(la, RETURN_2022, year=2022)

    assert first.status == second.status == "done", second.message
    assert second.counts["Episodes"]["removed"] == 0
    _assert_the_hand_worked_history(la)
    not_carried = [i for i in issues(second, "warning") if i.kind == "not_carried"]
    assert sorted((i.rule_code, i.value) for i in not_carried) == [
        ("502", "01/06/2020"), ("502", "01/07/2020"), ("502", "10/05/2020"),
    ]  # fmt: skip
    assert not_carried[0].message.startswith(
        MSG_NOT_CARRIED.split("{DECOM}")[0] + not_carried[0].value
    )
    # The recompute starts no later than the first month an end of record changed.
    assert second.earliest_changed_date <= date(2021, 4, 1)


def test_loading_the_years_in_reverse_order_stores_the_same_history(la, other_la):
    import_903(other_la, RETURN_2021, year=2021)
    import_903(other_la, RETURN_2022, year=2022)

    import_903(la, RETURN_2022, year=2022)
    late = import_903(la, RETURN_2021, year=2021)

    assert late.status == "done", late.message
    _assert_the_hand_worked_history(la)
    assert stored_history(la) == stored_history(other_la)
    omitted = [i for i in issues(late, "warning") if i.kind == "not_in_next_return"]
    assert sorted(i.value for i in omitted) == ["01/06/2020", "01/07/2020", "10/05/2020"]
    assert omitted[0].message.startswith(MSG_NOT_IN_NEXT.split("{DECOM}")[0])


@pytest.mark.parametrize("order", [(2021, 2022), (2022, 2021)])
def test_reimporting_every_year_after_all_are_loaded_changes_nothing(la, order):
    returns = {2021: RETURN_2021, 2022: RETURN_2022}
    for year in order:
        import_903(la, returns[year], year=year)
    before = stored_history(la)

    for year in (2021, 2022):
        batch = import_903(la, returns[year], year=year)
        for table, counts in batch.counts.items():
            assert counts["inserted"] == counts["updated"] == counts["removed"] == 0, table
        assert batch.message.startswith("Nothing changed")

    assert stored_history(la) == before


def test_a_later_upload_holding_the_episode_again_wins_and_its_end_of_record_goes(la):
    import_903(la, RETURN_2021, year=2021)
    import_903(la, RETURN_2022, year=2022)
    corrected = _return("ABCD", [f"A,10/05/2020,S,{FOSTER},,,,{HOME}", *EPISODES_2022])

    import_903(la, corrected, year=2022)

    a = Episode.objects.get(la=la, child__child_id="A")
    assert (a.end_of_record, a.collection_year) == (None, 2022)
    assert looked_after(la, date(2021, 4, 1)) == {"A", "C", "D"}


def test_a_new_upload_that_drops_a_carried_episode_gives_it_back_to_last_years_return(la):
    """D's carried episode (ended in 2021-22) leaves the 2021-22 file: it is 2020-21's
    again — open on 31 March 2021, ending with an end of record, not D's going home."""
    import_903(la, RETURN_2021, year=2021)
    import_903(la, RETURN_2022, year=2022)
    without_d = _return("BC", EPISODES_2022[:2])

    batch = import_903(la, without_d, year=2022)

    d = Episode.objects.get(la=la, child__child_id="D")
    assert (d.dec, d.rec, d.collection_year, d.end_of_record) == (None, "", 2021, date(2021, 4, 1))
    assert batch.counts["Episodes"]["returned_to_previous_year"] == 1
    assert batch.counts["Episodes"]["removed"] == 0
    assert looked_after(la, date(2021, 3, 1)) == {"A", "B", "C", "D"}
    assert looked_after(la, date(2021, 4, 1)) == {"C"}
    assert figure(la, date(2022, 3, 1), "cla_ceased", "ytd") == 0
    assert any(i.kind == "not_carried" and i.value == "01/08/2020" for i in issues(batch))


def test_open_episodes_stay_open_while_the_next_return_is_not_loaded(la):
    import_903(la, RETURN_2021, year=2021)

    assert not Episode.objects.filter(la=la, end_of_record__isnull=False).exists()
    assert set(ReturnYear.objects.filter(la=la).values_list("year", flat=True)) == {2021}
    assert looked_after(la, date(2022, 3, 1)) == {"A", "B", "C", "D"}


def test_a_check_only_run_reports_the_warnings_the_import_would(la, other_la):
    for authority in (la, other_la):
        import_903(authority, RETURN_2021, year=2021)

    dry = import_903(la, RETURN_2022, year=2022, dry_run=True)
    real = import_903(other_la, RETURN_2022, year=2022)

    assert dry.warning_count == real.warning_count > 0
    assert dry.issue_summary["by_kind"] == real.issue_summary["by_kind"]
    assert sorted((i.kind, i.value) for i in issues(dry)) == sorted(
        (i.kind, i.value) for i in issues(real)
    )
    assert not Episode.objects.filter(la=la, end_of_record__isnull=False).exists()
    assert set(ReturnYear.objects.filter(la=la).values_list("year", flat=True)) == {2021}


# The rule itself, without the database -------------------------------------------------


def _returned(key, decom, rne="S", dec=None, year=2021, ls="C2"):
    return ReturnedEpisode(key=key, decom=decom, dec=dec, rne=rne, ls=ls, collection_year=year)


@pytest.mark.parametrize(
    ("later", "loaded", "expected"),
    [
        (None, {2021, 2022}, date(2021, 4, 1)),  # nothing follows: 1 April
        (None, {2021}, None),  # the next return is not loaded: still open
        (_returned("n", date(2021, 9, 15), "S", year=2022), {2021, 2022}, date(2021, 4, 1)),
        (_returned("n", date(2021, 3, 20), "S", year=2022), {2021, 2022}, date(2021, 3, 20)),
        (_returned("n", date(2021, 5, 20), "P", year=2022), {2021, 2022}, date(2021, 5, 20)),
    ],
    ids=["no-next", "not-loaded", "re-entry-after", "re-entry-before", "superseded"],
)
def test_end_of_record_dates(later, loaded, expected):
    episodes = [_returned("e", date(2020, 5, 10))] + ([later] if later else [])

    ends = end_of_record_dates(episodes, years_loaded=loaded)

    assert ends.get("e") == expected
    assert "n" not in ends  # held by the latest loaded return


def test_an_end_of_record_ends_the_period_without_a_ceasing():
    history = care_history_build(
        [
            EpisodeIn(
                key=1,
                decom=date(2020, 5, 10),
                dec=None,
                rne="S",
                ls="C2",
                place="U6",
                end_of_record=date(2021, 4, 1),
            ),
            EpisodeIn(key=2, decom=date(2021, 9, 15), dec=None, rne="S", ls="C2", place="U6"),
        ]  # fmt: skip
    )

    first, second = history.periods
    assert (first.end, first.end_of_record, first.ceased) == (date(2021, 4, 1), True, False)
    assert history.looked_after_on(date(2021, 3, 31))
    assert not history.looked_after_on(date(2021, 4, 1))
    assert (second.start, second.end) == (date(2021, 9, 15), None)
