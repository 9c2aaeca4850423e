"""Import batches: create one from files, run it (validate, then write all-or-nothing).

A batch moves pending → validating → writing → done, or stops at rejected (any error:
nothing is written), failed (an unexpected fault: nothing is written) or interrupted (the
process running it stopped: nothing is written; ``imports/batch_runs.py`` holds the claim,
the lease and the queueing that make a run happen once and a dead one visible). Progress is
recorded *outside* the import's transaction so a page polling the batch sees it move: on
PostgreSQL through a second connection while the write transaction is open; on SQLite a
second connection would wait for the writer's lock, so progress inside the write is
reported to the in-process listener only (the demo runs imports eagerly anyway).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from imports.batch_runs import (
    ClaimLost,
    batch_claim,
    batch_heartbeat,
    batch_stopped_mark,
)
from imports.formats import format_get
from imports.formats.base import FormatSpec, ValidationContext, WriteContext
from imports.issue_summary import rules_summarise
from imports.issues import ERROR, IssueLog
from imports.models import FeedStatus, ImportBatch, ImportFile, ImportIssue
from imports.readers import RawSheet, ReadOptions, source_read
from imports.validation import MSG_SAME_TABLE_TWICE, table_recognise, table_validate
from operations.leases import PeriodicRenewal, lease_renew_every
from organisations.models import AuditEvent, LocalAuthority

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
FINAL_STATUSES = frozenset({Status.DONE, Status.REJECTED, Status.FAILED})
#: Nothing is happening to the batch: the pages stop polling (interrupted: until run again).
SETTLED_STATUSES = FINAL_STATUSES | {Status.INTERRUPTED}

MSG_YEAR_REQUIRED = (
    "Which collection year is this? Give --year YYYY (or choose it on the upload form): no "
    "4-digit year was found in the file or folder names."
)
MSG_YEAR_CONFLICT = (
    "The file names mention different years ({years}): give the collection year explicitly."
)
MSG_NO_TABLES = "No {format} table was found in the files."
MSG_UPLOAD_TOO_BIG = (
    "The upload is {total:,} bytes in all, over the limit of {limit:,} bytes for all the files "
    "of one upload together: this file ({size:,} bytes) was not kept."
)
MSG_FILE_DELETED = "The file was deleted on {day:%d/%m/%Y}, as every rejected upload's files are."
MSG_FAILED = "The import failed unexpectedly and nothing was written: {error}"
MSG_DRY_RUN = "Check only: nothing was written."

Listener = Callable[[str, int, int, int], None]  # (status, validated, written, total)


class YearRequired(ValueError):
    """The collection year could not be found: the caller must ask for it."""


class FilesGone(ValueError):
    """A batch's files are no longer stored (deleted after their retention, or never kept)."""


MSG_FILES_GONE = (
    "Batch #{pk}'s files are no longer kept (a rejected upload's files are deleted after "
    "{days} days, and files over the upload limit are never kept): upload them again."
)


@dataclass
class IncomingFile:
    """A file to import: its display name (may include folders) and a way to read it."""

    name: str
    path: Path | None = None
    handle: BinaryIO | None = None


# ---------------------------------------------------------------------------------------
# Collection year


_YEAR_RANGE_RE = re.compile(r"(?<!\d)(20\d{2})[-_](\d{2})(?!\d)")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def collection_year_infer(*, names: Iterable[str]) -> int | None:
    """A collection year from file or folder names: ``SSDA903_2024_episodes.csv`` → 2024.

    ``2023-24`` (and ``2023_24``) name the year ending 31 March 2024, so give 2024. None
    when no name has a year; ``YearRequired`` when names disagree.
    """
    found: set[int] = set()
    for name in names:
        for match in _YEAR_RANGE_RE.finditer(name):
            first, second = int(match.group(1)), int(match.group(2))
            if (first + 1) % 100 == second:
                found.add(first + 1)
                name = name.replace(match.group(0), " ")
        found.update(int(m.group(1)) for m in _YEAR_RE.finditer(name))
    if not found:
        return None
    if len(found) > 1:
        raise YearRequired(MSG_YEAR_CONFLICT.format(years=", ".join(map(str, sorted(found)))))
    return found.pop()


