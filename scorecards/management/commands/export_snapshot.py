"""``manage.py export_snapshot --la 873 --month 2024-02``: the snapshot JSON (indicators.md §4)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from organisations.models import LocalAuthority
from scorecards.management.commands.recompute_snapshots import parse_month
from scorecards.selectors import snapshot_export


class Command(BaseCommand):
    help = "Print an authority's current snapshot for a month as JSON (aggregates only)."

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 873")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--indent", type=int, default=1)

    def handle(self, *args, la: str, month: str, indent: int, **options):
        authority = LocalAuthority.objects.filter(code=la).first()
        if authority is None:
            raise CommandError(f"no local authority with code {la!r}")
        payload = snapshot_export(la=authority, month=parse_month(month))
        if payload is None:
            raise CommandError(
                f"no snapshot for {la} {month}: run recompute_snapshots --la {la} first"
            )
        self.stdout.write(json.dumps(payload, indent=indent or None))
