"""``manage.py derive_placement_locations --la 873 [--all]``: PL_LA, PL_LOCATION, PL_DISTANCE."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from organisations.reference import UnknownLocalAuthority, authority_get
from placements.location import placement_locations_derive


class Command(BaseCommand):
    help = (
        "Derive placement authority, in/out of authority and distance in miles from HOME_POST "
        "and PL_POST (ssda903.md §4) for an authority's episodes and placements: by default "
        "only where they are blank (e.g. imported before derivation existed); --all "
        "recomputes every episode and reports where supplied values disagree."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 873")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="recompute_all",
            help="Recompute every episode, replacing supplied values and reporting disagreements.",
        )
        parser.add_argument(
            "--show", type=int, default=20, help="How many warnings to print (default 20)."
        )

    def handle(self, *args, la: str, recompute_all: bool, show: int, **options):
        try:
            authority = authority_get(la)
        except UnknownLocalAuthority as exc:
            raise CommandError(str(exc)) from exc
        result = placement_locations_derive(la=authority, only_missing=not recompute_all)
        filled = ", ".join(f"{n} {f}" for f, n in sorted(result.fields_filled.items())) or "none"
        self.stdout.write(
            f"{authority}: {result.episodes_checked} episodes checked, "
            f"{result.episodes_updated} updated (fields: {filled}), "
            f"{result.placements_written} placements written"
        )
        counts = result.warning_counts()
        if counts:
            summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
            self.stdout.write(f"{len(result.warnings)} warnings: {summary}")
        for warning in result.warnings[:show]:
            self.stdout.write(f"  {warning}")
        if len(result.warnings) > show:
            self.stdout.write(f"  … and {len(result.warnings) - show} more")
