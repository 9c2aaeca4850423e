"""Writing a 903 file set: all-or-nothing, idempotent, a full return per year, per authority."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from children.models import Child, ChildHeader, Episode, PeriodOfCare
from imports.models import FeedStatus, ImportBatch
from imports.services import YearRequired, collection_year_infer
from placements.models import AdoptionRecord, PlacementDecision
from tests.imports.conftest import (
    AD1,
    EPISODES,
    EPISODES_COLUMNS,
    HEADER,
    WORKED_EXAMPLE,
    import_903,
    issues,
    write_files,
)

DONE = ImportBatch.Status.DONE
REJECTED = ImportBatch.Status.REJECTED

# The 2023/24 return the worked example follows: A1001's and B2002's episodes were open on
# 31 March 2024 (so blank DEC here); SEX still 1/2.
HEADER_2024 = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A1001,1,14/06/2012,WBRI,T938100000011,,
B2002,2,05/09/2021,MWBC,UN1,0,
"""
EPISODES_2024 = f"""{EPISODES_COLUMNS}
A1001,03/02/2023,S,C1,N1,U6,PR1,,,,AA1 1AA,AA2 2AB,SC900001
B2002,20/05/2023,L,E1,N1,U6,PR4,,,,CC4 4CD,CC5 5DE,1900003
"""
RETURN_2024 = {"SSDA903_2024_Header.csv": HEADER_2024, "SSDA903_2024_Episodes.csv": EPISODES_2024}


def episodes_of(la) -> set[tuple]:
    return set(
        Episode.objects.filter(la=la).values_list(
            "child__child_id", "decom", "dec", "rec", "reason_place_change", "place", "ls",
            "collection_year",
        )
    )  # fmt: skip


def test_a_clean_file_set_is_written_with_counts_duration_and_hashes(la):
    batch = import_903(la, WORKED_EXAMPLE)

    assert batch.status == DONE and batch.message == "Imported."
    assert batch.counts["Episodes"] == {
        "read": 8, "inserted": 8, "updated": 0, "unchanged": 0, "removed": 0,
    }  # fmt: skip
    assert batch.counts["Header"]["inserted"] == 3
    assert batch.rows_total == batch.rows_validated == batch.rows_written == 14
    assert batch.duration_seconds is not None and batch.duration_seconds >= 0
    assert batch.started_at <= batch.finished_at
    stored = batch.files.get(name="Episodes.csv")
    assert stored.sha256 == hashlib.sha256(EPISODES.encode()).hexdigest()
    assert stored.tables == ["Episodes"]
    # Derived in the same transaction: periods of care from the episodes.
    assert PeriodOfCare.objects.filter(la=la).count() == 3
    assert Episode.objects.filter(la=la, collection_year=2025).count() == 8
    assert FeedStatus.objects.get(la=la, feed="ssda903:Episodes").as_at == date(2025, 3, 31)


def test_the_earliest_changed_date_asks_for_a_recompute_from_then(la):
    from scorecards.models import RecomputeRun

    batch = import_903(la, WORKED_EXAMPLE)

    assert batch.earliest_changed_date == date(2023, 2, 3)  # A1001's first episode
    run = RecomputeRun.objects.get(batch=batch)
    assert run.la == la and run.status == RecomputeRun.Status.QUEUED


def test_re_importing_the_same_files_writes_nothing(la):
    first = import_903(la, WORKED_EXAMPLE)
    ids = set(Episode.objects.values_list("id", flat=True))

    again = import_903(la, WORKED_EXAMPLE)

    assert again.status == DONE
    assert again.message == "Nothing changed: every row was unchanged."
    for table, counts in again.counts.items():
        assert counts["unchanged"] == counts["read"], table
        assert counts["inserted"] == counts["updated"] == counts["removed"] == 0, table
    assert again.earliest_changed_date is None and not again.recompute_due
    assert set(Episode.objects.values_list("id", flat=True)) == ids
    assert first.pk != again.pk