# ---------------------------------------------------------------------------------------
# Creating a batch


def _storage_dir(batch: ImportBatch) -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / f"batch-{batch.pk}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:120] or "file"


def _store(batch: ImportBatch, index: int, incoming: IncomingFile, allowance: int) -> ImportFile:
    """Copy the file into private storage (outside the web root), hashing it on the way.

    ``allowance`` is what is left of the upload limit for all of the batch's files: a file
    that does not fit is hashed and counted but not kept (``_read_and_validate`` says so).
    """
    target = _storage_dir(batch) / f"{index:02d}-{_safe_name(incoming.name)}"
    digest = hashlib.sha256()
    size = 0
    source = incoming.path.open("rb") if incoming.path else incoming.handle
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        with target.open("wb") as out:
            while chunk := source.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                if size <= allowance:
                    out.write(chunk)
    finally:
        if incoming.path:
            source.close()
    if size > allowance:
        target.unlink(missing_ok=True)  # over the limit: keep the facts, not the bytes
        stored = ""
    else:
        stored = str(target)
    return ImportFile.objects.create(
        batch=batch,
        name=incoming.name[:255],
        sha256=digest.hexdigest(),
        size=size,
        stored_path=stored,
    )


def import_batch_create(
    *,
    la: LocalAuthority,
    format_name: str,
    files: list[IncomingFile],
    year: int | None = None,
    as_at: date | None = None,
    dry_run: bool = False,
    created_by=None,
    rerun_of: ImportBatch | None = None,
    client_address: str | None = None,
) -> ImportBatch:
    """A pending batch with its files stored and hashed; audited when a user uploads.

    The collection year is the one given, else one named in the file or folder names;
    ``YearRequired`` when neither exists and the format needs one.
    """
    fmt = format_get(format_name)
    if year is None and fmt.needs_year:
        year = collection_year_infer(names=[f.name for f in files])
        if year is None:
            raise YearRequired(MSG_YEAR_REQUIRED)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            la=la,
            format=fmt.name,
            collection_year=year,
            as_at=as_at,
            dry_run=dry_run,
            created_by=created_by,
            rerun_of=rerun_of,
        )
        # The limit is for the whole upload (#21): three 60 MB files are a 180 MB upload.
        allowance = settings.IMPORT_MAX_UPLOAD_BYTES
        for index, incoming in enumerate(files, start=1):
            stored = _store(batch, index, incoming, allowance)
            allowance = max(allowance - stored.size, 0) if stored.stored_path else 0
        if created_by is not None:
            AuditEvent.objects.create(
                user=created_by,
                la=la,
                action=AuditEvent.Action.IMPORT_UPLOAD,
                object_type="ImportBatch",
                object_id=str(batch.pk),
                detail={
                    "format": fmt.name,
                    "collection_year": year,
                    "dry_run": dry_run,
                    "files": [f.name for f in batch.files.all()],
                    "rerun_of": rerun_of.pk if rerun_of else None,
                },
                client_address=client_address,
            )
    return batch


def import_batch_rerun_dry(*, batch: ImportBatch, created_by=None, client_address=None):
    """A new dry-run batch over the same stored files (the history page's "check again").

    ``FilesGone`` when none of them is stored any more.
    """
    files = [
        IncomingFile(name=f.name, path=Path(f.stored_path))
        for f in batch.files.all()
        if f.stored_path and Path(f.stored_path).exists()
    ]
    if not files:
        raise FilesGone(
            MSG_FILES_GONE.format(pk=batch.pk, days=settings.IMPORT_REJECTED_FILES_KEEP_DAYS)
        )
    return import_batch_create(
        la=batch.la,
        format_name=batch.format,
        files=files,
        year=batch.collection_year,
        as_at=batch.as_at,
        dry_run=True,
        created_by=created_by,
        rerun_of=batch,
        client_address=client_address,
    )


