"""The Standard Safeguarding Dataset casework extracts (``ssd-extracts.md``) as an import format.

A folder or zip of CSVs named after the SSD tables (or an XLSX with one sheet per table),
plus the project extensions (``ext_*.csv``). Tables are recognised by their headers, so a
file may be called anything. ``tables`` lists the columns, ``codes`` the code lists and the
descriptions case systems send, ``validate`` the cross-row checks and links, ``write`` the
load semantics (what each file replaces).
"""

from __future__ import annotations

from imports.formats.base import FormatSpec
from imports.formats.ssd.tables import TABLE_SPECS
from imports.formats.ssd.validate import VALIDATORS
from imports.formats.ssd.write import write as ssd_write

FORMAT_NAME = "ssd"

FORMAT = FormatSpec(
    name=FORMAT_NAME,
    label="SSD",
    tables=TABLE_SPECS,
    validators=VALIDATORS,
    writer=ssd_write,
    needs_year=False,
    xml_refusal="XML files are not accepted for SSD extracts: send the tables as CSV or XLSX.",
)