def test_a_full_return_replaces_that_years_rows_and_counts_removals(la):
    import_903(la, WORKED_EXAMPLE)
    without_b = {
        "Header.csv": HEADER,
        "Episodes.csv": "\n".join(line for line in EPISODES.splitlines() if "B2002" not in line),
        "AD1.csv": AD1.splitlines()[0] + "\n",
    }

    batch = import_903(la, without_b)

    assert batch.status == DONE
    assert batch.counts["Episodes"]["removed"] == 2
    assert batch.counts["AD1"]["removed"] == 1
    assert not Episode.objects.filter(child__child_id="B2002").exists()
    assert not AdoptionRecord.objects.exists()
    # Tables not in the file set are left alone: PlacedAdoption stays.
    assert PlacementDecision.objects.filter(child__child_id="B2002").exists()
    assert batch.earliest_changed_date == date(2023, 5, 20)  # B2002's removed first episode


def test_episodes_of_other_years_are_not_replaced(la):
    import_903(la, RETURN_2024, year=2024)
    import_903(la, WORKED_EXAMPLE, year=2025)
    old = f"{EPISODES_COLUMNS}\nZ9009,01/05/2019,S,C1,N1,U6,PR1,01/06/2019,E8,,AA1 1AA,,\n"
    import_903(la, {"Episodes.csv": old}, year=2020)

    batch = import_903(la, WORKED_EXAMPLE, year=2025)

    assert batch.counts["Episodes"]["removed"] == 0
    assert Episode.objects.filter(child__child_id="Z9009").exists()


@pytest.mark.parametrize("order", [(2024, 2025), (2025, 2024)])
def test_years_merge_and_the_later_year_wins_in_either_order(la, other_la, order):
    returns = {2024: RETURN_2024, 2025: WORKED_EXAMPLE}
    for year in (2024, 2025):  # reference: imported in order into the other authority
        import_903(other_la, returns[year], year=year)
    for year in order:
        batch = import_903(la, returns[year], year=year)
        assert batch.status == DONE

    assert {e[:-1] for e in episodes_of(la)} == {e[:-1] for e in episodes_of(other_la)}
    a1001 = Episode.objects.get(la=la, child__child_id="A1001", decom=date(2023, 2, 3))
    assert (a1001.dec, a1001.rec, a1001.collection_year) == (date(2024, 7, 19), "X1", 2025)
    assert Child.objects.get(la=la, child_id="A1001").header_year == 2025
    assert set(ChildHeader.objects.filter(child__la=la).values_list("year", flat=True)) == {
        2024, 2025,
    }  # fmt: skip
    if order == (2025, 2024):
        late = ImportBatch.objects.filter(la=la, collection_year=2024).latest("pk")
        assert late.counts["Episodes"]["inserted"] == 0  # both already held from 2025


def test_a_file_for_one_authority_never_touches_another(la, other_la):
    import_903(la, WORKED_EXAMPLE)
    before = episodes_of(la)

    import_903(other_la, WORKED_EXAMPLE)
    smaller = import_903(other_la, {"Header.csv": HEADER, "Episodes.csv": EPISODES_COLUMNS + "\n"})

    assert smaller.counts["Episodes"]["removed"] == 8
    assert episodes_of(la) == before
    assert not Episode.objects.filter(la=other_la).exists()
    assert Child.objects.filter(la=la).count() == Child.objects.filter(la=other_la).count() == 3


def test_a_dry_run_writes_nothing_but_says_what_would_change(la):
    batch = import_903(la, WORKED_EXAMPLE, dry_run=True)

    assert batch.status == DONE and batch.dry_run
    assert batch.message == "Check only: nothing was written."
    assert batch.counts["Episodes"]["inserted"] == 8
    assert batch.rows_written == 0 and batch.earliest_changed_date is None
    assert not Child.objects.exists() and not Episode.objects.exists()
    assert not FeedStatus.objects.exists()


def test_a_batch_with_any_error_writes_nothing_even_the_clean_tables(la):
    bad_ad1 = AD1.replace("05/09/2021", "5th Sept 2021")  # DOB not a date: rule 102's kind

    batch = import_903(la, WORKED_EXAMPLE | {"AD1.csv": bad_ad1})

    assert batch.status == REJECTED
    assert batch.message == f"Rejected: {batch.error_count} error(s); nothing was written."
    assert not Child.objects.exists() and not Episode.objects.exists()
    assert batch.counts["Episodes"] == {"read": 8}