# ---------------------------------------------------------------------------------------
# Progress outside the import transaction


class BatchProgress:
    """Records a batch's status and row counts where other connections can see them.

    Outside the write transaction the ordinary connection is used (autocommit, or the
    caller's own transaction). Inside it, PostgreSQL gets a second connection in
    autocommit; SQLite gets nothing, because a second connection would wait for the
    writer's lock. Writes are throttled except on a status change. The batch row is never
    updated through the main connection inside the write transaction until its very end,
    so the second connection never waits for a row lock held by the first.
    """

    def __init__(
        self,
        batch_id: int,
        listener: Listener | None = None,
        interval: float = 0.25,
        run_token: str = "",
    ):
        self.batch_id = batch_id
        self.run_token = run_token  # when set, only this run's batch row is updated
        self.listener = listener
        self.interval = interval
        self.in_write = False
        self.side_connections_opened = 0
        self._side = None
        self._last_write = 0.0
        self.state: dict = {"status": Status.PENDING, "rows_validated": 0, "rows_written": 0,
                            "rows_total": 0}  # fmt: skip

    def update(self, **fields) -> None:
        force = "status" in fields and fields["status"] != self.state.get("status")
        self.state.update(fields)
        if self.listener:
            self.listener(
                self.state["status"],
                self.state["rows_validated"],
                self.state["rows_written"],
                self.state["rows_total"],
            )
        now = time.monotonic()
        if not force and now - self._last_write < self.interval:
            return
        self._last_write = now
        self._write(dict(self.state) | fields)

    def flush(self) -> None:
        self._write(dict(self.state))

    def _write(self, fields: dict) -> None:
        if not self.in_write:
            mine = {"run_token": self.run_token} if self.run_token else {}
            ImportBatch.objects.filter(pk=self.batch_id, **mine).update(**fields)
            return
        if connection.vendor == "sqlite":
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            self.side_connections_opened += 1
        columns = sorted(fields)
        assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportBatch._meta.db_table} SET {assignments}"
                " WHERE id = %s AND (run_token = %s OR %s = '')",
                [*(fields[c] for c in columns), self.batch_id, self.run_token, self.run_token],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# ---------------------------------------------------------------------------------------
# Running a batch


@dataclass
class _Validated:
    tables: dict  # table → typed frame
    files: dict[str, str]  # table → file display name
    present: dict[str, set[str]]  # table → columns the file carried
    by_upload: dict[str, list[str]]  # upload name → "member › Table" descriptions
    unknown: dict  # table → which cells were stored as unknown (``ValidationContext``)


def read_options(fmt: FormatSpec) -> ReadOptions:
    """The reading limits of the settings, and what the format makes of XML and documents."""
    return ReadOptions(
        max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
        max_columns=settings.IMPORT_MAX_COLUMNS,
        max_line_bytes=settings.IMPORT_MAX_LINE_BYTES,
        xml_refusal=fmt.xml_refusal,
        xml_reader=fmt.xml_reader,
        is_table=lambda sheet: table_recognise(sheet, fmt, IssueLog(limit=0)) is not None,
    )


