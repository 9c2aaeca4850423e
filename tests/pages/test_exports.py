"""Each page's spreadsheet holds the page's figures: one sheet per section, numbers as
numbers, and every row, formatted as the page formats it, on the page in the same block.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from scorecards.exports import printed_number, safe_text, sheet_title
from scorecards.sections import page_build, snapshots_current
from scorecards.templatetags.figures import format_figure, signed_change
from tests.pages.conftest import MARCH, segments

PAGES = ("scorecard", "dashboard", "demographics")
RAG_PREFIX = "Performance against target: "


def cell_text(cell) -> str:
    """A workbook cell as the page prints it, from its value and number format."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value[1:] if value.startswith("'") else value
    number = Decimal(str(value))
    fmt = cell.number_format
    if fmt == "0.0%":
        return format_figure(number * 100, "pct")
    if fmt == "#,##0":
        return format_figure(number, "count")
    if fmt.startswith("+"):
        return signed_change(number)
    return format_figure(number, "number")


def sheet_blocks(ws) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of each block: title row, header row, rows, blank row."""
    rows = [[cell_text(c) for c in row] for row in ws.iter_rows()]
    rows = [list(r) for r in rows]
    blocks = []
    i = 2  # row 1 is the section title, row 2 blank
    while i < len(rows):
        if not any(rows[i]):
            i += 1
            continue
        title, header = rows[i][0], rows[i + 1]
        body = []
        i += 2
        while i < len(rows) and any(rows[i]):
            body.append(rows[i])
            i += 1
        blocks.append((title, header, body))
    return blocks


def trim(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row = row[:-1]
    return row


@pytest.mark.parametrize("page", PAGES)
def test_the_workbook_equals_the_page(la, committee_client, page):
    html = committee_client.get(f"/la/873/{page}/2024-03/").content.decode()
    response = committee_client.get(f"/la/873/{page}/2024-03/{page}.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    snapshot = next(s for s in snapshots_current(la=la) if s.month == MARCH)
    context = page_build(page=page, la=la, snapshot=snapshot)
    assert wb.sheetnames[0] == "About"
    assert len(wb.sheetnames) == 1 + len(context.sections)
    on_page = {k: v.replace(RAG_PREFIX, "") for k, v in segments(html, "data-block").items()}
    checked = 0
    for ws, section in zip(wb.worksheets[1:], context.sections, strict=True):
        assert ws["A1"].value == section.title
        blocks = sheet_blocks(ws)
        assert len(blocks) == len(section.blocks), section.key
        for (title, header, body), block in zip(blocks, section.blocks.values(), strict=True):
            text = on_page[block.key]
            if block.type != "figures":
                assert title in text, (section.key, block.key, title)
            if block.type in ("chart", "table") and len(body) > 1:
                assert " ".join(h for h in header if h) in text, (section.key, block.key)
            for row in body:
                row = trim(row)
                if block.type == "figures":
                    # Each figure's cells, one by one, in that figure's block.
                    for value in row:
                        assert value in text, (section.key, block.key, value)
                elif block.type == "trend" and len(row) == 1:
                    assert row[0] in text  # a group heading ("Gender", a staffing role)
                elif block.type == "trend":
                    # Label and months read left to right; the sparkline sits before the
                    # average.
                    months, average = row[: len(block.months) + 1], row[-1]
                    joined = " ".join(v for v in months if v != "")
                    assert joined in text, (section.key, block.key, joined)
                    assert average in text.split(joined, 1)[1], (section.key, block.key)
                else:
                    # A table or chart row reads left to right as on the page.
                    joined = " ".join(v for v in row if v != "")
                    assert joined in text, (section.key, block.key, joined)
                checked += 1
    assert checked > 20


def test_numbers_are_numbers_formatted_as_on_the_page(la, committee_client):
    response = committee_client.get("/la/873/scorecard/2024-03/scorecard.xlsx")
    wb = load_workbook(BytesIO(response.content))
    ws = wb["Service standards"]
    rows = {row[0].value: row for row in ws.iter_rows() if row[0].value}
    reviews = rows["% of reviews of children in care held on time (year to date)"]
    value, numerator, denominator, target = (c for c in reviews[1:5])
    assert value.data_type == "n" and value.value == pytest.approx(0.986)
    assert value.number_format == "0.0%"
    assert (numerator.value, denominator.value) == (1093, 1109)
    assert target.value == pytest.approx(0.98)
    assert reviews[5].value == "Strong" and reviews[6].value == "Improved"
    adoption = {r[0].value: r for r in wb["Adoption"].iter_rows() if r[0].value}
    a2 = adoption[
        "Average days between court authority to place and the match decision (A2) (last 12 months)"
    ]
    assert a2[1].value == 167 and a2[1].number_format == "#,##0"  # never 167.238…
    # No data stays words, never 0.
    missing = {r[0].value: r for r in wb["Missing"].iter_rows() if r[0].value}
    assert missing["Children in care who have a return interview (in the month)"][1].value == (
        "no data"
    )


def test_suppressed_counts_stay_suppressed_in_the_workbook(la, committee_client):
    la.small_number_suppression = True
    la.save()
    response = committee_client.get("/la/873/scorecard/2024-03/scorecard.xlsx")
    wb = load_workbook(BytesIO(response.content))
    values = [c.value for row in wb["Exploitation"].iter_rows() for c in row]
    assert "<5" in values and 3 not in values
    adoption = {r[0].value: r for r in wb["Adoption"].iter_rows() if r[0].value}
    quarter = adoption["% of children leaving care who are adopted (quarter to date)"]
    assert quarter[1].value == "suppressed" and quarter[2].value == "<5"
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows() if r[0].value}
    assert about["Small numbers"].startswith("Counts of 1 to 4 are shown as <5; counts that")
    assert about["As at"].startswith("Data as at 31 March 2024: SSDA903 imported 2 April 2024")


@pytest.mark.parametrize(
    ("text", "safe"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-", "'-"), ("@x", "'@x"), ("ok", "ok")],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(text, safe):
    assert safe_text(text) == safe


def test_sheet_titles_are_valid_and_unique():
    used: set[str] = set()
    assert sheet_title("Health – service standards", used) == "Health – service standards"
    long = "All children: risk of child sexual exploitation and gang exploitation"
    first = sheet_title(long, used)
    second = sheet_title(long, used)
    assert len(first) <= 31 and ":" not in first and first != second and len(second) <= 31


@pytest.mark.parametrize(
    ("value", "kind", "stored", "fmt"),
    [
        (Decimal("72.4"), "pct", 0.724, "0.0%"),
        ((461, 637), "pct", 0.724, "0.0%"),
        (Decimal("167.2"), "days", 167, "#,##0"),
        (657, "count", 657, "#,##0"),
        (Decimal("43.2"), "count", 43.2, "#,##0.0"),
        (Decimal("51.5"), "rate", 51.5, "#,##0.0"),
    ],
)
def test_numbers_are_stored_rounded_as_printed(value, kind, stored, fmt):
    number, number_format = printed_number(value, kind, format_figure(value, kind))
    assert number == pytest.approx(stored) and number_format == fmt


def test_words_are_stored_as_words():
    assert printed_number(None, "pct", "no data") == ("no data", None)
    assert printed_number(3, "count", "<5") == ("<5", None)
