"""One worklist as CSV or XLSX.

Every text cell passes through ``scorecards.exports.safe_text`` (the project's one formula
neutraliser, ``roles.md``: a cell beginning ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with an apostrophe), so a child's name or a worker's name typed as a
formula is never evaluated. Dates are written as ISO dates in CSV and as date cells in
XLSX; numbers as numbers. The columns are those of the page's table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from organisations.models import LocalAuthority
from reviews.selectors import WorklistKind, WorklistRow
from scorecards.exports import XLSX_CONTENT_TYPE, safe_text

CSV = "csv"
XLSX = "xlsx"
EXPORT_FORMATS = (CSV, XLSX)
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def worklist_columns(*, kind: WorklistKind) -> list[tuple[str, str]]:
    """(header, row attribute) of a list's table, as the page shows it."""
    columns = [("Child ID", "child_id"), ("Name", "child_name")]
    if kind.last_label:
        columns.append((kind.last_label, "last_date"))
    if kind.due_label:
        columns.append((kind.due_label, "due_date"))
    columns += [(kind.days_label, "days_overdue"), ("Status", "days_text")]
    if kind.shows_placement:
        columns += [("Placement type", "placement"), ("Distance from home", "distance")]
    columns += [("Allocated worker", "worker_name"), ("Note", "note")]
    return columns


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return value


def _filename(
    *, la: LocalAuthority, kind: WorklistKind, team_name: str, as_of: date, fmt: str
) -> str:
    team = "".join(ch if ch.isalnum() else "-" for ch in team_name.lower()).strip("-")
    team = "-".join(part for part in team.split("-") if part)[:40]
    return f"{la.code}-{team}-{kind.key.replace('_', '-')}-{as_of.isoformat()}.{fmt}"


def worklist_export(
    *,
    kind: WorklistKind,
    rows: list[WorklistRow],
    fmt: str,
    la: LocalAuthority,
    team_name: str,
    as_of: date,
) -> Export:
    """The rows of one list as a CSV or XLSX file, headed as on the page."""
    columns = worklist_columns(kind=kind)
    filename = _filename(la=la, kind=kind, team_name=team_name, as_of=as_of, fmt=fmt)
    if fmt == "csv":
        out = StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([header for header, _ in columns])
        for row in rows:
            writer.writerow(
                [
                    value.isoformat() if isinstance(value, date) else _cell(value)
                    for value in (getattr(row, attr) for _, attr in columns)
                ]
            )
        # A byte-order mark lets spreadsheet programs read the UTF-8 names correctly.
        return Export(("\ufeff" + out.getvalue()).encode("utf-8"), CSV_CONTENT_TYPE, filename)
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.short[:31]
    sheet.append([safe_text(f"{kind.title}: {team_name}, {la.name}, as at {as_of:%-d %B %Y}")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([header for header, _ in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(getattr(row, attr)) for _, attr in columns])
    for index, (_, attr) in enumerate(columns, start=1):
        letter = sheet.cell(row=2, column=index).column_letter
        sheet.column_dimensions[letter].width = 14 if attr.endswith("date") else 24
        if attr.endswith("date"):
            for cell in sheet[letter][2:]:
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A3"
    buffer = BytesIO()
    workbook.save(buffer)
    return Export(buffer.getvalue(), XLSX_CONTENT_TYPE, filename)