def test_the_same_table_twice_is_an_error(la):
    batch = import_903(la, {"Episodes.csv": EPISODES, "episodes (copy).csv": EPISODES})

    assert batch.status == REJECTED
    assert [i.kind for i in issues(batch, "error")] == ["same_table_twice"]


def test_a_finished_batch_is_not_run_twice(la):
    from imports.services import import_batch_run

    batch = import_903(la, WORKED_EXAMPLE)

    assert import_batch_run(batch_id=batch.pk).finished_at == batch.finished_at


# --- collection year ------------------------------------------------------------------


@pytest.mark.parametrize("names, year", [
    (["SSDA903_2024_episodes.csv"], 2024),
    (["returns/2025/Header.csv", "returns/2025/Episodes.csv"], 2025),
    (["903 2023-24/episodes.csv"], 2024),
    (["episodes_2023_24.csv"], 2024),
    (["episodes.csv", "Header.CSV"], None),
])  # fmt: skip
def test_the_collection_year_comes_from_file_or_folder_names(names, year):
    assert collection_year_infer(names=names) == year


def test_names_with_different_years_ask_for_the_year():
    with pytest.raises(YearRequired, match="2023, 2024"):
        collection_year_infer(names=["SSDA903_2023_episodes.csv", "SSDA903_2024_header.csv"])


def test_no_year_anywhere_is_refused(la):
    with pytest.raises(YearRequired, match="Give --year YYYY"):
        import_903(la, {"episodes.csv": EPISODES}, year=None)
    assert not ImportBatch.objects.exists()


def test_a_year_in_the_names_is_used(la):
    batch = import_903(la, {"SSDA903_2025_Header.csv": HEADER}, year=None)

    assert batch.collection_year == 2025 and batch.status == DONE


# --- the command ----------------------------------------------------------------------


def test_import_extract_imports_a_folder_and_prints_a_summary(la, tmp_path, capsys):
    folder = write_files(tmp_path / "SSDA903_2025", WORKED_EXAMPLE)

    call_command("import_extract", "--la", "873", "--format", "ssda903", str(folder))

    out = capsys.readouterr().out
    assert "DONE" in out and "873 Cambridgeshire" in out
    assert "Episodes                8         8        0          0        0" in out
    assert "0 error(s)" in out
    assert "is not in the ONS Postcode Directory" in out  # §7's postcodes are placeholders
    assert Episode.objects.filter(la=la).count() == 8


def test_import_extract_exits_non_zero_when_rejected(la, tmp_path, capsys):
    folder = write_files(tmp_path / "x", {"Episodes.csv": EPISODES.replace(",S,C1,", ",Z,C1,")})

    with pytest.raises(CommandError, match="rejected"):
        call_command("import_extract", "--la", "873", "--format", "ssda903", "--year", "2025",
                     str(folder / "Episodes.csv"))  # fmt: skip

    out = capsys.readouterr().out
    assert "ERROR x/Episodes.csv:2:RNE: RNE 'Z' is not a valid code" in out
    assert "[DfE 143]" in out


def test_import_extract_refuses_without_a_year(la, tmp_path):
    folder = write_files(tmp_path / "x", {"Episodes.csv": EPISODES})

    with pytest.raises(CommandError, match="Which collection year"):
        call_command("import_extract", "--la", "873", "--format", "ssda903", str(folder))


def test_import_extract_dry_run(la, tmp_path, capsys):
    folder = write_files(tmp_path / "SSDA903_2025", WORKED_EXAMPLE)

    call_command("import_extract", "--la", "873", "--format", "ssda903", "--dry-run", str(folder))

    assert "(dry run)" in capsys.readouterr().out
    assert not Episode.objects.exists()


def test_import_extract_rejects_an_unknown_authority(db, tmp_path):
    folder = write_files(tmp_path / "x", {"Episodes.csv": EPISODES})

    with pytest.raises(CommandError, match="Unknown local authority code 999"):
        call_command("import_extract", "--la", "999", "--format", "ssda903", str(folder))


