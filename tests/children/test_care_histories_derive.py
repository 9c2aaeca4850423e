from datetime import date

import pytest

from children.models import Child, Episode, PeriodOfCare
from children.services import care_histories_derive
from organisations.models import LocalAuthority
from placements.models import Placement


@pytest.fixture
def la(db):
    la, _ = LocalAuthority.objects.get_or_create(
        code="873", defaults={"ons_code": "E10000003", "name": "Cambridgeshire"}
    )
    return la


def test_derive_writes_periods_placements_and_flags_then_nothing_on_rerun(la):
    child = Child.objects.create(la=la, child_id="A1001", sex="M", dob=date(2012, 6, 14))
    common = {"la": la, "child": child, "cin": "N1"}
    Episode.objects.create(
        **common,
        decom=date(2023, 2, 3),
        dec=date(2024, 7, 19),
        rne="S",
        ls="C1",
        place="U6",
        rec="X1",
    )
    Episode.objects.create(
        **common,
        decom=date(2024, 7, 19),
        dec=date(2024, 10, 2),
        rne="P",
        ls="C1",
        place="K2",
        rec="X1",
    )
    Episode.objects.create(**common, decom=date(2024, 10, 2), rne="L", ls="C2", place="K2")

    stats = care_histories_derive(la=la)

    assert stats["periods_written"] == 1 and stats["placements_written"] == 2
    period = PeriodOfCare.objects.get(child=child)
    assert period.start_date == date(2023, 2, 3) and period.end_date is None
    assert list(Placement.objects.filter(child=child).values_list("place", "latest_place")) == [
        ("U6", "U6"),
        ("K2", "K2"),
    ]
    assert list(Episode.objects.filter(child=child).values_list("is_move", flat=True)) == [
        False,
        True,
        False,
    ]
    assert set(Episode.objects.values_list("period_of_care", flat=True)) == {period.pk}

    assert care_histories_derive(la=la) == {
        "periods_written": 0,
        "placements_written": 0,
        "episodes_updated": 0,
        "ends_of_record_changed": 0,
        "earliest": None,
    }


def _episodes(la, child, rows):
    """Episodes from (decom, dec, rne, ls, place, rec, pl_post) tuples."""
    for decom, dec, rne, ls, place, rec, pl_post in rows:
        Episode.objects.create(
            la=la, child=child, cin="N1", decom=decom, dec=dec, rne=rne, ls=ls, place=place,
            rec=rec, pl_post=pl_post, urn="SC000001" if place != "T1" else "",
            place_provider="PR1", home_post="CB1 1AA", pl_la="873", pl_location="IN",
        )  # fmt: skip


def _stored(la):
    """Periods, placements (with their period's start) and episode flags, by natural key."""
    periods = list(
        PeriodOfCare.objects.filter(la=la)
        .order_by("child__child_id", "start_date")
        .values_list(
            "child__child_id", "start_date", "end_date", "reason_ceased", "starts_with_s"
        )  # fmt: skip
    )
    placements = list(
        Placement.objects.filter(la=la)
        .order_by("child__child_id", "start_date")
        .values_list(
            "child__child_id",
            "start_date",
            "end_date",
            "place",
            "latest_place",
            "is_temporary",
            "pl_post",
            "period_of_care__start_date",
        )  # fmt: skip
    )
    flags = list(
        Episode.objects.filter(la=la)
        .order_by("child__child_id", "decom")
        .values_list(
            "child__child_id",
            "decom",
            "is_short_break",
            "is_temporary",
            "is_move",
            "placement_group",
            "period_of_care__start_date",
        )  # fmt: skip
    )
    return periods, placements, flags


D = date
TRICKY = {
    # Temporary placement and the return to the same carer (no move), then a real move.
    "T1001": [
        (D(2023, 1, 1), D(2023, 5, 1), "S", "C2", "U6", "X1", "CB2 2AA"),
        (D(2023, 5, 1), D(2023, 5, 5), "P", "C2", "T1", "X1", "CB9 9ZZ"),
        (D(2023, 5, 5), D(2023, 9, 1), "P", "C2", "U6", "X1", "CB2 2AA"),
        (D(2023, 9, 1), None, "P", "C2", "K2", "", "PE1 1AA"),
    ],
    # Three periods: a same-day one, one ending E4A, a gap, a short break, a new S.
    "T1002": [
        (D(2022, 6, 1), D(2022, 6, 1), "S", "C2", "U1", "E13", "CB2 2AA"),
        (D(2022, 6, 2), D(2023, 2, 1), "S", "C2", "U1", "E4A", "CB2 2AA"),
        (D(2023, 3, 1), D(2023, 3, 3), "S", "V3", "U4", "E13", "CB3 3AA"),
        (D(2023, 6, 1), None, "S", "C1", "U4", "", "CB4 4AA"),
    ],
    # Overlap: the later-starting temporary episode cuts the earlier short and continues
    # its placement; the return from it to a different carer is a move.
    "T1003": [
        (D(2024, 1, 1), D(2024, 8, 1), "S", "C2", "U3", "X1", "CB2 2AA"),
        (D(2024, 6, 1), D(2024, 6, 9), "P", "C2", "T1", "X1", "CB9 9ZZ"),
        (D(2024, 6, 9), None, "P", "C2", "U5", "", "CB5 5AA"),
    ],
}


