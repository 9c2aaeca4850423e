"""``manage.py recompute_snapshots --la 873 [--from 2023-04 --to 2024-03]``.

Audited like the page's and the API's recompute (``roles.md``): an access event with no
user, the command line and the operating-system account.
"""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organisations.models import LocalAuthority
from scorecards.models import RecomputeRun
from scorecards.periods import add_months, financial_year_start, months_between
from scorecards.services import (
    RecomputeBusy,
    recompute_run_start_from_command,
    snapshots_recompute,
)
from scorecards.tasks import scorecard_pdf_queue_latest


def parse_month(value: str) -> date:
    try:
        year, month = value.split("-")[:2]
        return date(int(year), int(month), 1)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"month must be YYYY-MM, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Recompute an authority's monthly snapshots. Without --from: the last three "
        "financial years (April two years ago) to --to or the current month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 873")
        parser.add_argument("--from", dest="first", help="first month, YYYY-MM")
        parser.add_argument("--to", dest="last", help="last month, YYYY-MM (default: current)")

    def handle(self, *args, la: str, first: str | None, last: str | None, **options):
        authority = LocalAuthority.objects.filter(code=la).first()
        if authority is None:
            raise CommandError(f"no local authority with code {la!r}")
        today = timezone.localdate()
        last_month = parse_month(last) if last else today.replace(day=1)
        first_month = parse_month(first) if first else add_months(financial_year_start(today), -24)
        if first_month > last_month:
            raise CommandError("--from is after --to")
        if last_month > today.replace(day=1):
            raise CommandError(f"--to {last_month:%Y-%m} is after the current month")
        months = months_between(first_month, last_month)
        command = " ".join(
            ["manage.py recompute_snapshots", f"--la {la}"]
            + ([f"--from {first}"] if first else [])
            + ([f"--to {last}"] if last else [])
        )
        run = recompute_run_start_from_command(
            la=authority, first_month=months[0], last_month=months[-1], command=command
        )
        started = time.monotonic()
        try:
            snapshots = snapshots_recompute(la=authority, months=months, today=today, run=run)
        except RecomputeBusy as exc:
            run.status = RecomputeRun.Status.FAILED
            run.message = str(exc)
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "message", "finished_at"])
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            run.status = RecomputeRun.Status.FAILED
            run.message = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "message", "finished_at"])
            raise
        run.status = RecomputeRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        self.stdout.write(
            f"{authority.code} {authority.name}: {len(snapshots)} months "
            f"{months[0]:%Y-%m}..{months[-1]:%Y-%m} in {time.monotonic() - started:.2f}s"
        )
        for snapshot in snapshots:
            label = " (month to date)" if snapshot.month_to_date else ""
            self.stdout.write(f"  {snapshot.month:%Y-%m} v{snapshot.version}{label}")
        # As after a queued recompute (issue 9): the latest month's draft PDF is rendered
        # now, so its next download is a read from storage.
        scorecard_pdf_queue_latest(la=authority)
