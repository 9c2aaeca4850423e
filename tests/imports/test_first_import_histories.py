"""A child's first episodes are stored with their derived history in one write.

``care_histories_insert`` derives periods of care, placements, episode flags and
placement locations from the file before anything is stored, for children the authority
holds nothing of; everyone else is upserted and re-derived (``care_histories_derive``).
The two routes must store exactly the same thing: these tests import seeded random
histories with every awkward case (overlaps, short breaks, temporary placements and the
return from them, gaps, periods not starting with S, UASC children, supplied and
unknown postcodes) and then check that a derive from scratch would change nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from children.models import Child, Episode, PeriodOfCare
from children.services import care_histories_derive
from organisations.models import LocalAuthority
from placements.location import placement_locations_derive
from placements.models import Placement
from tests.imports.conftest import EPISODES_COLUMNS, HEADER, import_903

# Real postcodes (tests/placements/test_location.py), a partial one and an unknown one.
POSTCODES = ["CB2 1TN", "CB1 1PT", "CB4 1PS", "PE1 1XS", "CF10 1EP", "JE2 3ZZ", "CB1", "ZZ9 9ZZ"]
PLACES = ["U1", "U3", "U4", "U6", "K2", "T0", "T1", "P1", "H5", "A4"]
RNE = ["L", "P", "T", "B", "U"]


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def random_histories(children: int, *, seed: int, year: int = 2025) -> dict[str, str]:
    """Header, Episodes and UASC files of ``children`` seeded random histories.

    Episodes of each child run in order from some time before the collection year;
    each next one may continue the period (REC X1), start after a gap (a new period,
    RNE S or not), overlap its predecessor (a messy extract), or be a short break.
    """
    rng = random.Random(seed)
    header = [HEADER.splitlines()[0]]
    episodes = [EPISODES_COLUMNS]
    uasc = ["CHILD,SEX,DOB,DUC"]
    year_start = date(year - 1, 4, 1)
    for n in range(children):
        child = f"R{seed}{n:04d}"
        dob = date(2008, 1, 1) + timedelta(days=rng.randrange(0, 365 * 12))
        header.append(f"{child},{rng.choice('MF')},{_d(dob)},WBRI,UN1,,")
        if rng.random() < 0.15:
            uasc.append(f"{child},M,{_d(dob)},{_d(dob + timedelta(days=365 * 18))}")
        home = rng.choice(POSTCODES)
        start = year_start - timedelta(days=rng.randrange(0, 500))
        for k in range(rng.randrange(1, 7)):
            length = rng.randrange(1, 200)
            end = start + timedelta(days=length)
            last = end >= date(year, 3, 31) or rng.random() < 0.15
            ls = "V3" if rng.random() < 0.08 else rng.choice(["C1", "C2", "E1"])
            rne = "S" if k == 0 or rng.random() < 0.1 else rng.choice(RNE)
            place = rng.choice(PLACES)
            dec, rec = ("", "") if last and rng.random() < 0.6 else (_d(end), "X1")
            if dec and (last or rng.random() < 0.1):
                rec = rng.choice(["E8", "E11", "E13", "E4A"])
            pl_post = home if rng.random() < 0.1 else rng.choice(POSTCODES)
            urn = "" if place.startswith("T") else f"SC{rng.randrange(100000, 100004)}"
            episodes.append(
                f"{child},{_d(start)},{rne},{ls},N1,{place},PR1,{dec},{rec},,{home},{pl_post},{urn}"
            )
            if last or not dec:
                break
            roll = rng.random()
            if roll < 0.7:
                start = end  # the next episode of the same period
            elif roll < 0.85:
                start = end + timedelta(days=rng.randrange(1, 90))  # a gap
            elif length > 1:
                start = end - timedelta(days=rng.randrange(1, length))  # an overlap
            else:
                start = end
    return {
        "Header.csv": "\n".join(header) + "\n",
        "Episodes.csv": "\n".join(episodes) + "\n",
        "UASC.csv": "\n".join(uasc) + "\n",
    }


def stored_histories(la: LocalAuthority) -> dict[str, list[tuple]]:
    """Everything the derive writes, by natural keys (no ids)."""
    return {
        "periods": list(
            PeriodOfCare.objects.filter(la=la)
            .order_by("child__child_id", "start_date")
            .values_list(
                "child__child_id",
                "start_date",
                "end_date",
                "reason_ceased",
                "starts_with_s",
                "is_short_break",
            )  # fmt: skip
        ),
        "placements": list(
            Placement.objects.filter(la=la)
            .order_by("child__child_id", "start_date")
            .values_list(
                "child__child_id",
                "start_date",
                "end_date",
                "place",
                "latest_place",
                "placement_group",
                "place_provider",
                "is_temporary",
                "is_short_break",
                "home_post",
                "pl_post",
                "urn",
                "pl_la",
                "pl_location",
                "pl_distance",
                "source",
                "period_of_care__start_date",
            )  # fmt: skip
        ),
        "episodes": list(
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
                "pl_la",
                "pl_location",
                "pl_distance",
                "source",
                "collection_year",
            )  # fmt: skip
        ),
    }


def derive_from_scratch(la: LocalAuthority) -> None:
    """The other route: forget every derived value, then the bulk derives."""
    Placement.objects.filter(la=la).delete()
    PeriodOfCare.objects.filter(la=la).delete()
    Episode.objects.filter(la=la).update(
        is_short_break=False, is_temporary=False, is_move=False, placement_group="",
        pl_la="", pl_location="", pl_distance=None,
    )  # fmt: skip
    placement_locations_derive(la=la)
    care_histories_derive(la=la)


@pytest.fixture
def la(db):
    la, _ = LocalAuthority.objects.get_or_create(
        code="873", defaults={"ons_code": "E10000003", "name": "Cambridgeshire"}
    )
    return la


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_first_import_stores_what_the_derive_from_scratch_would(la, seed):
    batch = import_903(la, random_histories(60, seed=seed))

    assert batch.status == "done", batch.message
    assert "first_histories" in batch.issue_summary["timings"]
    assert "derive" not in batch.issue_summary["timings"]  # no child had a history
    first = stored_histories(la)
    assert len(first["episodes"]) == batch.counts["Episodes"]["inserted"] > 100
    assert {row[4] for row in first["periods"]} == {True, False}  # some start without S
    assert any(row[2] for row in first["episodes"]) and any(row[4] for row in first["episodes"])
    assert any(row[7] for row in first["episodes"]) and any(not row[7] for row in first["episodes"])

    assert care_histories_derive(la=la) == {
        "periods_written": 0,
        "placements_written": 0,
        "episodes_updated": 0,
        "ends_of_record_changed": 0,
        "earliest": None,
    }
    assert placement_locations_derive(la=la).episodes_updated == 0
    derive_from_scratch(la)
    assert stored_histories(la) == first


def test_a_uasc_childs_first_episodes_get_no_distance(la):
    files = random_histories(40, seed=7)
    uasc = {line.split(",")[0] for line in files["UASC.csv"].splitlines()[1:]}

    import_903(la, files)

    stored = Episode.objects.filter(la=la, child__child_id__in=uasc)
    assert stored.exists()
    assert not stored.exclude(pl_distance=None).exists()
    assert (
        Episode.objects.filter(la=la)
        .exclude(child__child_id__in=uasc)
        .exclude(pl_distance=None)
        .exists()
    )


def test_a_later_year_inserts_new_children_and_re_derives_known_ones(la):
    import_903(la, random_histories(30, seed=4, year=2024), year=2024)
    known = set(Child.objects.filter(la=la).values_list("child_id", flat=True))
    later = random_histories(30, seed=5, year=2025)
    # One known child carries on into the new year: their history is merged and re-derived.
    child = sorted(known)[0]
    last = Episode.objects.filter(la=la, child__child_id=child).order_by("decom").last()
    later["Episodes.csv"] += (
        f"{child},{_d(last.decom)},{last.rne},{last.ls},{last.cin},{last.place},"
        f"{last.place_provider},{_d(date(2024, 9, 1))},X1,,{last.home_post},{last.pl_post},"
        f"{last.urn}\n{child},01/09/2024,P,C2,N1,K2,PR1,,,,{last.home_post},CB4 1PS,SC100001\n"
    )

    batch = import_903(la, later, year=2025)

    assert batch.status == "done", batch.message
    timings = batch.issue_summary["timings"]
    assert "first_histories" in timings and "derive" in timings
    assert batch.counts["Episodes"]["inserted"] >= 31  # the new children's and one more
    merged = Episode.objects.filter(la=la, child__child_id=child).order_by("decom")
    assert merged.last().decom == date(2024, 9, 1) and merged.last().is_move
    before = stored_histories(la)
    derive_from_scratch(la)
    assert stored_histories(la) == before


def test_supplied_locations_are_kept_and_blanks_filled_on_a_first_import(la):
    files = {
        "Header.csv": HEADER,
        "Episodes.csv": (
            EPISODES_COLUMNS + ",PL_LA,PL_LOCATION,PL_DISTANCE\n"
            "A1001,03/02/2023,S,C1,N1,U6,PR1,19/07/2024,X1,,CB2 1TN,PE1 1XS,SC900001,874,OUT,\n"
            "A1001,19/07/2024,P,C1,N1,K2,PR4,,,,CB2 1TN,CB4 1PS,SC900002,,,\n"
            "B2002,20/05/2023,S,E1,N1,U6,PR4,,,,CB2 1TN,PE1 1XS,SC900003,874,OUT,42.5\n"
        ),
    }

    batch = import_903(la, files)

    assert batch.status == "done", batch.message
    stored = dict(
        (
            (c, d),
            (la_code, where, distance),
        )
        for c, d, la_code, where, distance in Episode.objects.filter(la=la).values_list(
            "child__child_id", "decom", "pl_la", "pl_location", "pl_distance"
        )
    )
    assert stored[("A1001", date(2023, 2, 3))][:2] == ("874", "OUT")
    assert stored[("A1001", date(2023, 2, 3))][2] is not None  # the blank distance filled
    assert stored[("A1001", date(2024, 7, 19))][:2] == ("873", "IN")
    assert stored[("B2002", date(2023, 5, 20))] == ("874", "OUT", Decimal("42.5"))  # kept
    usual = Placement.objects.get(la=la, child__child_id="A1001", start_date=date(2024, 7, 19))
    assert (usual.pl_la, usual.pl_location) == ("873", "IN")


def test_a_uasc_row_added_or_removed_later_clears_or_restores_the_distances(la):
    header = HEADER.splitlines()[0] + "\nU0001,M,01/02/2008,WBRI,UN1,,\n"
    episodes = f"{EPISODES_COLUMNS}\nU0001,01/06/2023,S,C2,N1,U1,PR1,,,,CB2 1TN,PE1 1XS,SC100001\n"
    uasc_columns = "CHILD,SEX,DOB,DUC\n"

    def distances() -> tuple:
        return (
            Episode.objects.get(la=la, child__child_id="U0001").pl_distance,
            Placement.objects.get(la=la, child__child_id="U0001").pl_distance,
        )

    import_903(la, {"Header.csv": header, "Episodes.csv": episodes}, year=2024)
    assert None not in distances()

    files = {"Header.csv": header, "Episodes.csv": episodes}
    batch = import_903(
        la, {**files, "UASC.csv": uasc_columns + "U0001,M,01/02/2008,01/02/2026\n"}, year=2025
    )
    assert batch.status == "done", batch.message
    assert distances() == (None, None)  # DfE rule 406: no distance for a UASC child

    import_903(la, {**files, "UASC.csv": uasc_columns}, year=2025)  # the row withdrawn
    assert None not in distances()
