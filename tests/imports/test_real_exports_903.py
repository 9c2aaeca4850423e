"""Real exports import: what case-management systems, Excel and pandas write (issue #22, 2).

``ssda903.md`` §6: an error is a row that cannot be used (keys, the dates and codes that
decide whether and how the child is looked after, disagreeing rows with one key); anything
else that is wrong is stored as unknown and warned about, naming the DfE rule; what
exports really contain (``1.0``, ``NULL``, a leading apostrophe…) is read silently. Each
tiny return below is worked by hand: the exact warnings, the exact stored values.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from children.models import Child, ChildHeader, Episode, OC2Outcome, OC3Outcome
from imports.models import ImportBatch
from placements.models import AdoptionRecord
from reviews.models import Review
from tests.imports.conftest import EPISODES_COLUMNS, HEADER, WORKED_EXAMPLE, import_903, issues

DONE = ImportBatch.Status.DONE
REJECTED = ImportBatch.Status.REJECTED
HEADER_COLUMNS = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"


def _found(batch: ImportBatch, severity: str | None = None) -> list[tuple]:
    """(severity, kind, rule, row, column, value) of every issue the validation raised.

    The placeholder postcodes (AA1 1AA…) are not in the ONS directory, so writing episodes
    adds ``location_*`` warnings about deriving their locations: those are left out here.
    """
    return [
        (i.severity, i.kind, i.rule_code, i.row_number, i.column, i.value)
        for i in issues(batch, severity)
        if not i.kind.startswith("location_")
    ]


def _episodes(*rows: str) -> str:
    return EPISODES_COLUMNS + "\n" + "\n".join(rows) + "\n"


def _header(*rows: str) -> str:
    return HEADER_COLUMNS + "\n" + "\n".join(rows) + "\n"


# --- the issue's examples ----------------------------------------------------------------


def test_a_header_mother_written_as_1_0_is_1_silently(la):
    header = _header(
        "C3003,F,22/01/2010,BAFR,H938100000027,1.0,05/05/2024",
        "B2002,F,05/09/2021,MWBC,UN1,0.0,",
    )

    batch = import_903(la, {"Header.csv": header})

    assert batch.status == DONE
    assert _found(batch) == []
    assert Child.objects.get(child_id="C3003").mother is True
    assert Child.objects.get(child_id="B2002").mother is False
    assert ChildHeader.objects.get(child__child_id="C3003").mc_dob == date(2024, 5, 5)


def test_a_mother_in_no_list_is_stored_unknown_with_rule_165(la):
    batch = import_903(la, {"Header.csv": _header("C3003,F,22/01/2010,BAFR,UN1,2,")})

    assert batch.status == DONE
    assert _found(batch) == [("warning", "invalid_flag", "165", 2, "MOTHER", "2")]
    assert issues(batch)[0].message == "MOTHER '2' must be 0 or 1. It is stored as unknown."
    assert Child.objects.get().mother is None


def test_oc3_accommodation_codes_in_no_list_are_stored_unknown_with_rule_133(la):
    oc3 = (
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "A1001,14/06/2012,YES,F1,01\n"
        "B2002,05/09/2021,YES,F1,02\n"
        "C3003,22/01/2010,YES,F1,S1\n"  # S1: homeless is never "suitable" (§3.14)
    )

    batch = import_903(la, {"Header.csv": HEADER, "OC3.csv": oc3})

    assert batch.status == DONE
    assert _found(batch) == [
        ("warning", "invalid_code", "133", 2, "ACCOM", "01"),
        ("warning", "invalid_code", "133", 3, "ACCOM", "02"),
        ("warning", "invalid_code", "133", 4, "ACCOM", "S1"),
    ]  # and no "IN_TOUCH, ACTIV, ACCOM must be filled together" (153): ACCOM was given
    assert issues(batch)[0].message.endswith("It is stored as unknown.")
    assert "cl_19_21_unsuitable_accommodation" in issues(batch)[0].indicators
    stored = OC3Outcome.objects.values_list("in_touch", "activity", "accommodation")
    assert list(stored) == [("YES", "F1", "")] * 3


def test_a_review_repeated_once_as_a_copy_and_once_with_another_code_is_one_review(la):
    import_903(la, WORKED_EXAMPLE)
    reviews = (
        "CHILD,DOB,REVIEW,REVIEW_CODE\n"
        "A1001,14/06/2012,01/08/2024,PN1\n"
        "A1001,14/06/2012,01/08/2024,PN1\n"  # an exact copy
        "A1001,14/06/2012,01/08/2024,PN3\n"  # the same review, another participation code
    )

    batch = import_903(la, {"Header.csv": HEADER, "Reviews.csv": reviews})

    assert batch.status == DONE
    assert _found(batch) == [
        ("warning", "duplicate_row", "", 3, "CHILD + REVIEW", "A1001 / 2024-08-01"),
        ("warning", "duplicate_key", "", 4, "CHILD + REVIEW", "A1001 / 2024-08-01"),
    ]
    copy, later = issues(batch)
    assert copy.message == "Row is an exact copy of row 2: the copy is dropped."
    assert later.message == (
        "Row repeats CHILD + REVIEW of row 2 with a different REVIEW_CODE: one Reviews row "
        "is kept, this later one."
    )
    assert list(Review.objects.values_list("review_date", "review_code")) == [
        (date(2024, 8, 1), "PN3")
    ]


def test_an_exact_copy_of_an_episode_is_dropped_with_a_warning(la):
    row = "A1001,01/04/2024,S,C1,N1,U6,PR1,,,,AA1 1AA,AA2 2AB,SC900001"

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": _episodes(row, row)})

    assert batch.status == DONE
    assert _found(batch) == [
        ("warning", "duplicate_row", "", 3, "CHILD + DECOM", "A1001 / 2024-04-01")
    ]
    assert Episode.objects.count() == 1


def test_place_zz_is_stored_unknown_and_counted_under_other_not_known(la):
    from scorecards.indicators import INDICATORS
    from scorecards.sections import OTHER_SETTING_LABELS, breakdown_points
    from tests.indicators.builders import figures

    episodes = _episodes("A1001,01/04/2024,S,C1,N1,ZZ,,,,,AA1 1AA,AA2 2AB,")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": episodes})

    assert batch.status == DONE
    assert _found(batch) == [("warning", "invalid_code", "146", 2, "PLACE", "ZZ")]
    assert Episode.objects.get().place == ""
    cell = figures(la, "2025-03")["placement_type_breakdown"]["at_e"]
    assert cell["breakdown"]["other"] == 1 and sum(cell["breakdown"].values()) == 1
    assert cell["other_codes"] == {"unknown": 1}
    labels = INDICATORS["placement_type_breakdown"].breakdown_labels
    assert labels["other"] == "Other settings or not known"
    drill = breakdown_points(cell, OTHER_SETTING_LABELS, key="other_codes", with_codes=True)
    assert drill == [("Not known", 1)]


def test_null_na_dash_and_leading_apostrophes_are_read_silently(la):
    header = _header("'A1001,m,14/06/2012,'wbri,'T938100000011,NULL,N/A")
    episodes = _episodes(
        "'A1001,'03/02/2023,S,C1,N1,U6,PR1,null,-,n/a,AA1 1AA,AA2 2AB,'SC900001",
    )

    batch = import_903(la, {"Header.csv": header, "Episodes.csv": episodes})

    assert batch.status == DONE
    assert _found(batch) == []
    child = Child.objects.get()
    assert (child.child_id, child.sex, child.ethnicity, child.upn, child.mother, child.mc_dob) == (
        "A1001", "M", "WBRI", "T938100000011", None, None,
    )  # fmt: skip
    episode = Episode.objects.get()
    assert (episode.decom, episode.dec, episode.rec, episode.reason_place_change) == (
        date(2023, 2, 3), None, "", "",
    )  # fmt: skip
    assert episode.urn == "SC900001"


def test_whole_numbers_written_as_decimals_are_read_in_int_code_and_flag_columns(la):
    oc2 = (
        "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
        "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"
        "A1001,14/06/2012,2.00,,0.0,,1.0,1,1.00,0,,\n"
    )
    ad1 = (
        "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
        "B2002,05/09/2021,10/03/2023,20/06/2024,0.0,2.0,MF,L11\n"
    )

    batch = import_903(la, {"Header.csv": HEADER, "OC2.csv": oc2, "AD1.csv": ad1})

    assert batch.status == DONE
    assert _found(batch) == []
    oc2_row = OC2Outcome.objects.get()
    assert (oc2_row.sdq_score, oc2_row.convicted, oc2_row.immunisations) == (2, False, True)
    adoption = AdoptionRecord.objects.get()
    assert (adoption.nb_adoptr, adoption.foster_care) == (2, False)


def test_a_two_digit_year_is_read_where_the_century_is_unambiguous_with_a_warning(la):
    """2024/25: two-digit years are read from 1994 to 2035, so '12' is 2012."""
    batch = import_903(la, {"Header.csv": HEADER.replace("14/06/2012", "14/06/12")})

    assert batch.status == DONE
    assert _found(batch) == [("warning", "two_digit_year", "102", 2, "DOB", "14/06/12")]
    assert issues(batch)[0].message == (
        "DOB '14/06/12' has a two-digit year: read as 14/06/2012 (the century that puts it "
        "between 1994 and 2035)."
    )
    assert Child.objects.get(child_id="A1001").dob == date(2012, 6, 14)


def test_excel_serial_numbers_in_date_columns_of_a_workbook_are_dates(la):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Header"
    sheet.append(HEADER_COLUMNS.split(","))
    sheet.append(["A1001", "M", 41074, "WBRI", "UN1", None, None])  # 41074 = 14 June 2012
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch = import_903(la, {"return.xlsx": buffer.getvalue()})

    assert batch.status == DONE
    assert _found(batch) == []
    assert Child.objects.get().dob == date(2012, 6, 14)


def test_a_number_in_a_csv_date_column_is_still_not_a_date(la):
    batch = import_903(la, {"Header.csv": _header("A1001,M,41074,WBRI,UN1,,")})

    assert batch.status == REJECTED
    assert _found(batch) == [("error", "invalid_date", "102", 2, "DOB", "41074")]


# --- errors stay errors: a row-numbered message naming the rule ---------------------------

EPISODE = "A1001,01/04/2024,S,C1,N1,U6,PR1,,,,AA1 1AA,AA2 2AB,SC900001"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (EPISODE.replace("A1001", ""), ("required", "", "CHILD", "")),
        (EPISODE.replace("01/04/2024", "31/04/2024"), ("invalid_date", "141", "DECOM",
                                                        "31/04/2024")),
        (EPISODE.replace(",S,", ",,"), ("required", "143", "RNE", "")),
        (EPISODE.replace(",C1,", ",CX,"), ("invalid_code", "144", "LS", "CX")),
        (EPISODE.replace(",,,,", ",01/13/2025,E8,,"), ("invalid_date", "147", "DEC",
                                                       "01/13/2025")),
        (EPISODE.replace(",,,,", ",01/03/2024,E8,,"), ("dec_before_decom", "356", "DEC",
                                                       "01/03/2024")),
    ],
    ids=["child", "decom", "rne", "ls", "dec", "dec-before-decom"],
)  # fmt: skip
def test_what_makes_an_episode_unusable_still_rejects_the_upload(la, row, expected):
    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": _episodes(row)})

    assert batch.status == REJECTED
    assert _found(batch, "error") == [("error", expected[0], expected[1], 2, *expected[2:])]
    assert not Episode.objects.exists() and not Child.objects.exists()


def test_a_review_date_that_is_not_a_date_rejects_the_upload(la):
    reviews = "CHILD,DOB,REVIEW,REVIEW_CODE\nA1001,14/06/2012,Aug 2024,PN1\n"

    batch = import_903(la, {"Header.csv": HEADER, "Reviews.csv": reviews})

    assert batch.status == REJECTED
    assert _found(batch, "error") == [("error", "invalid_date", "166", 2, "REVIEW", "Aug 2024")]


# --- warnings that used to be errors ---------------------------------------------------


def test_a_non_key_date_that_is_not_a_date_is_stored_unknown(la):
    ad1 = (
        "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
        "B2002,05/09/2021,31/02/2023,20/06/2024,0,2,MF,L11\n"
    )

    batch = import_903(la, {"Header.csv": HEADER, "AD1.csv": ad1})

    assert batch.status == DONE
    assert _found(batch) == [("warning", "invalid_date", "112", 2, "DATE_INT", "31/02/2023")]
    assert AdoptionRecord.objects.get().date_int is None


def test_a_blank_in_a_required_column_that_decides_nothing_is_stored_unknown(la):
    episodes = _episodes("A1001,01/04/2024,S,C1,,U6,PR1,,,,AA1 1AA,AA2 2AB,SC900001")
    header = HEADER.replace(",M,14/06/2012,WBRI,", ",,14/06/2012,,")

    batch = import_903(la, {"Header.csv": header, "Episodes.csv": episodes})

    assert batch.status == DONE
    assert sorted(_found(batch)) == [
        ("warning", "required", "101", 2, "SEX", ""),
        ("warning", "required", "103", 2, "ETHNIC", ""),
        ("warning", "required", "145", 2, "CIN", ""),
    ]
    sex = next(i for i in issues(batch) if i.column == "SEX")
    assert sex.message == "SEX is required but blank: it is stored as unknown."
    child = Child.objects.get(child_id="A1001")
    assert (child.sex, child.ethnicity) == ("", "")


def test_a_sex_stored_unknown_last_year_is_not_a_change_when_this_year_gives_it(la):
    last_year = _header("A1001,X,14/06/2012,WBRI,UN1,,")
    import_903(la, {"Header.csv": last_year}, year=2024)
    assert ChildHeader.objects.get(year=2024).sex == ""

    batch = import_903(la, {"Header.csv": _header("A1001,M,14/06/2012,WBRI,UN1,,")})

    assert batch.status == DONE
    assert _found(batch) == []  # no "SEX changed from (blank) to M" (202)
    assert Child.objects.get().sex == "M"


def test_a_value_too_long_for_its_column_is_stored_unknown(la):
    episodes = _episodes("A1001,01/04/2024,S,C1,N1,U6,PR1,,,,AA1 1AA,AA2 2AB,SC9000012345")

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": episodes})

    assert batch.status == DONE
    assert _found(batch) == [("warning", "too_long", "1008", 2, "URN", "SC9000012345")]
    assert issues(batch)[0].message == (
        "URN 'SC9000012345' is longer than 8 characters. It is stored as unknown."
    )
    assert Episode.objects.get().urn == ""


def test_a_code_retired_before_the_year_is_stored_unknown(la):
    """ACTIV F3 is historic (§3.13): read in old returns, unknown in 2024/25."""
    oc3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC3003,22/01/2010,YES,F3,U1\n"

    batch = import_903(la, {"Header.csv": HEADER, "OC3.csv": oc3})

    assert batch.status == DONE
    assert _found(batch) == [("warning", "code_not_in_year", "132", 2, "ACTIV", "F3")]
    assert issues(batch)[0].message == (
        "ACTIV 'F3' is not used in the 2025 collection year (retired after the 2019 collection "
        "year). It is stored as unknown."
    )
    assert OC3Outcome.objects.get().activity == ""

    header_2017 = _header("C3003,2,22/01/2010,BAFR,H938100000027,0,")
    old = import_903(la, {"Header.csv": header_2017, "OC3.csv": oc3}, year=2017)
    assert _found(old) == []
    assert OC3Outcome.objects.get(year=2017).activity == "F3"


def test_a_dry_run_reports_exactly_what_the_import_reports(la):
    import_903(la, WORKED_EXAMPLE)
    messy = {
        "Header.csv": _header(
            "A1001,M,14/06/12,WBRI,T938100000011,,", "C3003,F,22/01/2010,BAFR,UN1,2,"
        ),
        "OC3.csv": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC3003,22/01/2010,YES,F3,01\n",
        "Reviews.csv": "CHILD,DOB,REVIEW,REVIEW_CODE\nA1001,14/06/2012,01/08/2024,PN1\n"
        "A1001,14/06/2012,01/08/2024,PN1\nA1001,14/06/2012,01/08/2024,PN9\n",
    }

    dry = import_903(la, messy, dry_run=True)
    real = import_903(la, messy)

    assert dry.status == real.status == DONE

    def everything(batch):
        return [(i.severity, i.kind, i.rule_code, i.row_number, i.value, i.message)
                for i in issues(batch)]  # fmt: skip

    assert everything(dry) == everything(real) and len(everything(real)) == 7
    assert (dry.warning_count, dry.error_count) == (real.warning_count, real.error_count)
