"""``manage.py send_weekly_digest [--la 873] [--today YYYY-MM-DD]``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from organisations.models import LocalAuthority
from reviews.services import worklist_digests_send


class Command(BaseCommand):
    help = (
        "E-mail every team manager their team's worklist counts and a link (no child names); "
        "what Celery beat runs every week (WORKLIST_DIGEST_CRON)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", help="Only this authority's teams (DfE code, e.g. 873).")
        parser.add_argument("--today", help="Count as of this day (YYYY-MM-DD), default today.")

    def handle(self, *args, la: str | None = None, today: str | None = None, **options):
        if la and not LocalAuthority.objects.filter(code=la).exists():
            raise CommandError(f"no local authority with code {la!r}")
        day = None
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        sent = worklist_digests_send(today=day, la_code=la)
        self.stdout.write(
            self.style.SUCCESS(f"Sent {sent} digest e-mail{'s' if sent != 1 else ''}.")
        )
