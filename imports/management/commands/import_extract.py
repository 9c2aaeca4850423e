"""``manage.py import_extract --la 873 --format ssda903 [--year YYYY] [--dry-run] PATH...``

Loads an authority's extract files (or every file in the folders given) as one batch. It
runs the same service as the upload page's Celery task, in this process, so that a
terminal gets a progress bar and the exit status says whether the batch was accepted:
0 done, 1 rejected, failed or interrupted.

Stopped by Ctrl-C or SIGTERM (a shutdown, ``timeout``), the batch is marked interrupted at
once; killed outright (SIGKILL, the machine going down), its lease lapses and the lost-work
sweep marks it interrupted within ``WORK_LEASE_SECONDS`` plus a sweep interval. Either way
nothing was written, and an admin can run it again from the batch page.
"""

from __future__ import annotations

import signal
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from imports.formats import formats_available
from imports.models import ImportBatch
from imports.services import IncomingFile, YearRequired, import_batch_create, import_batch_run
from organisations.reference import UnknownLocalAuthority, authority_get

ISSUES_SHOWN = 20


def _terminate_as_interrupt(signum, frame) -> None:
    """SIGTERM stops the import as Ctrl-C does, so the batch is marked interrupted."""
    raise KeyboardInterrupt


def _incoming(paths: list[str]) -> list[IncomingFile]:
    files: list[IncomingFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and not child.name.startswith((".", "~$")):
                    files.append(IncomingFile(name=f"{path.name}/{child.name}", path=child))
        elif path.is_file():
            folder = path.resolve().parent.name
            files.append(IncomingFile(name=f"{folder}/{path.name}", path=path))
        else:
            raise CommandError(f"No such file or folder: {raw}")
    if not files:
        raise CommandError("No files to import.")
    return files


class Command(BaseCommand):
    help = "Import extract files (CSV, XLSX, a 903 XML return or a zip) as one batch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="Files or folders")
        parser.add_argument("--la", required=True, help="DfE 3-digit LA code, e.g. 873")
        parser.add_argument("--format", required=True, choices=sorted(formats_available()))
        parser.add_argument("--year", type=int, help="Collection year ending 31 March YYYY")
        parser.add_argument("--as-at", type=date.fromisoformat, help="Extract date YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="Check only: write nothing")

    def handle(self, *args, **options) -> None:
        try:
            la = authority_get(options["la"])
        except UnknownLocalAuthority as exc:
            raise CommandError(str(exc)) from exc
        files = _incoming(options["paths"])
        try:
            batch = import_batch_create(
                la=la,
                format_name=options["format"],
                files=files,
                year=options["year"],
                as_at=options["as_at"],
                dry_run=options["dry_run"],
            )
        except YearRequired as exc:
            raise CommandError(str(exc)) from exc

        interactive = sys.stdout.isatty()
        bar = tqdm(total=0, unit=" rows", disable=not interactive, file=sys.stdout)

        def listener(status: str, validated: int, written: int, total: int) -> None:
            bar.total = total * 2
            bar.set_description(status)
            bar.n = validated + written
            bar.refresh()

        previous = signal.signal(signal.SIGTERM, _terminate_as_interrupt)
        try:
            batch = import_batch_run(batch_id=batch.pk, listener=listener)
        except KeyboardInterrupt:
            bar.close()
            raise CommandError(
                f"Batch #{batch.pk} interrupted: nothing was written. Run it again from the "
                "batch page, or run this command again."
            ) from None
        finally:
            bar.close()
            signal.signal(signal.SIGTERM, previous)
        self._summary(batch)
        if batch.status != ImportBatch.Status.DONE:
            raise CommandError(f"Batch #{batch.pk} {batch.status}: {batch.message}")

    def _summary(self, batch: ImportBatch) -> None:
        out = self.stdout
        duration = batch.duration_seconds
        out.write(
            f"Batch #{batch.pk}: {batch.get_status_display().upper()} — {batch.la} "
            f"{batch.format} {batch.collection_year or ''}"
            + (" (dry run)" if batch.dry_run else "")
            + (f" in {duration:.1f}s" if duration is not None else "")
        )
        if batch.message:
            out.write(batch.message)
        if batch.counts:
            out.write(f"{'table':<16}{'read':>9}{'inserted':>10}{'updated':>9}"
                      f"{'unchanged':>11}{'removed':>9}")  # fmt: skip
            for table, c in batch.counts.items():
                out.write(
                    f"{table:<16}{c.get('read', 0):>9}{c.get('inserted', 0):>10}"
                    f"{c.get('updated', 0):>9}{c.get('unchanged', 0):>11}{c.get('removed', 0):>9}"
                )
        out.write(f"{batch.error_count} error(s), {batch.warning_count} warning(s)")
        for issue in batch.issues.order_by("severity", "id")[:ISSUES_SHOWN]:
            if issue.location:  # an XML return: the element, then its line
                line = f" (line {issue.row_number})" if issue.row_number else ""
                where = f"{issue.file_name}: {issue.location}{line}"
            else:
                parts = (issue.file_name, issue.row_number, issue.column)
                where = ":".join(str(p) for p in parts if p)
            rule = f" [DfE {issue.rule_code}]" if issue.rule_code else ""
            out.write(f"  {issue.severity.upper()} {where}: {issue.message}{rule}")
        hidden = batch.error_count + batch.warning_count - min(ISSUES_SHOWN, batch.issues.count())
        if hidden > 0:
            out.write(f"  … and {hidden} more (see the batch page)")
