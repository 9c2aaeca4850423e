"""Every SSDA903 rule of the issue, with a bad file: errors reject, warnings are written.

Errors (``ssda903.md`` §6): unreadable file (see test_bad_input), missing required
columns, a key date that is not a date, RNE or LS missing or in no list, an episode ending
before it starts, two disagreeing rows with the same key in a file. Warnings: overlapping
episodes, REC without DEC, reviews/missing outside care, dates in the future or after the
year, over 18 and still looked after, Header changed between years, retired codes. What
real exports hold (codes in no list, ``1.0``, ``NULL``, repeated rows…) is in
``test_real_exports_903``.
"""

from __future__ import annotations

from datetime import date

from children.models import Child, Episode
from imports import validation
from imports.formats import ssda903
from imports.models import ImportBatch
from placements.models import Placement
from tests.imports.conftest import (
    EPISODES,
    EPISODES_COLUMNS,
    HEADER,
    import_903,
    issue_kinds,
    issues,
)

REJECTED = ImportBatch.Status.REJECTED
DONE = ImportBatch.Status.DONE


def _one(batch: ImportBatch, kind: str, severity: str = "error"):
    found = [i for i in issues(batch, severity) if i.kind == kind]
    assert len(found) == 1, [(i.kind, i.message) for i in issues(batch)]
    return found[0]


def _episodes(*rows: str) -> str:
    return EPISODES_COLUMNS + "\n" + "\n".join(rows) + "\n"


# --- errors ---------------------------------------------------------------------------


def test_missing_required_columns_are_named(la):
    no_place = EPISODES.replace(",PLACE,", ",PLACEMENT,", 1)

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": no_place})

    assert batch.status == REJECTED
    error = _one(batch, "missing_columns")
    assert error.message == validation.MSG_MISSING_COLUMNS.format(table="Episodes", columns="PLACE")
    assert error.file_name == "Episodes.csv" and error.column == "PLACE"
    assert not Episode.objects.exists()


def test_an_unknown_extra_column_is_a_warning(la):
    extra = "\n".join(line + ",x" for line in HEADER.splitlines()).replace(
        "MC_DOB,x", "MC_DOB,NICKNAME"
    )

    batch = import_903(la, {"Header.csv": extra})

    assert batch.status == DONE
    warning = _one(batch, "unknown_columns", "warning")
    assert "NICKNAME" in warning.message


def test_a_date_that_is_not_a_date_is_an_error_with_file_row_column_value_and_rule(la):
    bad = EPISODES.replace("19/07/2024,P,C1", "31/02/2024,P,C1")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": bad})

    assert batch.status == REJECTED
    error = _one(batch, "invalid_date")
    assert (error.file_name, error.row_number, error.column, error.value) == (
        "Episodes.csv", 3, "DECOM", "31/02/2024",
    )  # fmt: skip
    assert error.rule_code == "141"
    assert error.message == "DECOM '31/02/2024' is not a date (use dd/mm/YYYY, e.g. 31/03/2025)."
    assert not Child.objects.exists()


def test_iso_dates_are_accepted(la):
    iso = EPISODES.replace("03/02/2023", "2023-02-03")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": iso})

    assert batch.status == DONE
    assert Episode.objects.filter(decom=date(2023, 2, 3)).exists()


def test_a_two_digit_year_whose_century_is_ambiguous_is_not_a_date(la):
    """2024/25: a two-digit year is read between 1994 and 2035; '50' fits neither century."""
    batch = import_903(la, {"Header.csv": HEADER.replace("14/06/2012", "14/06/50")})

    assert batch.status == REJECTED
    assert _one(batch, "invalid_date").rule_code == "102"


def test_an_rne_in_no_list_is_an_error(la):
    bad = EPISODES.replace("A1001,19/07/2024,P,", "A1001,19/07/2024,Q,")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": bad})

    assert batch.status == REJECTED
    error = _one(batch, "invalid_code")
    assert (error.column, error.value, error.rule_code, error.row_number) == ("RNE", "Q", "143", 3)
    assert error.message == "RNE 'Q' is not a valid code (expected one of B, L, P, S, T, U)."


def test_an_ls_in_no_list_is_an_error(la):
    bad = EPISODES.replace("A1001,19/07/2024,P,C1,", "A1001,19/07/2024,P,C9,")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": bad})

    assert batch.status == REJECTED
    error = _one(batch, "invalid_code")
    assert (error.column, error.value, error.rule_code) == ("LS", "C9", "144")


def test_a_missing_required_value_is_an_error(la):
    bad = EPISODES.replace("A1001,19/07/2024,P,C1,", "A1001,19/07/2024,P,,")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": bad})

    assert batch.status == REJECTED
    error = _one(batch, "required")
    assert (error.column, error.row_number, error.rule_code) == ("LS", 3, "144")
    assert error.message == "LS is required but blank."


def test_an_episode_ending_before_it_starts_is_an_error(la):
    bad = _episodes("A1001,01/06/2024,S,C1,N1,U6,PR1,01/05/2024,E8,,AA1 1AA,AA2 2AB,SC900001")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": bad})

    assert batch.status == REJECTED
    error = _one(batch, "dec_before_decom")
    assert error.rule_code == "356"
    assert error.message == "The episode ends (DEC 01/05/2024) before it starts (DECOM 01/06/2024)."


