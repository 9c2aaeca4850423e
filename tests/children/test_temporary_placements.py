"""A temporary placement is never a placement of its own (indicators.md §1 "Placement").

A period that starts on a temporary placement (T0–T4: in hospital, say) has no usual
placement until the child moves on; the move on starts their first placement whatever its
RNE. A temporary stay in the middle of a placement is part of the placement it bridges.
"""

from datetime import date

from children.care_history import EpisodeIn, care_history_build


def ep(key, decom, dec, rne, place, rec="", **kw):
    return EpisodeIn(key=key, decom=decom, dec=dec, rne=rne, ls="C2", place=place, rec=rec, **kw)


def test_a_period_starting_in_hospital_has_no_usual_placement_until_the_child_moves_on():
    # Born in hospital (T1) on 3 May 2021; on 20 June 2021 the same legal status continues with
    # foster carers, coded as a change of placement type only (RNE T): it still starts the
    # first placement — the hospital stay was never one.
    history = care_history_build(
        [
            ep(1, date(2021, 5, 3), date(2021, 6, 20), "S", "T1", "X1"),
            ep(2, date(2021, 6, 20), None, "T", "U4"),
        ]
    )
    (period,) = history.periods
    assert [(p.start, p.end, p.is_temporary) for p in period.placements] == [
        (date(2021, 5, 3), date(2021, 6, 20), True),
        (date(2021, 6, 20), None, False),
    ]
    assert period.placement_on(date(2021, 6, 1)).is_temporary
    assert period.placement_on(date(2024, 3, 31)).start == date(2021, 6, 20)
    assert history.moves == set()  # a change of carer is RNE P or B; this is neither


def test_moving_on_from_hospital_with_rne_p_is_the_first_placement_and_a_move():
    history = care_history_build(
        [
            ep(1, date(2021, 5, 3), date(2021, 6, 20), "S", "T1", "X1"),
            ep(2, date(2021, 6, 20), None, "P", "U4"),
        ]
    )
    (period,) = history.periods
    assert [p.is_temporary for p in period.placements] == [True, False]
    assert history.moves == {2}


def test_two_temporary_stays_at_the_start_are_one_temporary_stay():
    history = care_history_build(
        [
            ep(1, date(2021, 5, 3), date(2021, 5, 10), "S", "T1", "X1"),
            ep(2, date(2021, 5, 10), date(2021, 6, 20), "P", "T2", "X1"),
            ep(3, date(2021, 6, 20), None, "L", "U6"),
        ]
    )
    (period,) = history.periods
    assert [(p.start, p.is_temporary) for p in period.placements] == [
        (date(2021, 5, 3), True),
        (date(2021, 6, 20), False),
    ]


def test_a_temporary_stay_in_the_middle_of_a_placement_is_part_of_it():
    home = {"pl_post": "CB1 1AA", "urn": "SC000001", "place_provider": "PR1"}
    history = care_history_build(
        [
            ep(1, date(2021, 1, 4), date(2024, 3, 20), "S", "U4", "X1", **home),
            ep(2, date(2024, 3, 20), None, "P", "T1"),
        ]
    )
    (placement,) = history.periods[0].placements
    assert not placement.is_temporary
    assert placement.place_on(date(2024, 3, 31)) == "U4"
