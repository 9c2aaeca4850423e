"""What real exports hold, read as what they mean before any cell is checked.

Councils' extracts come from case-management systems, Excel and pandas (``ssda903.md``
§6, "Normalised silently before any check"). Every format's cells are read the same way:

- surrounding spaces are trimmed and a leading apostrophe (Excel's "keep as text" mark)
  is dropped;
- a whole cell ``NULL``, ``NaN``, ``N/A`` or ``-`` (any case) is blank — a column whose
  code list uses one of them as a value narrows its ``Column.empty_markers`` (the SSD's
  ``N/A`` for "not applicable");
- an integer written as a decimal (``1.0``, ``2.00``: a number column that passed through
  Excel or pandas) is that integer in code, flag and int columns;
- dates: ``dd/mm/YYYY`` and ISO (a date-time keeps its date) as before; in a sheet of an
  XLSX workbook, an Excel serial number (a date cell formatted as a number) is the date it
  counts to; ``dd/mm/yy`` is read only where the century is unambiguous and is then a
  warning (see ``two_digit_year_window``).

Upper-casing codes before lookup stays with each column kind (``imports.validation``).
"""

from __future__ import annotations

from datetime import date
from itertools import product

import polars as pl

from imports.formats.base import CODE, FLAG, INT, Column

DMY_RE = r"^\d{1,2}/\d{1,2}/\d{4}$"
DMY_TWO_DIGIT_RE = r"^\d{1,2}/\d{1,2}/\d{2}$"
ISO_RE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
DECIMAL_INT_RE = r"^[+-]?\d+\.0+$"
SERIAL_RE = r"^\d{2,6}(\.\d+)?$"
MIN_YEAR, MAX_YEAR = 1900, 2100

#: Excel's day 0; day 61 is 1 March 1900 (Excel counts a 29 February 1900 that never was,
#: so earlier serials are not trusted).
EXCEL_EPOCH = date(1899, 12, 30)
FIRST_SERIAL = 61

#: A two-digit year is read in the century that puts it from 31 years before to 10 years
#: after the collection year (or, with no collection year, the current year). Every date a
#: return can hold lies in that span: the oldest is the birth date of a care leaver of 25,
#: and dates after the year are themselves warned about. The span is 41 years long, so at
#: most one century fits; when neither does (``50`` for 2024/25) the value is not a date.
CENTURY_YEARS_BEFORE = 31
CENTURY_YEARS_AFTER = 10


def two_digit_year_window(*, year: int | None, today: date) -> tuple[int, int]:
    """The first and last calendar year a ``dd/mm/yy`` date may be read as."""
    anchor = year if year is not None else today.year
    return anchor - CENTURY_YEARS_BEFORE, anchor + CENTURY_YEARS_AFTER


def _spellings(markers: frozenset[str]) -> list[str]:
    """Every upper/lower-case spelling of the markers (``NULL``, ``Null``, ``null``…): a set
    lookup is much cheaper than upper-casing every cell of a large file."""
    out: set[str] = set()
    for marker in markers:
        options = [{c.upper(), c.lower()} for c in marker]
        out.update("".join(chars) for chars in product(*options))
    return sorted(out)


def cells_normalise(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """``frame`` (text columns named as ``columns``) with spaces, apostrophes, empty markers
    and ``.0`` read. One pass per step, so each step reads the previous one's result once."""
    names = [c.name for c in columns]
    frame = frame.with_columns(
        pl.col(names).str.strip_chars().str.strip_prefix("'").str.strip_chars()
    )
    frame = frame.with_columns(
        pl.when((pl.col(c.name) == "") | pl.col(c.name).is_in(_spellings(c.empty_markers)))
        .then(None)
        .otherwise(pl.col(c.name))
        .alias(c.name)
        for c in columns
    )
    numeric = [c.name for c in columns if c.kind in (CODE, FLAG, INT)]
    if numeric:
        frame = frame.with_columns(
            pl.when(pl.col(name).str.contains(DECIMAL_INT_RE))
            .then(pl.col(name).str.replace(r"\.0+$", ""))
            .otherwise(pl.col(name))
            .alias(name)
            for name in numeric
        )
    return frame


def date_read(s: pl.Expr, *, window: tuple[int, int], spreadsheet: bool) -> pl.Expr:
    """The date the text ``s`` holds, or null (``window``: see ``two_digit_year_window``)."""
    first, last = window
    yy = s.str.extract(r"/(\d{2})$", 1).cast(pl.Int32)
    century = (
        pl.when((yy + 2000).is_between(first, last))
        .then(yy + 2000)
        .when((yy + 1900).is_between(first, last))
        .then(yy + 1900)
    )
    typed = (
        pl.when(s.str.contains(DMY_RE))
        .then(s.str.to_date("%d/%m/%Y", strict=False))
        .when(s.str.contains(ISO_RE))
        .then(s.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        .when(s.str.contains(DMY_TWO_DIGIT_RE))
        .then(
            (s.str.replace(r"/\d{2}$", "/") + century.cast(pl.String)).str.to_date(
                "%d/%m/%Y", strict=False
            )
        )
    )
    if spreadsheet:
        serial = s.str.extract(r"^(\d+)", 1).cast(pl.Int64)
        typed = typed.when(s.str.contains(SERIAL_RE) & (serial >= FIRST_SERIAL)).then(
            pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
        )
    typed = typed.otherwise(None)
    return pl.when(typed.dt.year().is_between(MIN_YEAR, MAX_YEAR)).then(typed)
