"""``manage.py export_extract --la 873 --format ssda903 --year 2025 [--xlsx | --xml] -o DIR``.

Writes an authority's records for one collection year as that year's return: one CSV per
table (the default), one XLSX workbook (``--xlsx``) or the XML form (``--xml``, with the
social-worker episodes beside it as a CSV: the XML form has no place for them).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.formats.ssda903_export import ssda903_export
from organisations.reference import UnknownLocalAuthority, authority_get

EXPORTERS = {"ssda903": ssda903_export}


class Command(BaseCommand):
    help = "Export an authority's records for a collection year as a return (CSV, XLSX or XML)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--la", required=True, help="DfE 3-digit LA code, e.g. 873")
        parser.add_argument("--format", required=True, choices=sorted(EXPORTERS))
        parser.add_argument("--year", type=int, required=True, help="Year ending 31 March YYYY")
        parser.add_argument("-o", "--output", required=True, type=Path, help="Folder to write")
        form = parser.add_mutually_exclusive_group()
        form.add_argument("--xlsx", action="store_true", help="One workbook, a sheet per table")
        form.add_argument("--xml", action="store_true", help="The return's XML form")

    def handle(self, *args, **options) -> None:
        try:
            la = authority_get(options["la"])
        except UnknownLocalAuthority as exc:
            raise CommandError(str(exc)) from exc
        form = "xml" if options["xml"] else "xlsx" if options["xlsx"] else "csv"
        result = EXPORTERS[options["format"]](
            la=la, year=options["year"], directory=options["output"], form=form
        )
        for table, rows in result.rows.items():
            self.stdout.write(f"{table:<16}{rows:>8} rows")
        count = len(result.files)
        self.stdout.write(f"Wrote {count} file{'s' if count != 1 else ''} to {options['output']}")
