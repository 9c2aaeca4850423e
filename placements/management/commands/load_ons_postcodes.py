"""``manage.py load_ons_postcodes PATH…``: a newer ONS Postcode Directory into the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placements.postcodes import ons_postcodes_load


class Command(BaseCommand):
    help = (
        "Load an ONS Postcode Directory CSV (ONSPD or NSPD; a .csv, or the .zip ONS "
        "publishes) into the OnsPostcode table, which then takes precedence over the "
        "packaged directory for the postcodes it holds. Columns used: pcds/pcd, oseast1m, "
        "osnrth1m, laua/ladYYcd."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="CSV or zip file(s)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Empty the table first (a complete new directory); default is to upsert.",
        )

    def handle(self, *args, paths: list[Path], replace: bool, **options):
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        verbosity = options.get("verbosity", 1)

        def progress(rows: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {rows:,} rows")

        try:
            result = ons_postcodes_load(paths=paths, replace=replace, progress=progress)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Loaded {result.rows:,} postcodes from {', '.join(result.files) or 'no file'}"
            + (
                f"; skipped {result.skipped:,} rows without a whole postcode"
                if result.skipped
                else ""
            )
        )
