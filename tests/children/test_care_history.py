"""Periods of care and placements from episodes (indicators.md §1, ssda903.md §3.3, §7)."""

from datetime import date

from children.care_history import EpisodeIn, care_history_build, placement_group


def ep(key, decom, dec, rne, ls="C2", place="U6", rec="", **kw):
    return EpisodeIn(key=key, decom=decom, dec=dec, rne=rne, ls=ls, place=place, rec=rec, **kw)


def test_worked_example_a1001_one_move_and_legal_status_change_continues_placement():
    history = care_history_build(
        [
            ep(1, date(2023, 2, 3), date(2024, 7, 19), "S", "C1", "U6", "X1", pl_post="AA2 2AB"),
            ep(2, date(2024, 7, 19), date(2024, 10, 2), "P", "C1", "K2", "X1", pl_post="BB3 3BC"),
            ep(3, date(2024, 10, 2), None, "L", "C2", "K2", pl_post="BB3 3BC"),
        ]
    )
    assert len(history.periods) == 1
    period = history.periods[0]
    assert period.start == date(2023, 2, 3) and period.end is None and period.starts_with_s
    assert [(p.start, p.end) for p in period.placements] == [
        (date(2023, 2, 3), date(2024, 7, 19)),
        (date(2024, 7, 19), None),
    ]
    assert history.moves == {2}
    assert history.looked_after_on(date(2025, 3, 31))


def test_worked_example_c3003_t_episode_is_same_carer_not_a_move():
    history = care_history_build(
        [
            ep(1, date(2024, 4, 16), date(2024, 6, 30), "S", "V2", "U3", "X1"),
            ep(2, date(2024, 6, 30), date(2025, 1, 21), "B", "C1", "U6", "X1"),
            ep(3, date(2025, 1, 21), None, "T", "C1", "U4"),
        ]
    )
    (period,) = history.periods
    assert len(period.placements) == 2
    assert history.moves == {2}
    assert period.placements[1].place_on(date(2025, 1, 20)) == "U6"
    assert period.placements[1].place_on(date(2025, 1, 21)) == "U4"


def test_period_ends_with_non_x1_reason_and_not_looked_after_on_its_end_day():
    history = care_history_build([ep(1, date(2024, 1, 5), date(2024, 3, 31), "S", rec="E4A")])
    (period,) = history.periods
    assert period.end == date(2024, 3, 31) and period.reason_ceased == "E4A"
    assert history.looked_after_on(date(2024, 3, 30))
    assert not history.looked_after_on(date(2024, 3, 31))


def test_temporary_placement_and_return_to_the_usual_placement_are_not_moves():
    usual = {"pl_post": "CB1 1AA", "urn": "SC000001", "place_provider": "PR1"}
    history = care_history_build(
        [
            ep(1, date(2024, 1, 1), date(2024, 5, 1), "S", place="U6", rec="X1", **usual),
            ep(2, date(2024, 5, 1), date(2024, 5, 5), "P", place="T1", rec="X1"),
            ep(3, date(2024, 5, 5), None, "P", place="U6", **usual),
        ]
    )
    (period,) = history.periods
    assert len(period.placements) == 1
    assert history.moves == set()
    assert period.placements[0].place_on(date(2024, 5, 2)) == "U6"


def test_return_from_temporary_placement_to_a_different_carer_is_a_move():
    history = care_history_build(
        [
            ep(1, date(2024, 1, 1), date(2024, 5, 1), "S", place="U6", rec="X1", pl_post="CB1 1AA"),
            ep(2, date(2024, 5, 1), date(2024, 5, 5), "P", place="T1", rec="X1"),
            ep(3, date(2024, 5, 5), None, "P", place="K2", pl_post="PE1 1AA"),
        ]
    )
    assert history.moves == {3}
    assert len(history.periods[0].placements) == 2


def test_short_breaks_take_no_part_in_periods_of_care():
    history = care_history_build(
        [
            ep(1, date(2024, 1, 1), date(2024, 1, 3), "S", ls="V3", place="U6", rec="E13"),
            ep(2, date(2024, 2, 1), date(2024, 2, 3), "S", ls="V3", place="U6", rec="E13"),
        ]
    )
    assert history.periods == []
    assert len(history.short_breaks) == 2
    assert not history.looked_after_on(date(2024, 1, 2))


def test_overlapping_episodes_later_starting_supersedes_from_its_start():
    history = care_history_build(
        [
            ep(1, date(2024, 1, 1), date(2024, 6, 1), "S", place="U6", rec="X1"),
            ep(2, date(2024, 3, 1), None, "P", place="K2"),
        ]
    )
    assert history.superseded_keys == [1]
    (period,) = history.periods
    assert period.episodes[0].end == date(2024, 3, 1)
    assert period.episode_on(date(2024, 4, 1)).episode.place == "K2"
    assert history.moves == {2}


def test_period_not_starting_with_s_is_flagged():
    history = care_history_build([ep(1, date(2020, 1, 1), None, "P")])
    assert history.periods[0].starts_with_s is False


def test_gap_between_episodes_starts_a_new_period():
    history = care_history_build(
        [
            ep(1, date(2023, 1, 1), date(2023, 6, 1), "S", rec="E4A"),
            ep(2, date(2023, 9, 1), None, "S"),
        ]
    )
    assert [p.start for p in history.periods] == [date(2023, 1, 1), date(2023, 9, 1)]


def test_placement_groups():
    assert placement_group("U1") == "foster_connected_carer"
    assert placement_group("U5") == "foster_other"
    assert placement_group("A5") == "placed_for_adoption"
    assert placement_group("K3") == "semi_independent_supported"
    assert placement_group("R5") == "secure"
    assert placement_group("Z12") == "other"
