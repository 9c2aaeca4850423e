"""The SSDA903 return as one XML file (``ssda903.md`` §8a): read as the CSVs are read."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Child
from imports.formats.ssd import FORMAT as SSD
from imports.formats.ssda903 import TABLES
from imports.formats.ssda903_xml import (
    EPISODE_OPTIONAL,
    MSG_NO_HEADER,
    MSG_NOT_WELL_FORMED,
    MSG_REPEATED_ELEMENT,
    MSG_UASC_FLAG,
    TABLE_COLUMNS,
    ssda903_xml_read,
)
from imports.issues import IssueLog
from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create, import_batch_run
from organisations.demo.services import demo_data_delete
from organisations.roles import ADMIN
from scorecards.selectors import snapshot_cells
from scorecards.services import snapshots_recompute
from tests.imports.conftest import WORKED_EXAMPLE, import_903, issues, write_files
from tests.imports.test_export_round_trip import records
from tests.imports.test_views import _user

DONE = ImportBatch.Status.DONE
REJECTED = ImportBatch.Status.REJECTED

# ssda903.md §7's worked example as one XML file. Deliberately untidy, as exports are:
# B2002's HEADER comes after its episodes, fields are in any order, empty elements are
# blanks and some blanks are left out altogether.
WORKED_EXAMPLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>A1001</CHILDID><SEX>M</SEX><DOB>14/06/2012</DOB><ETHNIC>WBRI</ETHNIC>
      <UPN>T938100000011</UPN><MOTHER/><MC_DOB/><UASC>0</UASC>
    </HEADER>
    <EPISODE>
      <DECOM>03/02/2023</DECOM><RNE>S</RNE><LS>C1</LS><CIN>N1</CIN><PL>U6</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>19/07/2024</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE>CREQB</REASON_PLACE_CHANGE><HOME_POST>AA1 1AA</HOME_POST>
      <PL_POST>AA2 2AB</PL_POST><URN>SC900001</URN>
    </EPISODE>
    <EPISODE>
      <URN>1900002</URN><PL_POST>BB3 3BC</PL_POST><HOME_POST>AA1 1AA</HOME_POST>
      <DECOM>19/07/2024</DECOM><RNE>P</RNE><LS>C1</LS><CIN>N1</CIN><PL>K2</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER><DEC>02/10/2024</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE/>
    </EPISODE>
    <EPISODE>
      <DECOM>02/10/2024</DECOM><RNE>L</RNE><LS>C2</LS><CIN>N1</CIN><PL>K2</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER><DEC/><REC/><REASON_PLACE_CHANGE/>
      <HOME_POST>AA1 1AA</HOME_POST><PL_POST>BB3 3BC</PL_POST><URN>1900002</URN>
    </EPISODE>
  </CHILD>
  <CHILD>
    <EPISODE>
      <DECOM>20/05/2023</DECOM><RNE>L</RNE><LS>E1</LS><CIN>N1</CIN><PL>U6</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER><DEC>08/07/2024</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE><HOME_POST>CC4 4CD</HOME_POST>
      <PL_POST>CC5 5DE</PL_POST><URN>1900003</URN>
    </EPISODE>
    <EPISODE>
      <DECOM>08/07/2024</DECOM><RNE>P</RNE><LS>E1</LS><CIN>N1</CIN><PL>A6</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>14/02/2025</DEC><REC>E12</REC>
      <HOME_POST>CC4 4CD</HOME_POST><PL_POST>DD6 6EF</PL_POST><URN>XXXXXXX</URN>
    </EPISODE>
    <HEADER>
      <CHILDID>B2002</CHILDID><SEX>F</SEX><DOB>05/09/2021</DOB><ETHNIC>MWBC</ETHNIC>
      <UPN>UN1</UPN><MOTHER>0</MOTHER><UASC>0</UASC>
      <DATE_INT>10/03/2023</DATE_INT><DATE_MATCH>20/06/2024</DATE_MATCH>
      <FOSTER_CARE>0</FOSTER_CARE><NB_ADOPTR>2</NB_ADOPTR><SEX_ADOPTR>MF</SEX_ADOPTR>
      <LS_ADOPTR>L11</LS_ADOPTR>
      <AD_PLACED>
        <DATE_PLACED>10/03/2023</DATE_PLACED><DATE_PLACED_CEASED/><REASON_PLACED_CEASED/>
      </AD_PLACED>
    </HEADER>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>C3003</CHILDID><SEX>F</SEX><DOB>22/01/2010</DOB><ETHNIC>BAFR</ETHNIC>
      <UPN>H938100000027</UPN><MOTHER>0</MOTHER><MC_DOB/><UASC>0</UASC>
      <PERMANENCE><PREV_PERM>Z1</PREV_PERM><LA_PERM/><DATE_PERM/></PERMANENCE>
    </HEADER>
    <EPISODE>
      <DECOM>16/04/2024</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N4</CIN><PL>U3</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>30/06/2024</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE>CREQO</REASON_PLACE_CHANGE><HOME_POST>EE7 7FG</HOME_POST>
      <PL_POST>EE8 8GH</PL_POST><URN>SC900001</URN>
    </EPISODE>
    <EPISODE>
      <DECOM>30/06/2024</DECOM><RNE>B</RNE><LS>C1</LS><CIN>N4</CIN><PL>U6</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER><DEC>21/01/2025</DEC><REC>X1</REC>
      <REASON_PLACE_CHANGE>PLACE</REASON_PLACE_CHANGE><HOME_POST>EE7 7FG</HOME_POST>
      <PL_POST>FF9 9HJ</PL_POST><URN>1900004</URN>
    </EPISODE>
    <EPISODE>
      <DECOM>21/01/2025</DECOM><RNE>T</RNE><LS>C1</LS><CIN>N4</CIN><PL>U4</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER><DEC/><REC/><REASON_PLACE_CHANGE/>
      <HOME_POST>EE7 7FG</HOME_POST><PL_POST>FF9 9HJ</PL_POST><URN>1900004</URN>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
"""
#: Line of A1001's second EPISODE element in the file above.
A1001_EPISODE_2_LINE = WORKED_EXAMPLE_XML.splitlines().index("    <EPISODE>", 10) + 1


