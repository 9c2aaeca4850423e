"""Spreadsheet cells that a reader's spreadsheet program would run as formulas, neutralised.

``roles.md``: every export neutralises a text cell that begins with ``=``, ``+``, ``-``,
``@``, tab or carriage return (CSV formula injection: a worker named ``=HYPERLINK(…)`` or a
job title ``+cmd|' /C calc'!A0`` must reach the reader as text, never as a formula). The
neutraliser prefixes such a cell with an apostrophe, which every spreadsheet program shows
as text. It also looks past leading spaces and through Unicode compatibility forms
(``＝`` is read as ``=`` by some spreadsheet programs).

Our own writers (``scorecards.exports``, ``reviews.exports``) call ``formula_neutralise``
on each text cell. The Django admin's import/export (django-import-export) uses the formats
below, set as ``IMPORT_EXPORT_FORMATS`` in the settings. Why not the library's own
``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``: it removes one leading ``=`` only (``+``,
``-``, ``@``, tab and ``==`` pass) and turns every cell, numbers included, into text.
Reading a file back, the apostrophe in front of a formula character is dropped again, so
an exported spreadsheet imports unchanged.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import tablib
from import_export.formats import base_formats

#: Characters that start a formula (or a DDE command) in Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program could read ``text`` as a formula."""
    folded = unicodedata.normalize("NFKC", text).lstrip(" \u00a0")
    return text.startswith(FORMULA_PREFIXES) or folded.startswith(FORMULA_PREFIXES)


def formula_neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it: ``"=1+1"`` → ``"'=1+1"``."""
    return NEUTRALISER + text if is_formula_like(text) else text


def formula_restore(text: str) -> str:
    """The inverse of ``formula_neutralise`` for a cell read back from an exported file."""
    if text.startswith(NEUTRALISER) and is_formula_like(text[1:]):
        return text[1:]
    return text


def _map_cells(dataset: tablib.Dataset, change: Any) -> tablib.Dataset:
    """A copy of ``dataset`` with ``change`` applied to every text cell and header."""
    out = tablib.Dataset(title=dataset.title)
    headers = dataset.headers
    if headers:
        out.headers = [change(h) if isinstance(h, str) else h for h in headers]
    for row in dataset:
        out.append([change(cell) if isinstance(cell, str) else cell for cell in row])
    return out


class FormulaSafeFormat:
    """Mixin for django-import-export formats: neutralise on export, restore on import."""

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(_map_cells(dataset, formula_neutralise), **kwargs)

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return _map_cells(super().create_dataset(in_stream, **kwargs), formula_restore)


class CSV(FormulaSafeFormat, base_formats.CSV):
    pass


class TSV(FormulaSafeFormat, base_formats.TSV):
    pass


class XLSX(FormulaSafeFormat, base_formats.XLSX):
    pass


#: What the admin offers: spreadsheets with formulas neutralised, and JSON (no formulas).
#: XLS and ODS (no writer installed), HTML and YAML are left out.
FORMATS = [CSV, XLSX, TSV, base_formats.JSON]
