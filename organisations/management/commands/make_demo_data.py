"""``manage.py make_demo_data --seed N [--scale F] [--force] [--today YYYY-MM-DD]``."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from organisations.demo.services import demo_data_generate


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Generate synthetic demo data for two authorities (873 Cambridgeshire-like, "
        "874 Peterborough-like), their monthly snapshots and one demo user per role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply both authorities' sizes."
        )
        parser.add_argument(
            "--force", action="store_true", help="Delete existing demo case data and regenerate."
        )
        parser.add_argument(
            "--today", type=_date, default=None, help="Generate as if today were this date."
        )
        parser.add_argument(
            "--no-snapshots", action="store_true", help="Skip recomputing monthly snapshots."
        )

    def handle(self, *args, **options):
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive")
        started = time.monotonic()
        result = demo_data_generate(
            seed=options["seed"],
            scale=options["scale"],
            today=options["today"],
            force=options["force"],
            snapshots=not options["no_snapshots"],
            log=lambda line: self.stdout.write(line),
        )
        if result.created:
            self.stdout.write("")
            self.stdout.write("Summary (on the generation date):")
            for code, s in result.summaries.items():
                visits = (
                    f"{100 * s['visits_on_time'] / s['visits_due']:.1f}%"
                    if s["visits_due"]
                    else "n/a"
                )
                self.stdout.write(
                    f"  {code}: looked after {s['looked_after']} (UASC {s['uasc']}, "
                    f"{s['uasc_pct']}%), started/ceased in 12 months {s['started_12m']}/"
                    f"{s['ceased_12m']}, adopted {s['adopted_12m']}, 3+ placements "
                    f"{s['three_plus_pct']}%, stability {s['stability_num']}/"
                    f"{s['stability_den']}, visits on time {visits}, missing last month "
                    f"{s['missing_incidents_last_month']} incidents/"
                    f"{s['missing_children_last_month']} children, CSE {s['cse_open']}, "
                    f"gang {s['gang_open']}; {s['children']} children, {s['episodes']} episodes"
                )
        self.stdout.write("")
        self.stdout.write("Demo users (synthetic data only; change these on a real install):")
        for user in result.users:
            self.stdout.write(f"  {user.username:<10} {user.password:<28} {user.description}")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f}s."))