def test_two_episodes_with_one_child_and_start_date_that_disagree_are_an_error(la):
    row = "A1001,02/10/2024,L,C2,N1,U6,PR4,,,,AA1 1AA,BB3 3BC,1900002"  # U6, not K2

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": EPISODES + row + "\n"})

    assert batch.status == REJECTED
    error = _one(batch, "duplicate_key")
    assert error.row_number == 10 and error.value == "A1001 / 2024-10-02"
    assert error.message == (
        "Row repeats CHILD + DECOM of row 4 with a different PLACE: the rows disagree and "
        "each Episodes row must be unique."
    )
    assert not Episode.objects.exists()


def test_two_header_rows_for_one_child_that_disagree_are_int32(la):
    batch = import_903(la, {"Header.csv": HEADER + "A1001,M,14/06/2012,WOTH,T938100000011,,\n"})

    assert batch.status == REJECTED
    error = _one(batch, "duplicate_key")
    assert (error.rule_code, error.row_number, error.value) == ("INT32", 5, "A1001")
    assert "with a different ETHNIC" in error.message


def test_a_missing_period_ending_before_it_starts_is_an_error(la):
    missing = "CHILD,DOB,MISSING,MIS_START,MIS_END\nA1001,14/06/2012,M,10/10/2024,09/10/2024\n"

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": EPISODES, "Missing.csv": missing})

    assert batch.status == REJECTED
    assert _one(batch, "end_before_start").rule_code == "567"


def test_every_error_is_counted_and_the_first_n_are_kept(la, settings):
    settings.IMPORT_MAX_ISSUES_REPORTED = 3
    rows = [f"K{n},M,14/13/2012,WBRI,UN1,," for n in range(10)]  # month 13: not a date
    header = HEADER.splitlines()[0] + "\n" + "\n".join(rows) + "\n"

    batch = import_903(la, {"Header.csv": header, "Extra.csv": "CHILD,DOB,DUC,SEX\nK1,x,,M\n"})

    assert batch.status == REJECTED
    assert batch.error_count == 11  # 10 bad Header DOBs + a bad UASC DOB
    assert len(issues(batch, "error")) == 3
    assert batch.issue_summary["by_kind"]["error:invalid_date"] == 11


# --- warnings: written, kept with the batch -------------------------------------------


def test_overlapping_episodes_warn_and_the_later_supersedes_the_earlier(la):
    overlap = _episodes(
        "A1001,01/04/2024,S,C1,N1,U6,PR1,01/08/2024,X1,CARPL,AA1 1AA,AA2 2AB,SC900001",
        "A1001,01/06/2024,P,C1,N1,K2,PR4,,,,AA1 1AA,BB3 3BC,1900002",
    )

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": overlap})

    assert batch.status == DONE
    warning = _one(batch, "overlap", "warning")
    assert warning.rule_code == "501" and warning.row_number == 3
    assert "from 01/06/2024 this later episode is used" in warning.message
    assert "cla_count" in warning.indicators
    first = Placement.objects.get(child__child_id="A1001", start_date=date(2024, 4, 1))
    assert first.end_date == date(2024, 6, 1)  # cut short where the later one starts
    assert batch.issue_summary["warnings_by_indicator"]["cla_count"] >= 1


def test_a_reason_ceased_without_an_end_date_is_ignored(la):
    rows = _episodes("A1001,01/04/2024,S,C1,N1,U6,PR1,,E8,,AA1 1AA,AA2 2AB,SC900001")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": rows})

    assert batch.status == DONE
    warning = _one(batch, "rec_without_dec", "warning")
    assert (warning.rule_code, warning.value) == ("148", "E8")
    assert Episode.objects.get().rec == ""


def test_a_review_outside_any_period_of_care_warns(la):
    reviews = (
        "CHILD,DOB,REVIEW,REVIEW_CODE\n"
        "A1001,14/06/2012,01/01/2023,PN1\n"
        "A1001,14/06/2012,01/08/2024,PN1\n"
    )

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": EPISODES, "Reviews.csv": reviews})

    assert batch.status == DONE
    warning = _one(batch, "review_outside_care", "warning")
    assert (warning.row_number, warning.value) == (2, "01/01/2023")
    assert batch.counts["Reviews"]["inserted"] == 2


def test_a_missing_period_outside_care_warns(la):
    missing = "CHILD,DOB,MISSING,MIS_START,MIS_END\nC3003,22/01/2010,M,01/04/2024,02/04/2024\n"

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": EPISODES, "Missing.csv": missing})

    assert batch.status == DONE
    assert _one(batch, "missing_outside_care", "warning").rule_code == "581"


def test_dates_after_the_collection_year_warn(la):
    late = EPISODES.replace("14/02/2025,E12", "14/05/2025,E12")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": late}, year=2025)

    assert batch.status == DONE
    warning = _one(batch, "after_year", "warning")
    assert (warning.column, warning.value, warning.rule_code) == ("DEC", "14/05/2025", "385")