def _read(xml: str, log: IssueLog | None = None) -> dict:
    """The sheets of an XML return by table, as lists of row dicts (no ``_row``)."""
    sheets = ssda903_xml_read(
        name="r.xml", upload_name="r.xml", data=xml.encode(), log=log or IssueLog(limit=50)
    )
    return {s.file_name.removeprefix("r.xml › "): s.frame.drop("_row").to_dicts() for s in sheets}


def _child(header: str, rest: str = "") -> str:
    return f"<CHILD><HEADER><CHILDID>{header}</CHILDID><DOB>01/01/2010</DOB><SEX>F</SEX>{rest}"


def _xml(*children: str) -> str:
    return "<EXPSSDA903>" + "".join(f"{c}</HEADER></CHILD>" for c in children) + "</EXPSSDA903>"


# --- what the file means ------------------------------------------------------------------


def test_the_tables_of_the_xml_form_have_the_csv_tables_columns():
    for spec in TABLES:
        if spec.name in TABLE_COLUMNS:
            required = tuple(c.name for c in spec.columns if c.header_required)
            optional = tuple(c.name for c in spec.columns if not c.header_required)
            assert TABLE_COLUMNS[spec.name] == required, spec.name
            assert optional == (EPISODE_OPTIONAL if spec.name == "Episodes" else ()), spec.name
    assert set(TABLE_COLUMNS) == {t.name for t in TABLES} - {"SWEpisodes", "DoLo"}