def _read_and_validate(
    batch: ImportBatch, fmt: FormatSpec, log: IssueLog, progress: BatchProgress
) -> _Validated:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    options = read_options(fmt)
    stored_files = list(batch.files.all())
    upload_total = sum(f.size for f in stored_files)
    sheets: list[RawSheet] = []
    for stored in stored_files:
        if not stored.stored_path:
            message = (
                MSG_FILE_DELETED.format(day=timezone.localtime(stored.deleted_at))
                if stored.deleted_at
                else MSG_UPLOAD_TOO_BIG.format(total=upload_total, limit=limit, size=stored.size)
            )
            log.add(ERROR, "unreadable_file", message, file_name=stored.name)
            continue
        data = Path(stored.stored_path).read_bytes()
        sheets.extend(source_read(name=stored.name, data=data, log=log, options=options))
        del data
    total = sum(s.frame.height for s in sheets)
    progress.update(rows_total=total)
    validated = _Validated(tables={}, files={}, present={}, by_upload={}, unknown={})
    today = timezone.localdate()
    done = 0
    for sheet in sheets:
        spec = table_recognise(sheet, fmt, log)
        if spec is not None:
            validated.by_upload.setdefault(sheet.upload_name, []).append(
                f"{sheet.file_name.removeprefix(sheet.upload_name).lstrip(' ›') or ''}"
                f"{' → ' if sheet.file_name != sheet.upload_name else ''}{spec.name}"
            )
            if spec.name in validated.tables:
                log.add(
                    ERROR,
                    "same_table_twice",
                    MSG_SAME_TABLE_TWICE.format(
                        table=spec.name, first=validated.files[spec.name], second=sheet.file_name
                    ),
                    file_name=sheet.file_name,
                    table=spec.name,
                )
            else:
                typed = table_validate(
                    sheet=sheet,
                    spec=spec,
                    year=batch.collection_year,
                    log=log,
                    today=today,
                    unknown=validated.unknown,
                )
                if typed is not None:
                    validated.tables[spec.name] = typed
                    validated.files[spec.name] = sheet.file_name
                    validated.present[spec.name] = set(sheet.headers)
        done += sheet.frame.height
        progress.update(rows_validated=done)
    if validated.tables:
        ctx = ValidationContext(
            la=batch.la,
            year=batch.collection_year,
            today=today,
            tables=validated.tables,
            files=validated.files,
            log=log,
            unknown=validated.unknown,
        )
        for validator in fmt.validators:
            validator(ctx)
    elif not log.error_count:
        log.add(ERROR, "no_tables", MSG_NO_TABLES.format(format=fmt.label))
    _locations_apply(log, sheets)
    return validated


def _locations_apply(log: IssueLog, sheets: list[RawSheet]) -> None:
    """Name where each kept issue is, for sheets whose rows are not lines (an XML return).

    Such a sheet carries ``extra["locate"]``: (row, column) → (element path, line), e.g.
    ``CHILD A1001 / EPISODE 2 / DECOM`` on line 14.
    """
    locators = {s.file_name: s.extra["locate"] for s in sheets if "locate" in s.extra}
    if not locators:
        return
    for issue in log.kept:
        locate = locators.get(issue.file_name)
        if locate is not None and issue.row_number is not None:
            issue.location, issue.row_number = locate(issue.row_number, issue.column)


def _issues_save(batch: ImportBatch, log: IssueLog) -> None:
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                batch=batch,
                severity=issue.severity,
                kind=issue.kind,
                rule_code=issue.rule_code[:20],
                file_name=issue.file_name[:255],
                table=issue.table[:50],
                row_number=issue.row_number,
                column=issue.column[:100],
                value=issue.value[:255],
                location=issue.location[:255],
                message=issue.message,
                indicators=list(issue.indicators),
            )
            for issue in log.kept
        ],
        batch_size=500,
    )


def _summary(log: IssueLog) -> dict:
    return {
        "by_kind": {f"{severity}:{kind}": n for (severity, kind), n in log.by_kind.items()},
        "by_rule": rules_summarise(log=log),
        "warnings_by_indicator": dict(sorted(log.by_indicator.items())),
        "kept": sum(log.kept_counts.values()),
    }


