"""Writing a return's tables, built once, as CSV files or one XLSX workbook.

An exporter builds each table as columns and rows of text (``ReturnTable``); these
functions only lay them out. Everything is written as text, exactly as the CSVs hold it
(dates dd/mm/YYYY, codes as codes, identifiers with their leading zeros), so a workbook
reads back through the importer to the same values as the CSVs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ReturnTable:
    """One table of a return: its header and its rows (text; None or "" for blank)."""

    columns: list[str]
    rows: list[list[str | None]]


def csv_files_write(*, tables: dict[str, ReturnTable], directory: Path, prefix: str) -> list[Path]:
    """One UTF-8 CSV per table, ``<prefix><table>.csv``, header row first; the files written."""
    paths = []
    for name, table in tables.items():
        path = directory / f"{prefix}{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        paths.append(path)
    return paths


def xlsx_write(*, tables: dict[str, ReturnTable], path: Path) -> Path:
    """One workbook with a sheet per table (named after it), every cell written as text."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, table in tables.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([value if value not in ("", None) else None for value in row])
    workbook.save(path)
    return path