def test_the_worked_example_reads_into_the_returns_tables():
    tables = _read(WORKED_EXAMPLE_XML)

    assert [len(tables[t]) for t in TABLE_COLUMNS] == [3, 8, 0, 0, 0, 0, 1, 1, 1, 0]
    # PL is PLACE; an empty or absent element is blank; B2002's HEADER came last.
    assert tables["Episodes"][1] == {
        "CHILD": "A1001", "DECOM": "19/07/2024", "RNE": "P", "LS": "C1", "CIN": "N1",
        "PLACE": "K2", "PLACE_PROVIDER": "PR4", "DEC": "02/10/2024", "REC": "X1",
        "REASON_PLACE_CHANGE": None, "HOME_POST": "AA1 1AA", "PL_POST": "BB3 3BC",
        "URN": "1900002",
    }  # fmt: skip
    assert tables["Episodes"][3]["CHILD"] == "B2002"
    assert tables["Header"][1] == {"CHILD": "B2002", "SEX": "F", "DOB": "05/09/2021",
                                   "ETHNIC": "MWBC", "UPN": "UN1", "MOTHER": "0",
                                   "MC_DOB": None}  # fmt: skip
    assert tables["AD1"] == [{"CHILD": "B2002", "DOB": "05/09/2021", "DATE_INT": "10/03/2023",
                              "DATE_MATCH": "20/06/2024", "FOSTER_CARE": "0", "NB_ADOPTR": "2",
                              "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}]  # fmt: skip
    assert tables["PrevPerm"] == [{"CHILD": "C3003", "DOB": "22/01/2010", "PREV_PERM": "Z1",
                                   "LA_PERM": None, "DATE_PERM": None}]  # fmt: skip


def test_uasc_rows_come_from_a_uasc_flag_of_1_or_a_duc():
    log = IssueLog(limit=10)
    tables = _read(_xml(
        _child("U1", "<UASC>1</UASC>"),  # flagged: a row, DUC blank
        _child("U2", "<UASC>0</UASC><DUC>01/06/2024</DUC>"),  # ceased in the year: a row
        _child("U3", "<UASC>0</UASC><DUC/>"),  # not UASC
        _child("U4", ""),  # nothing said: not UASC
        _child("U5", "<UASC>Y</UASC>"),  # not a flag: warned, not UASC
    ), log)  # fmt: skip

    assert tables["UASC"] == [
        {"CHILD": "U1", "SEX": "F", "DOB": "01/01/2010", "DUC": None},
        {"CHILD": "U2", "SEX": "F", "DOB": "01/01/2010", "DUC": "01/06/2024"},
    ]
    (warning,) = log.kept
    assert warning.message == MSG_UASC_FLAG.format(value="Y")
    assert warning.location == "CHILD U5 / HEADER / UASC"


def test_oc3_and_ad1_rows_come_from_filled_fields_only():
    tables = _read(_xml(
        _child("L1", "<IN_TOUCH>YES</IN_TOUCH><ACTIV>F1</ACTIV><ACCOM>B1</ACCOM>"),
        _child("L2", "<IN_TOUCH/><ACTIV/><ACCOM/><DATE_INT/>"),  # empty: no rows
        _child("L3", "<DATE_MATCH>01/02/2024</DATE_MATCH>"),  # part-filled AD1: a row
    ))  # fmt: skip

    assert [r["CHILD"] for r in tables["OC3"]] == ["L1"]
    assert [(r["CHILD"], r["DATE_MATCH"], r["DATE_INT"]) for r in tables["AD1"]] == [
        ("L3", "01/02/2024", None)
    ]


def test_repeated_containers_each_give_a_row_with_the_childs_id_and_birth_date():
    tables = _read(_xml(_child("R1", (
        "<AREVIEW><REVIEW>01/05/2024</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>"
        "<AREVIEW><REVIEW_CODE>PN0</REVIEW_CODE><REVIEW>01/11/2024</REVIEW></AREVIEW>"
        "<AMISSING><MISSING>M</MISSING><MIS_START>03/03/2025</MIS_START><MIS_END/></AMISSING>"
        "<OC2><SDQ_SCORE>12</SDQ_SCORE><IMMUNISATIONS>1</IMMUNISATIONS></OC2>"
    ))))  # fmt: skip

    assert tables["Reviews"] == [
        {"CHILD": "R1", "DOB": "01/01/2010", "REVIEW": "01/05/2024", "REVIEW_CODE": "PN1"},
        {"CHILD": "R1", "DOB": "01/01/2010", "REVIEW": "01/11/2024", "REVIEW_CODE": "PN0"},
    ]
    assert tables["Missing"] == [{"CHILD": "R1", "DOB": "01/01/2010", "MISSING": "M",
                                  "MIS_START": "03/03/2025", "MIS_END": None}]  # fmt: skip
    assert tables["OC2"][0]["SDQ_SCORE"] == "12" and tables["OC2"][0]["CONVICTED"] is None


def test_an_episode_may_carry_the_csvs_optional_location_columns():
    with_location = WORKED_EXAMPLE_XML.replace(
        "<URN>SC900001</URN>", "<URN>SC900001</URN><PL_LA>E10000003</PL_LA><PL_DISTANCE/>", 1
    )

    def columns(xml: str) -> list[str]:
        sheets = ssda903_xml_read(name="r.xml", upload_name="r.xml", data=xml.encode(),
                                  log=IssueLog(limit=5))  # fmt: skip
        return next(s for s in sheets if s.file_name.endswith("Episodes")).headers

    # Given with a value: carried; never given, or only empty: derived from the postcodes.
    assert columns(with_location)[-1:] == ["PL_LA"]
    assert not set(columns(WORKED_EXAMPLE_XML)) & set(EPISODE_OPTIONAL)


def test_namespaces_are_not_significant():
    xml = WORKED_EXAMPLE_XML.replace("<EXPSSDA903>", '<EXPSSDA903 xmlns="urn:dfe:ssda903">')

    assert len(_read(xml)["Episodes"]) == 8


# --- imported like the CSVs ---------------------------------------------------------------


def _snapshot(la) -> dict:
    (snapshot,) = snapshots_recompute(la=la, months=[date(2025, 3, 1)], today=date(2025, 5, 1))
    return snapshot_cells(snapshot=snapshot)


def test_xml_and_csv_forms_of_one_return_store_the_same_records_and_snapshots(la):
    csv_batch = import_903(la, WORKED_EXAMPLE)
    from_csv, csv_figures = records(la), _snapshot(la)
    demo_data_delete(la=la)
    assert not Child.objects.filter(la=la).exists()

    batch = import_903(la, {"SSDA903_2025.xml": WORKED_EXAMPLE_XML})

    assert batch.status == DONE and batch.error_count == 0, [i.message for i in issues(batch)]
    assert records(la) == from_csv
    assert _snapshot(la) == csv_figures
    assert csv_figures["cla_count"]  # the figures hold something to compare
    # The same progress and counts: 14 rows, and every table of the return was sent.
    assert batch.rows_total == csv_batch.rows_total == 14
    assert {t: c["inserted"] for t, c in batch.counts.items() if c["inserted"]} == {
        t: c["inserted"] for t, c in csv_batch.counts.items() if c["inserted"]
    }
    assert set(batch.counts) == set(TABLE_COLUMNS)
    assert batch.files.get().tables == [f"{t} → {t}" for t in TABLE_COLUMNS]


def test_importing_the_xml_again_changes_nothing(la):
    import_903(la, {"SSDA903_2025.xml": WORKED_EXAMPLE_XML})

    again = import_903(la, {"SSDA903_2025.xml": WORKED_EXAMPLE_XML})

    assert again.message == "Nothing changed: every row was unchanged."


def test_an_xml_return_replaces_the_years_tables_the_csvs_held(la):
    import_903(la, WORKED_EXAMPLE)
    one_child_fewer = WORKED_EXAMPLE_XML.replace(
        "<PERMANENCE><PREV_PERM>Z1</PREV_PERM><LA_PERM/><DATE_PERM/></PERMANENCE>", ""
    )

    batch = import_903(la, {"SSDA903_2025.xml": one_child_fewer})

    assert batch.counts["PrevPerm"]["removed"] == 1


def test_an_unknown_element_is_a_warning_naming_it_once_with_a_count(la):
    xml = WORKED_EXAMPLE_XML.replace("<RNE>S</RNE>", "<RNE>S</RNE><CARER_ID>77</CARER_ID>").replace(
        "<EXPSSDA903>", "<EXPSSDA903><LA>873</LA>"
    )

    batch = import_903(la, {"return.xml": xml})

    assert batch.status == DONE
    unknown = [(i.message, i.location) for i in issues(batch) if i.kind == "unknown_element"]
    assert unknown == [
        ("Unknown element LA ignored (EXPSSDA903 / LA, 1 time; first at EXPSSDA903 / LA).",
         "EXPSSDA903 / LA"),
        ("Unknown element CARER_ID ignored (CHILD / EPISODE / CARER_ID, 2 times; first at "
         "CHILD A1001 / EPISODE 1 / CARER_ID).", "CHILD A1001 / EPISODE 1 / CARER_ID"),
    ]  # fmt: skip


# --- errors name the child and the element --------------------------------------------------


def _bad_xml() -> str:
    """The worked example with A1001's second episode starting on 32 January."""
    return WORKED_EXAMPLE_XML.replace("<DECOM>19/07/2024</DECOM>", "<DECOM>32/01/2024</DECOM>")


def test_a_row_error_names_the_child_and_the_element_path(la):
    batch = import_903(la, {"return.xml": _bad_xml()})

    assert batch.status == REJECTED
    error = next(i for i in issues(batch, "error") if i.kind == "invalid_date")
    assert error.location == "CHILD A1001 / EPISODE 2 / DECOM"
    assert error.row_number == A1001_EPISODE_2_LINE
    assert (error.file_name, error.column, error.value) == (
        "return.xml › Episodes",
        "DECOM",
        "32/01/2024",
    )
    assert not Child.objects.exists()


def test_an_error_in_a_container_of_the_header_names_its_path():
    xml = _xml(_child("R1", "<AREVIEW><REVIEW>soon</REVIEW></AREVIEW>"))
    sheets = ssda903_xml_read(name="r.xml", upload_name="r.xml", data=xml.encode(),
                              log=IssueLog(limit=5))  # fmt: skip
    reviews = next(s for s in sheets if s.file_name.endswith("Reviews"))

    assert reviews.extra["locate"](1, "REVIEW") == ("CHILD R1 / HEADER / AREVIEW 1 / REVIEW", 1)
    assert reviews.extra["locate"](1, "DOB") == ("CHILD R1 / HEADER / DOB", 1)
    assert reviews.extra["locate"](1, "CHILD + REVIEW") == ("CHILD R1 / HEADER / AREVIEW 1", 1)


def test_the_batch_page_the_api_and_the_command_show_the_element_path(
    client, la, tmp_path, capsys, django_capture_on_commit_callbacks
):
    client.force_login(_user("admin", groups=[ADMIN], las=[la]))
    upload = io.BytesIO(_bad_xml().encode())
    upload.name = "return.xml"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:upload"), {
            "la": la.pk, "format": "ssda903", "year": "2025", "files": [upload],
        })  # fmt: skip
    batch = ImportBatch.objects.get()
    folder = write_files(tmp_path / "SSDA903_2025", {"return.xml": _bad_xml()})

    page = client.get(response["Location"]).content.decode()
    api = client.get(f"/api/imports/{batch.pk}/issues/?kind=invalid_date").json()["results"]
    with pytest.raises(CommandError):
        call_command("import_extract", "--la", "873", "--format", "ssda903", str(folder))

    line = A1001_EPISODE_2_LINE
    assert f'CHILD A1001 / EPISODE 2 / DECOM <span class="govuk-body-s">(line {line})' in page
    assert [(i["location"], i["row_number"]) for i in api] == [
        ("CHILD A1001 / EPISODE 2 / DECOM", line)
    ]
    out = capsys.readouterr().out
    where = f"SSDA903_2025/return.xml › Episodes: CHILD A1001 / EPISODE 2 / DECOM (line {line})"
    assert f"ERROR {where}: DECOM '32/01/2024' is not a date" in out