def test_dates_in_the_future_warn(la, time_machine):
    time_machine.move_to(date(2024, 12, 1))
    future = EPISODES.replace("14/02/2025,E12", "14/01/2025,E12")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": future}, year=2025)

    assert batch.status == DONE
    assert {i.value for i in issues(batch, "warning") if i.kind == "future_date"} >= {"14/01/2025"}


def test_a_child_over_18_still_looked_after_warns(la):
    header = HEADER.replace("22/01/2010", "22/01/2005")

    batch = import_903(la, {"Header.csv": header, "Episodes.csv": EPISODES})

    assert batch.status == DONE
    warning = _one(batch, "over_18", "warning")
    assert warning.value == "C3003" and "is 20 at 31/03/2025" in warning.message


def test_a_header_that_changed_between_years_warns_and_the_later_year_is_kept(la):
    import_903(la, {"Header.csv": HEADER.replace(",M,", ",1,").replace(",F,", ",2,")}, year=2024)
    changed = HEADER.replace("MWBC", "MOTH")

    batch = import_903(la, {"Header.csv": changed}, year=2025)

    assert batch.status == DONE
    warning = _one(batch, "header_changed", "warning")
    assert (warning.column, warning.value, warning.rule_code) == ("ETHNIC", "MOTH", "204")
    assert "from MWBC in the 2024 return" in warning.message
    assert Child.objects.get(child_id="B2002").ethnicity == "MOTH"

    older = import_903(la, {"Header.csv": HEADER.replace("MWBC", "WOTH")}, year=2024)
    assert Child.objects.get(child_id="B2002").ethnicity == "MOTH"  # 2025 still wins
    assert older.counts["Header"]["updated"] == 1  # the 2024 Header itself is replaced


def test_a_code_retired_before_the_collection_year_warns(la):
    h5 = _episodes("A1001,01/04/2025,S,C1,N1,H5,PR4,,,,AA1 1AA,AA2 2AB,SC900001")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": h5}, year=2026)

    assert batch.status == DONE
    warning = _one(batch, "code_not_in_year", "warning")
    assert (warning.column, warning.value) == ("PLACE", "H5")
    assert "retired after the 2025 collection year" in warning.message


def test_a_code_not_yet_introduced_warns(la):
    k3 = _episodes("A1001,01/04/2023,S,C1,N1,K3,PR4,,,,AA1 1AA,AA2 2AB,SC900001")

    batch = import_903(la, {"Header.csv": HEADER.replace(",M,", ",1,").replace(",F,", ",2,"),
                            "Episodes.csv": k3}, year=2024)  # fmt: skip

    assert batch.status == DONE
    warning = _one(batch, "code_not_in_year", "warning")
    assert "introduced in the 2025 collection year" in warning.message


def test_a_child_missing_from_the_header_warns_int03(la):
    batch = import_903(
        la, {"Header.csv": HEADER.replace("C3003", "C9999"), "Episodes.csv": EPISODES}
    )

    assert batch.status == DONE
    warning = _one(batch, "not_in_header", "warning")
    assert (warning.value, warning.rule_code) == ("C3003", "INT03")


# --- normalisation --------------------------------------------------------------------


def test_sex_1_2_become_m_f_codes_are_upper_cased_and_postcodes_normalised(la):
    header = HEADER.replace(",M,", ",1,").replace(",F,", ",2,").replace("WBRI", "wbri")
    rows = _episodes("A1001,01/04/2023,s,c1,n1,u6,pr1,,,,aa11aa, bb3  3bc ,SC900001")

    batch = import_903(la, {"Header.csv": header, "Episodes.csv": rows}, year=2024)

    assert batch.status == DONE, [i.message for i in issues(batch)]
    assert "code_not_in_year" not in issue_kinds(batch)
    child = Child.objects.get(child_id="A1001")
    assert (child.sex, child.ethnicity) == ("M", "WBRI")
    assert Child.objects.get(child_id="B2002").sex == "F"
    episode = Episode.objects.get()
    assert (episode.rne, episode.ls, episode.place, episode.place_provider) == (
        "S",
        "C1",
        "U6",
        "PR1",
    )
    assert (episode.home_post, episode.pl_post) == ("AA1 1AA", "BB3 3BC")


def test_the_worked_example_raises_no_validation_warning_and_no_error(la):
    """ssda903.md §7 is clean under the validator's rules; its postcodes are placeholders
    (AA1 1AA …), so the only warnings are the derived placement locations being unknown."""
    from tests.imports.conftest import WORKED_EXAMPLE

    batch = import_903(la, WORKED_EXAMPLE)

    assert batch.status == DONE
    assert batch.error_count == 0
    kinds = {i.kind for i in issues(batch)}
    assert kinds and all(k.startswith("location_") for k in kinds), kinds
    assert batch.warning_count == len(issues(batch))


def test_messages_are_constants_the_tests_can_import():
    assert ssda903.MSG_OVER_18.startswith("The young person is")
    assert validation.MSG_REQUIRED == "{column} is required but blank."
