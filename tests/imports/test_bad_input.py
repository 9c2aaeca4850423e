"""Bad input gets a plain-English error and nothing is written (one test per kind)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from children.models import Child, Episode
from imports import readers
from imports.formats.ssda903_xml import MSG_NOT_A_RETURN
from imports.models import ImportBatch
from tests.imports.conftest import EPISODES, HEADER, WORKED_EXAMPLE, import_903, issues

REJECTED = ImportBatch.Status.REJECTED
DONE = ImportBatch.Status.DONE


def _csv_rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.strip().splitlines()]


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _only_error(batch: ImportBatch) -> str:
    errors = issues(batch, "error")
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0].message


def _nothing_written() -> None:
    assert not Child.objects.exists()
    assert not Episode.objects.exists()


def test_an_empty_file_is_refused(la):
    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": ""})

    assert batch.status == REJECTED
    assert _only_error(batch) == readers.MSG_EMPTY
    assert issues(batch, "error")[0].file_name == "Episodes.csv"
    _nothing_written()


def test_a_file_of_blank_lines_is_empty_too(la):
    batch = import_903(la, {"Episodes.csv": "\n\n  \n"})

    assert batch.status == REJECTED and _only_error(batch) == readers.MSG_EMPTY


def test_an_xlsx_renamed_csv_is_read_as_a_workbook(la):
    workbook = _xlsx({"Header": _csv_rows(HEADER), "Episodes": _csv_rows(EPISODES)})

    batch = import_903(la, {"episodes.csv": workbook})

    assert batch.status == DONE, [i.message for i in issues(batch)]
    assert batch.counts["Episodes"]["inserted"] == 8
    assert batch.files.get().tables == ["Header → Header", "Episodes → Episodes"]


def test_xlsx_dates_and_numbers_are_read_as_values(la):
    from datetime import date

    rows = _csv_rows(HEADER)
    rows[1][2] = date(2012, 6, 14)  # a real date cell
    workbook = _xlsx({"Children": rows})

    batch = import_903(la, {"return.xlsx": workbook})

    assert batch.status == DONE, [i.message for i in issues(batch)]
    assert Child.objects.get(child_id="A1001").dob == date(2012, 6, 14)


def test_a_pdf_is_refused_whatever_its_name(la):
    batch = import_903(la, {"Episodes.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"})

    assert batch.status == REJECTED and _only_error(batch) == readers.MSG_PDF
    _nothing_written()


def test_an_old_xls_workbook_is_refused(la):
    batch = import_903(la, {"return.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512})

    assert batch.status == REJECTED and _only_error(batch) == readers.MSG_XLS


def test_a_truncated_csv_is_an_error_naming_the_broken_row(la):
    cut = EPISODES[: EPISODES.index("C3003,21/01/2025") + 30]  # stops half-way along a row

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": cut})

    assert batch.status == REJECTED
    ragged = [i for i in issues(batch, "error") if i.kind == "ragged_row"]
    assert [(i.file_name, i.row_number) for i in ragged] == [("Episodes.csv", 9)]
    assert "values but the header has 13 columns" in ragged[0].message
    _nothing_written()


def test_a_row_with_a_lost_quote_is_an_error(la):
    broken = EPISODES.replace("CREQB,AA1 1AA", 'CREQB,"AA1 1AA')

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": broken})

    assert batch.status == REJECTED
    assert issues(batch, "error")[0].kind in {"unreadable_file", "ragged_row"}
    _nothing_written()


def test_a_truncated_zip_is_refused(la):
    archive = _zip({"Header.csv": HEADER, "Episodes.csv": EPISODES})

    batch = import_903(la, {"return.zip": archive[: len(archive) // 2]})

    assert batch.status == REJECTED and _only_error(batch) == readers.MSG_DAMAGED_ZIP


def test_a_truncated_xlsx_is_refused(la):
    workbook = _xlsx({"Header": _csv_rows(HEADER)})

    batch = import_903(la, {"return.xlsx": workbook[: len(workbook) - 400]})

    assert batch.status == REJECTED and _only_error(batch) == readers.MSG_DAMAGED_ZIP


def test_utf16_text_is_refused_asking_for_utf8(la):
    batch = import_903(la, {"Header.csv": HEADER.encode("utf-16")})

    assert batch.status == REJECTED
    message = _only_error(batch)
    assert message == readers.MSG_UTF16 and "UTF-8" in message


def test_utf16_without_a_bom_is_recognised_too(la):
    batch = import_903(la, {"Header.csv": HEADER.encode("utf-16-le")})

    assert batch.status == REJECTED and _only_error(batch) == readers.MSG_UTF16


def test_windows_1252_is_read_with_a_warning(la):
    text = HEADER.encode("cp1252") + "D4004,F,01/01/2012,WBRI,UN2,0,\n".encode("cp1252")
    batch = import_903(la, {"Header.csv": text + b"\xe9"})  # a stray é: not UTF-8

    warnings = [i for i in issues(batch, "warning") if i.kind == "encoding"]
    assert warnings and warnings[0].message == readers.MSG_CP1252


def test_a_file_over_the_size_limit_is_refused_and_not_kept(la, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 200

    batch = import_903(la, {"Header.csv": HEADER, "Episodes.csv": EPISODES})

    assert batch.status == REJECTED
    stored = batch.files.get(name="Episodes.csv")
    assert stored.stored_path == "" and stored.size == len(EPISODES)
    assert "over the limit of 200 bytes" in _only_error(batch)
    _nothing_written()


def test_an_xlsx_formula_is_an_error_and_never_evaluated(la):
    rows = _csv_rows(HEADER)
    rows[1][0] = '=CONCATENATE("A","1001")'
    workbook = _xlsx({"Header": rows})

    batch = import_903(la, {"return.xlsx": workbook})

    assert batch.status == REJECTED
    formula = [i for i in issues(batch, "error") if i.kind == "formula"]
    assert len(formula) == 1
    assert formula[0].row_number == 2 and "A2" in formula[0].message
    assert "never evaluated" in formula[0].message
    _nothing_written()


def test_an_xml_file_that_is_not_a_903_return_is_refused_naming_its_top_element(la):
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header/></Message>\n'

    batch = import_903(la, {"return.xml": xml})

    assert batch.status == REJECTED
    assert _only_error(batch) == MSG_NOT_A_RETURN.format(root="Message")
    _nothing_written()


def test_bom_case_and_whitespace_in_headers_are_tolerated(la):
    messy = HEADER.replace("CHILD,SEX,DOB", " child , Sex,dob ", 1)

    batch = import_903(la, {"kids.csv": "\ufeff" + messy})

    assert batch.status == DONE, [i.message for i in issues(batch)]
    assert Child.objects.count() == 3


def test_a_zip_of_csv_files_is_read_member_by_member(la):
    archive = _zip(
        {f"SSDA903_2025/{k}": v for k, v in WORKED_EXAMPLE.items()} | {"__MACOSX/._x": "x"}
    )

    batch = import_903(la, {"return.zip": archive})

    assert batch.status == DONE, [i.message for i in issues(batch)]
    assert "SSDA903_2025/Episodes.csv → Episodes" in batch.files.get().tables
    assert Episode.objects.count() == 8


def test_a_file_whose_headers_fit_no_table_is_refused(la):
    batch = import_903(la, {"notes.csv": "NAME,COMMENT\nx,y\n"})

    assert batch.status == REJECTED
    error = issues(batch, "error")[0]
    assert error.kind == "unrecognised_table" and "NAME, COMMENT" in error.message


@pytest.mark.parametrize("data, kind", [
    (b"", "empty"), (b"PK\x03\x04rest", "zip"), (b"%PDF-1.4", "pdf"), (b"\xff\xfeA\x00", "utf16"),
    (b"\xef\xbb\xbf <?xml", "xml"), (b"CHILD\x00", "binary"), (b"CHILD,DOB\n", "text"),
])  # fmt: skip
def test_sniff_decides_the_type_by_content(data, kind):
    assert readers.sniff(data) == kind