def test_a_child_without_a_header_is_an_error_naming_which_child(la):
    xml = WORKED_EXAMPLE_XML.replace(
        WORKED_EXAMPLE_XML[WORKED_EXAMPLE_XML.index("    <HEADER>\n      <CHILDID>C3003"):
                           WORKED_EXAMPLE_XML.index("    <EPISODE>\n      <DECOM>16/04/2024")],
        "",
    )  # fmt: skip

    batch = import_903(la, {"return.xml": xml})

    assert batch.status == REJECTED
    (no_header,) = [i for i in issues(batch) if i.kind == "xml_no_header"]
    assert (no_header.message, no_header.location) == (MSG_NO_HEADER, "CHILD #3")


def test_an_element_given_twice_in_one_row_is_an_error(la):
    xml = WORKED_EXAMPLE_XML.replace("<RNE>T</RNE>", "<RNE>T</RNE><RNE>P</RNE>")

    batch = import_903(la, {"return.xml": xml})

    (error,) = [i for i in issues(batch) if i.kind == "xml_repeated_element"]
    assert error.location == "CHILD C3003 / EPISODE 3 / RNE"
    where = "CHILD C3003 / EPISODE 3"
    assert error.message == MSG_REPEATED_ELEMENT.format(element="RNE", where=where)


def test_a_truncated_xml_file_is_refused_naming_the_line(la):
    cut = WORKED_EXAMPLE_XML[: WORKED_EXAMPLE_XML.index("<CHILDID>C3003")]

    batch = import_903(la, {"return.xml": cut})

    (error,) = issues(batch, "error")
    assert error.message.startswith(MSG_NOT_WELL_FORMED.split("(")[0])
    assert error.row_number == cut.count("\n") + 1
    assert not Child.objects.exists()


def test_the_ssd_still_refuses_xml(la):
    batch = import_batch_create(
        la=la, format_name="ssd", as_at=date(2025, 3, 31),
        files=[IncomingFile(name="extract.xml", handle=io.BytesIO(WORKED_EXAMPLE_XML.encode()))],
    )  # fmt: skip

    batch = import_batch_run(batch_id=batch.pk)

    assert batch.status == REJECTED
    assert [i.message for i in issues(batch, "error")] == [SSD.xml_refusal]