def test_streamed_derive_gives_exact_periods_placements_and_flags_for_tricky_histories(la):
    for child_id, rows in TRICKY.items():
        child = Child.objects.create(la=la, child_id=child_id, sex="F", dob=D(2010, 1, 1))
        _episodes(la, child, rows)

    care_histories_derive(la=la)
    periods, placements, flags = _stored(la)

    assert periods == [
        ("T1001", D(2023, 1, 1), None, "", True),
        ("T1002", D(2022, 6, 1), D(2022, 6, 1), "E13", True),
        ("T1002", D(2022, 6, 2), D(2023, 2, 1), "E4A", True),
        ("T1002", D(2023, 6, 1), None, "", True),
        ("T1003", D(2024, 1, 1), None, "", True),
    ]
    # A temporary stay belongs to the usual placement, whose location it keeps.
    assert placements == [
        ("T1001", D(2023, 1, 1), D(2023, 9, 1), "U6", "U6", False, "CB2 2AA", D(2023, 1, 1)),
        ("T1001", D(2023, 9, 1), None, "K2", "K2", False, "PE1 1AA", D(2023, 1, 1)),
        ("T1002", D(2022, 6, 1), D(2022, 6, 1), "U1", "U1", False, "CB2 2AA", D(2022, 6, 1)),
        ("T1002", D(2022, 6, 2), D(2023, 2, 1), "U1", "U1", False, "CB2 2AA", D(2022, 6, 2)),
        ("T1002", D(2023, 6, 1), None, "U4", "U4", False, "CB4 4AA", D(2023, 6, 1)),
        ("T1003", D(2024, 1, 1), D(2024, 6, 9), "U3", "U3", False, "CB2 2AA", D(2024, 1, 1)),
        ("T1003", D(2024, 6, 9), None, "U5", "U5", False, "CB5 5AA", D(2024, 1, 1)),
    ]
    assert flags == [
        ("T1001", D(2023, 1, 1), False, False, False, "foster_other", D(2023, 1, 1)),
        ("T1001", D(2023, 5, 1), False, True, False, "temporary", D(2023, 1, 1)),
        ("T1001", D(2023, 5, 5), False, False, False, "foster_other", D(2023, 1, 1)),
        ("T1001", D(2023, 9, 1), False, False, True, "residential_childrens_home", D(2023, 1, 1)),
        ("T1002", D(2022, 6, 1), False, False, False, "foster_connected_carer", D(2022, 6, 1)),
        ("T1002", D(2022, 6, 2), False, False, False, "foster_connected_carer", D(2022, 6, 2)),
        ("T1002", D(2023, 3, 1), True, False, False, "foster_other", None),
        ("T1002", D(2023, 6, 1), False, False, False, "foster_other", D(2023, 6, 1)),
        ("T1003", D(2024, 1, 1), False, False, False, "foster_connected_carer", D(2024, 1, 1)),
        ("T1003", D(2024, 6, 1), False, True, False, "temporary", D(2024, 1, 1)),
        ("T1003", D(2024, 6, 9), False, False, True, "foster_other", D(2024, 1, 1)),
    ]
    assert care_histories_derive(la=la) == {
        "periods_written": 0,
        "placements_written": 0,
        "episodes_updated": 0,
        "ends_of_record_changed": 0,
        "earliest": None,
    }


def test_rederiving_a_changed_history_equals_deriving_it_afresh(la):
    """Two periods merge when the first's REC becomes X1: the second period's placements
    (and their rows) must survive the merge, exactly as a derive from nothing gives."""
    child = Child.objects.create(la=la, child_id="M1001", sex="M", dob=D(2011, 5, 5))
    _episodes(la, child, [
        (D(2023, 1, 1), D(2023, 4, 1), "S", "C2", "U6", "E4A", "CB2 2AA"),
        (D(2023, 4, 1), D(2023, 8, 1), "S", "C2", "K2", "X1", "PE1 1AA"),
        (D(2023, 8, 1), None, "P", "C2", "U4", "", "CB4 4AA"),
    ])  # fmt: skip
    care_histories_derive(la=la)
    assert PeriodOfCare.objects.filter(child=child).count() == 2

    Episode.objects.filter(child=child, decom=D(2023, 1, 1)).update(rec="X1")
    Episode.objects.filter(child=child, decom=D(2023, 4, 1)).update(rne="P")
    care_histories_derive(la=la, child_ids=[child.pk])
    rederived = _stored(la)

    PeriodOfCare.objects.all().delete()
    Episode.objects.update(period_of_care=None, is_move=False, placement_group="")
    care_histories_derive(la=la)
    assert rederived == _stored(la)
    assert [p[1] for p in rederived[1]] == [D(2023, 1, 1), D(2023, 4, 1), D(2023, 8, 1)]
