"""``manage.py render_scorecard --la 873 --month 2024-02 -o scorecard.pdf [--draft]``.

The same PDF the download gives: the month's published scorecard if it has one, else
(or with ``--draft``) the draft of its current figures, taken from storage or rendered
and stored now. No access event: the command runs as the service, not as a reader.
"""

from __future__ import annotations

import shutil
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from organisations.models import LocalAuthority
from scorecards import pdf
from scorecards.management.commands.recompute_snapshots import parse_month
from scorecards.publication import PDF_DRAFT, PDF_PUBLISHED, scorecard_pdf_choose


class Command(BaseCommand):
    help = (
        "Write an authority's monthly scorecard PDF: the published one if the month is "
        "published, else a draft of the current figures (rendered and stored if needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 873")
        parser.add_argument("--month", required=True, help="reporting month, YYYY-MM")
        parser.add_argument(
            "-o", "--output", required=True, help="file to write, or - for standard output"
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="the draft of the current figures even when the month is published",
        )

    def handle(self, *args, la: str, month: str, output: str, draft: bool, **options):
        authority = LocalAuthority.objects.filter(code=la).first()
        if authority is None:
            raise CommandError(f"no local authority with code {la!r}")
        first_day = parse_month(month)
        started = time.perf_counter()
        choice = scorecard_pdf_choose(
            la=authority,
            month=first_day,
            kind=PDF_DRAFT if draft else PDF_PUBLISHED,
            wait_seconds=pdf.RENDER_LOCK_SECONDS,  # a render elsewhere: wait for its file
        )
        if choice is None:
            raise CommandError(f"{authority.code} has no figures for {first_day:%Y-%m}")
        source = pdf.pdf_file_path(relative=choice.rendered.path)
        if output == "-":
            with open(source, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
            return
        shutil.copyfile(source, output)
        rendered = choice.rendered
        self.stderr.write(
            f"{authority.code} {first_day:%Y-%m} {choice.kind} scorecard "
            f"(figures version {rendered.snapshot.version}, {rendered.pages} pages, "
            f"{rendered.size:,} bytes, sha256 {rendered.sha256[:12]}) written to {output} "
            f"in {time.perf_counter() - started:.2f}s"
        )