def test_a_903_episode_takes_over_an_ssd_episode_with_the_same_key(la):
    from children.models import Source

    child = Child.objects.create(la=la, child_id="A1001")
    Episode.objects.create(la=la, child=child, decom=date(2023, 2, 3), rne="S", ls="C2",
                           place="U4", source=Source.SSD, ssd_episode_id="E77")  # fmt: skip

    batch = import_903(la, WORKED_EXAMPLE)

    episode = Episode.objects.get(child=child, decom=date(2023, 2, 3))
    assert (episode.source, episode.ls, episode.place) == ("903", "C1", "U6")
    assert episode.ssd_episode_id == "E77"  # the SSD link is kept
    assert batch.counts["Episodes"]["updated"] == 1


def test_placement_location_is_derived_from_real_postcodes_when_the_file_lacks_it(la):
    """ssda903.md §4: PL_LA, PL_LOCATION and PL_DISTANCE come from HOME_POST and PL_POST."""
    episodes = f"{EPISODES_COLUMNS}\nA1001,03/02/2023,S,C2,N1,U6,PR1,,,,CB2 1TN,PE1 1XS,SC900001\n"
    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": episodes})

    assert batch.status == DONE
    episode = Episode.objects.get(la=la)
    assert (episode.pl_la, episode.pl_location) == ("874", "OUT")
    assert episode.pl_distance is not None and episode.pl_distance > 20


def test_a_later_file_that_moves_a_placement_recomputes_only_that_episodes_location(la):
    """A location derived from an earlier PL_POST is stale once a file changes PL_POST."""
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1001,M,14/06/2012,WBRI,UN1,,\n"
    first = (
        f"{EPISODES_COLUMNS}\n"
        "A1001,03/02/2023,S,C2,N1,U6,PR1,19/07/2024,X1,CREQB,CB2 1TN,PE1 1XS,SC900001\n"
        "A1001,19/07/2024,P,C2,N1,U6,PR1,,,,CB2 1TN,PE1 1XS,SC900001\n"
    )
    import_903(la, {"Header.csv": header, "Episodes.csv": first})
    kept = Episode.objects.get(la=la, decom=date(2023, 2, 3))
    assert (kept.pl_la, kept.pl_location) == ("874", "OUT")

    moved = first.replace("P,C2,N1,U6,PR1,,,,CB2 1TN,PE1 1XS", "P,C2,N1,U6,PR1,,,,CB2 1TN,CB4 1PS")
    batch = import_903(la, {"Header.csv": header, "Episodes.csv": moved})

    assert batch.status == DONE
    assert batch.counts["Episodes"]["updated"] == 1
    episode = Episode.objects.get(la=la, decom=date(2024, 7, 19))
    assert (episode.pl_post, episode.pl_la, episode.pl_location) == ("CB4 1PS", "873", "IN")
    assert episode.pl_distance is not None and episode.pl_distance < 5
    untouched = Episode.objects.get(la=la, decom=date(2023, 2, 3))
    assert (untouched.pl_la, untouched.pl_location, untouched.pl_distance) == (
        kept.pl_la, kept.pl_location, kept.pl_distance,
    )  # fmt: skip


def test_location_warnings_are_capped_like_every_other_warning(la, settings):
    """IMPORT_MAX_ISSUES_REPORTED bounds stored warnings; the rest are counted, not kept."""
    settings.IMPORT_MAX_ISSUES_REPORTED = 2
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + "".join(
        f"A10{n:02},M,14/06/2012,WBRI,UN1,,\n" for n in range(5)
    )
    episodes = f"{EPISODES_COLUMNS}\n" + "".join(
        f"A10{n:02},03/02/2023,S,C2,N1,U6,PR1,,,,CB2 1TN,ZZ9 9ZZ,SC900001\n" for n in range(5)
    )
    batch = import_903(la, {"Header.csv": header, "Episodes.csv": episodes})

    assert batch.status == DONE
    assert batch.warning_count == 5  # one unknown PL_POST per episode, each counted
    assert len(issues(batch, "warning")) == 2
    assert batch.issue_summary["by_kind"]["warning:location_postcode_unknown"] == 5
    assert batch.issue_summary["kept"] == 2
    assert batch.issue_summary["warnings_by_indicator"]["placed_in_county"] == 5