def _feeds_record(batch: ImportBatch, tables: Iterable[str]) -> None:
    """The as-at date of each table this batch wrote (``FeedStatus``), never moving backwards."""
    as_at = batch.as_at
    if as_at is None and batch.collection_year:
        as_at = min(date(batch.collection_year, 3, 31), timezone.localdate())
    as_at = as_at or timezone.localdate()
    now = timezone.now()
    for table in tables:
        feed = f"{batch.format}:{table}"
        current = FeedStatus.objects.filter(la=batch.la, feed=feed).first()
        if current is None:
            FeedStatus.objects.create(la=batch.la, feed=feed, as_at=as_at, imported_at=now,
                                      batch=batch)  # fmt: skip
        elif current.as_at <= as_at:
            current.as_at, current.imported_at, current.batch = as_at, now, batch
            current.save(update_fields=["as_at", "imported_at", "batch"])


def recompute_request(*, batch_id: int) -> None:
    """For an import about to commit: ask for snapshots from the earliest changed date.

    Uses the indicator engine's ``snapshots_request_recompute`` when it exists; until then
    only records on the batch that a recompute is due.
    """
    batch = ImportBatch.objects.select_related("la").get(pk=batch_id)
    try:
        from scorecards.services import snapshots_request_recompute
    except ImportError:
        snapshots_request_recompute = None
    if snapshots_request_recompute is None:
        ImportBatch.objects.filter(pk=batch_id).update(recompute_due=True)
        return
    snapshots_request_recompute(la=batch.la, from_date=batch.earliest_changed_date, batch=batch)


def import_batch_run(*, batch_id: int, listener: Listener | None = None) -> ImportBatch:
    """Validate every row, then write all-or-nothing; returns the batch as it then stands.

    Idempotent for the task queue: a batch already finished is returned untouched, one
    another live process is running raises ``BatchBusy`` (``batch_claim``). While it runs,
    a background thread renews the batch's lease; stopped by Ctrl-C or a shutdown, the
    batch is marked interrupted before the process goes.
    """
    batch = ImportBatch.objects.select_related("la").get(pk=batch_id)
    if batch.status in FINAL_STATUSES:
        return batch
    token = batch_claim(batch_id=batch.pk)
    if token is None:
        return ImportBatch.objects.get(pk=batch.pk)
    renewal = PeriodicRenewal(
        name=f"import batch {batch.pk}",
        every=lease_renew_every(),
        renew=lambda: batch_heartbeat(batch_id=batch.pk, token=token),
    )
    try:
        with renewal:
            return _import_batch_run_claimed(batch, token, listener)
    except BaseException:
        try:
            batch_stopped_mark(batch_id=batch.pk, token=token)
        except Exception:  # noqa: BLE001 - the lease lapses and the sweep marks it instead
            logger.warning("import batch %s: not marked interrupted", batch.pk, exc_info=True)
        raise


