"""``manage.py export_extract --la 873 --format ssda903 --year 2025 -o DIR``.

Writes an authority's records for one collection year as the format's CSV files.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.formats.ssda903_export import ssda903_export
from organisations.reference import UnknownLocalAuthority, authority_get

EXPORTERS = {"ssda903": ssda903_export}


class Command(BaseCommand):
    help = "Export an authority's records for a collection year as extract CSV files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--la", required=True, help="DfE 3-digit LA code, e.g. 873")
        parser.add_argument("--format", required=True, choices=sorted(EXPORTERS))
        parser.add_argument("--year", type=int, required=True, help="Year ending 31 March YYYY")
        parser.add_argument("-o", "--output", required=True, type=Path, help="Folder to write")

    def handle(self, *args, **options) -> None:
        try:
            la = authority_get(options["la"])
        except UnknownLocalAuthority as exc:
            raise CommandError(str(exc)) from exc
        written = EXPORTERS[options["format"]](
            la=la, year=options["year"], directory=options["output"]
        )
        for table, rows in written.items():
            self.stdout.write(f"{table:<16}{rows:>8} rows")
        self.stdout.write(f"Wrote {len(written)} files to {options['output']}")