def _import_batch_run_claimed(
    batch: ImportBatch, token: str, listener: Listener | None
) -> ImportBatch:
    fmt = format_get(batch.format)
    progress = BatchProgress(batch.pk, listener, run_token=token)
    progress.update(status=Status.VALIDATING, rows_validated=0, rows_written=0)
    log = IssueLog(limit=settings.IMPORT_MAX_ISSUES_REPORTED)
    clock = time.perf_counter()
    try:
        validated = _read_and_validate(batch, fmt, log, progress)
        validate_seconds = round(time.perf_counter() - clock, 3)
        for stored in batch.files.all():
            stored.tables = validated.by_upload.get(stored.name, [])
            stored.save(update_fields=["tables"])
        batch.issues.all().delete()  # an interrupted earlier run may have saved them already
        _issues_save(batch, log)
        counts_read = {t: {"read": f.height} for t, f in validated.tables.items()}
        base = {
            "error_count": log.error_count,
            "warning_count": log.warning_count,
            "issue_summary": _summary(log) | {"timings": {"read_validate": validate_seconds}},
            "rows_validated": progress.state["rows_total"],
        }
        if log.error_count:
            ImportBatch.objects.filter(pk=batch.pk, run_token=token).update(
                **base, status=Status.REJECTED, counts=counts_read, finished_at=timezone.now(),
                message=f"Rejected: {log.error_count} error(s); nothing was written.",
            )  # fmt: skip
            progress.update(status=Status.REJECTED)
            return ImportBatch.objects.get(pk=batch.pk)
        progress.update(status=Status.WRITING, **{k: v for k, v in base.items()
                                                  if k != "issue_summary"})  # fmt: skip
        ImportBatch.objects.filter(pk=batch.pk, run_token=token).update(
            issue_summary=base["issue_summary"]
        )
        _write(batch, fmt, validated, progress, base["issue_summary"], log, token)
    except ClaimLost:
        logger.warning(
            "import batch %s: taken over by another run; this run wrote nothing", batch.pk
        )
    except Exception as exc:  # noqa: BLE001 - any fault must leave a failed batch, not a hang
        logger.exception("import batch %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk, run_token=token).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=MSG_FAILED.format(error=f"{type(exc).__name__}: {exc}")[:2000],
        )
        progress.state["status"] = Status.FAILED
    finally:
        progress.close()
    return ImportBatch.objects.get(pk=batch.pk)


def _write(
    batch: ImportBatch,
    fmt: FormatSpec,
    validated: _Validated,
    progress,
    summary: dict,
    log: IssueLog,
    token: str,
) -> None:
    written = 0
    clock = time.perf_counter()

    def advance(rows: int) -> None:
        nonlocal written
        written += rows
        progress.update(rows_written=written)

    ctx = WriteContext(
        la=batch.la,
        year=batch.collection_year,
        as_at=batch.as_at,
        tables=validated.tables,
        batch_id=batch.pk,
        dry_run=batch.dry_run,
        progress=advance,
        columns_present=validated.present,
        issues=log,
    )
    progress.in_write = True
    try:
        with transaction.atomic():
            result = fmt.writer(ctx)
            finished = timezone.now()
            summary["timings"].update(result.timings, write=round(time.perf_counter() - clock, 3))
            # The writer may have counted issues of its own (the 903's location warnings).
            summary.update(_summary(log))
            final = {
                "issue_summary": summary,
                "warning_count": log.warning_count,
                "status": Status.DONE,
                "counts": result.counts,
                "rows_written": written if not batch.dry_run else 0,
                "finished_at": finished,
                "earliest_changed_date": result.earliest_changed_date,
            }
            if batch.dry_run:
                transaction.set_rollback(True)
            else:
                _feeds_record(batch, result.counts)
                final["message"] = (
                    "Imported." if result.changed else "Nothing changed: every row was unchanged."
                )
                # The last write to the batch row in this transaction: nothing after it
                # goes through the side connection, so no lock wait.
                progress.in_write = False
                progress.close()
                # Fenced: a run that lost its claim (presumed dead, yet alive) rolls back.
                if not ImportBatch.objects.filter(pk=batch.pk, run_token=token).update(**final):
                    raise ClaimLost(batch.pk)
                if result.changed:
                    # Inside the transaction: the engine queues its task on commit, so a
                    # rolled-back import never triggers a recompute.
                    recompute_request(batch_id=batch.pk)
    finally:
        progress.in_write = False
        progress.close()
    if batch.dry_run:
        for keep in ctx.after_rollback:  # the issues the writer found, rolled back with it
            keep()
        final["message"] = MSG_DRY_RUN
        final["earliest_changed_date"] = None
        if not ImportBatch.objects.filter(pk=batch.pk, run_token=token).update(**final):
            raise ClaimLost(batch.pk)
    progress.state.update(status=Status.DONE, rows_written=final["rows_written"])
    if progress.listener:
        progress.listener(Status.DONE, progress.state["rows_validated"], final["rows_written"],
                          progress.state["rows_total"])  # fmt: skip
