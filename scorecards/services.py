"""Writes: recompute snapshots, queue and coalesce recomputes, the per-authority lock.

``snapshots_recompute`` is the engine's entry point for everyone (importer, demo data,
command, Celery task). It reads each table of the authority once, builds the timelines,
computes every implemented indicator for every requested month, and writes each month as
a new snapshot version in its own transaction; the previous version stays current until
the new one is complete, so a reader never sees a half-written month and a recompute
killed half-way leaves every unfinished month as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, ProtectedError, Q, RestrictedError
from django.utils import timezone

from operations.leases import PeriodicRenewal, lease_renew_every
from operations.queueing import task_send
from organisations.models import LocalAuthority
from scorecards.engine import LAData, MonthContext, gc_paused, la_data_load
from scorecards.indicators import INDICATORS
from scorecards.models import RecomputeLock, RecomputeRun, Snapshot, SnapshotCell
from scorecards.periods import ReportingDates, add_months, month_first, months_between

logger = logging.getLogger(__name__)

#: How long a command or the demo waits for a running recompute of the same authority.
LOCK_WAIT_SECONDS = 15 * 60

MSG_RUN_INTERRUPTED = (
    "Interrupted after {done} of {total} months: the process running it stopped. The months "
    "it wrote stand."
)
MSG_RUN_RESUMED = " The rest are recomputed by recompute #{pk}."
MSG_RUN_NOT_RESUMED = (
    " It was started {attempt} times and interrupted each time, so it is not resumed by "
    "itself: recompute from the import history page."
)
MSG_QUEUE_UNAVAILABLE = (
    "Waiting: the task queue was unavailable, so the recompute starts by itself once it is "
    "back (checked every {minutes} minutes)."
)
MSG_LEASE_LOST = (
    "Stopped: its lock lapsed (the process stalled for over {seconds} seconds) and another "
    "recompute took over."
)
#: Snapshot versions kept per month besides the current one (published ones are kept).
VERSIONS_KEPT = 2

MonthCells = dict[str, dict[str, dict[str, Any]]]


class RecomputeBusy(Exception):
    """Another recompute of the same authority holds the lock."""


class RecomputeLeaseLost(Exception):
    """This recompute's lock lapsed and was taken by another: it must stop writing."""


def lock_ttl() -> timedelta:
    """The lock's lease (``WORK_LEASE_SECONDS``): renewed from a thread while held, so only
    a dead (or stalled) holder lets it lapse, and the next recompute need not wait long."""
    return timedelta(seconds=settings.WORK_LEASE_SECONDS)


# --- computing ---------------------------------------------------------------------------


@gc_paused()
def snapshot_cells_compute(*, data: LAData, dates: ReportingDates) -> MonthCells:
    """Every implemented indicator × period for one month, from in-memory data (pure).

    Indicators not implemented yet get no cell at all: readers show "no data" rather
    than a misleading 0.
    """
    ctx = MonthContext(data, dates)
    out: MonthCells = {}
    for indicator in INDICATORS.values():
        if indicator.compute is None:
            continue
        cells = indicator.compute(ctx)
        if set(cells) != set(indicator.periods):
            raise ValueError(
                f"{indicator.id} computed periods {sorted(cells)}, catalogue says "
                f"{sorted(indicator.periods)}"
            )
        out[indicator.id] = {p: cells[p] for p in indicator.periods}
    return out


def window_floor(months: list[date]) -> date | None:
    """The earliest day any period of these months looks at (``indicators.md`` §1 windows).

    The longest look-back is ``rolling12`` (E − 12 months, E ≥ the first month's first
    day); ``ytd`` and ``quarter`` start later. A day's margin keeps the boundary inclusive.
    """
    if not months:
        return None
    return add_months(min(months), -12) - timedelta(days=1)


def cells_fingerprint(cells: MonthCells) -> str:
    """A stable hash of a month's cells: equal figures give an equal fingerprint."""
    blob = json.dumps(cells, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _months_normalise(months: list[date], today: date) -> list[date]:
    out = sorted({month_first(m) for m in months})
    for m in out:
        if m > month_first(today):
            raise ValueError(f"cannot compute {m:%Y-%m}: it is after the current month")
    return out


# --- writing -----------------------------------------------------------------------------


def _snapshot_cells_create(rows: list[SnapshotCell]) -> None:
    """Insert a snapshot's cells (one statement per 500 rows)."""
    SnapshotCell.objects.bulk_create(rows, batch_size=500)


def snapshot_write(
    *,
    la: LocalAuthority,
    dates: ReportingDates,
    cells: MonthCells,
    batch_ids: list[int],
    computed_at: datetime,
) -> tuple[Snapshot, bool]:
    """Write one month as a new current version, atomically; (snapshot, written?).

    When the current version already holds identical figures, as-of date and batches,
    nothing is written: recomputing twice leaves one identical snapshot.
    """
    fingerprint = cells_fingerprint(cells)
    with transaction.atomic():
        current = (
            Snapshot.objects.select_for_update()
            .filter(la=la, month=dates.month, is_current=True)
            .first()
        )
        if (
            current is not None
            and current.fingerprint == fingerprint
            and current.as_of == dates.as_of
            and current.month_to_date == dates.month_to_date
            and list(current.batch_ids) == list(batch_ids)
        ):
            return current, False
        last = Snapshot.objects.filter(la=la, month=dates.month).aggregate(v=Max("version"))["v"]
        snapshot = Snapshot.objects.create(
            la=la,
            month=dates.month,
            version=(last or 0) + 1,
            is_current=False,
            as_of=dates.as_of,
            month_to_date=dates.month_to_date,
            computed_at=computed_at,
            batch_ids=list(batch_ids),
            fingerprint=fingerprint,
        )
        _snapshot_cells_create(
            [
                SnapshotCell(snapshot=snapshot, indicator=ind, period=period, data=data)
                for ind, periods in cells.items()
                for period, data in periods.items()
            ]
        )
        # Flip: the old version stops being current in the same transaction as the new
        # one starts (the partial unique index allows one current version per month).
        Snapshot.objects.filter(la=la, month=dates.month, is_current=True).update(is_current=False)
        Snapshot.objects.filter(pk=snapshot.pk).update(is_current=True)
        snapshot.is_current = True
    return snapshot, True


def snapshots_prune(*, la: LocalAuthority, months: list[date], keep: int = VERSIONS_KEPT) -> int:
    """Delete old non-current versions beyond the newest ``keep``; protected ones stay.

    A version referenced by a published scorecard is protected by its foreign key and is
    kept for ever (``indicators.md`` §1 "Snapshot versions").
    """
    deleted = 0
    for month in months:
        old = Snapshot.objects.filter(la=la, month=month, is_current=False).order_by("-version")
        for snapshot in old[keep:]:
            try:
                with transaction.atomic():
                    snapshot.delete()
                deleted += 1
            except (ProtectedError, RestrictedError):
                continue
    return deleted


# --- the lock ----------------------------------------------------------------------------


def recompute_lock_acquire(
    *, la: LocalAuthority, wait_seconds: float = 0, ttl: timedelta | None = None
) -> str | None:
    """Take the authority's recompute lease; its token, or ``None`` if still busy after waiting."""
    ttl = ttl or lock_ttl()
    RecomputeLock.objects.get_or_create(la=la)
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait_seconds
    while True:
        now = timezone.now()
        taken = (
            RecomputeLock.objects.filter(la=la)
            .filter(Q(token="") | Q(expires_at__lt=now))
            .update(token=token, expires_at=now + ttl)
        )
        if taken:
            return token
        if time.monotonic() >= deadline:
            return None
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))


def recompute_lock_renew(*, la: LocalAuthority, token: str, ttl: timedelta | None = None) -> bool:
    """Extend the lease; ``False`` once it is not ours (it lapsed and was taken)."""
    expires_at = timezone.now() + (ttl or lock_ttl())
    return bool(RecomputeLock.objects.filter(la=la, token=token).update(expires_at=expires_at))


def recompute_lock_release(*, la: LocalAuthority, token: str) -> None:
    RecomputeLock.objects.filter(la=la, token=token).update(token="", expires_at=None)


def recompute_lock_kept(*, la: LocalAuthority, token: str) -> PeriodicRenewal:
    """A background renewal of the lease while the holder works (see ``operations.leases``)."""
    return PeriodicRenewal(
        name=f"recompute lock {la.code}",
        every=lease_renew_every(),
        renew=lambda: recompute_lock_renew(la=la, token=token),
    )


@contextmanager
def recompute_lock(*, la: LocalAuthority, wait_seconds: float = 0) -> Iterator[str]:
    token = recompute_lock_acquire(la=la, wait_seconds=wait_seconds)
    if token is None:
        raise RecomputeBusy(f"a recompute of {la.code} is already running")
    try:
        with recompute_lock_kept(la=la, token=token):
            yield token
    finally:
        recompute_lock_release(la=la, token=token)


def recompute_runs_interrupted_mark(
    *, la: LocalAuthority, token: str, now: datetime | None = None
) -> list[RecomputeRun]:
    """Mark the authority's runs whose process died as interrupted, and queue the rest of
    their months (up to ``TASK_MAX_ATTEMPTS`` starts); the runs marked.

    Call it holding the lock (``token``): then no other recompute is running, so every
    ``running`` run held under another token is dead. A run with no holder is a command's,
    still waiting for the lock, unless it has waited longer than any command would.
    """
    now = now or timezone.now()
    waited_too_long = now - timedelta(seconds=LOCK_WAIT_SECONDS) - lock_ttl()
    dead = list(
        RecomputeRun.objects.filter(la=la, status=RecomputeRun.Status.RUNNING)
        .exclude(holder=token)
        .filter(~Q(holder="") | Q(started_at__isnull=True) | Q(started_at__lt=waited_too_long))
        .order_by("id")
    )
    if not dead:
        return []
    resumable = [r for r in dead if r.attempt < settings.TASK_MAX_ATTEMPTS]
    resumed = None
    if resumable:
        rest = min(add_months(r.first_month, r.months_done) for r in resumable)
        resumed = recompute_run_queue(
            la=la, from_date=rest, attempt=max(r.attempt for r in resumable) + 1
        )
    for run in dead:
        message = MSG_RUN_INTERRUPTED.format(done=run.months_done, total=run.months_total)
        if run in resumable:
            message += MSG_RUN_RESUMED.format(pk=resumed.pk)
        else:
            message += MSG_RUN_NOT_RESUMED.format(attempt=run.attempt)
        RecomputeRun.objects.filter(pk=run.pk, status=RecomputeRun.Status.RUNNING).update(
            status=RecomputeRun.Status.INTERRUPTED, finished_at=now, message=message
        )
    return dead


# --- recompute ---------------------------------------------------------------------------


def _recompute_locked(
    *,
    la: LocalAuthority,
    months: list[date],
    today: date,
    token: str,
    on_month: Callable[[int, int], None] | None = None,
) -> list[Snapshot]:
    started = time.monotonic()
    data = la_data_load(la=la)
    data.window_floor = window_floor(months)
    snapshots: list[Snapshot] = []
    for i, month in enumerate(months, start=1):
        dates = ReportingDates.for_month(month, today=today)
        cells = snapshot_cells_compute(data=data, dates=dates)
        snapshot, _ = snapshot_write(
            la=la, dates=dates, cells=cells, batch_ids=data.batch_ids, computed_at=timezone.now()
        )
        snapshots.append(snapshot)
        if not recompute_lock_renew(la=la, token=token):
            raise RecomputeLeaseLost(la.code)
        if on_month is not None:
            on_month(i, len(months))
    snapshots_prune(la=la, months=months)
    logger.info(
        "recomputed %s: %d months, %d children in %.2fs",
        la.code,
        len(months),
        len(data.children),
        time.monotonic() - started,
    )
    return snapshots


def snapshots_recompute(
    *,
    la: LocalAuthority,
    months: list[date],
    today: date | None = None,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    run: RecomputeRun | None = None,
) -> list[Snapshot]:
    """Recompute the snapshots of ``months`` (first days) for one authority.

    Waits for a recompute of the same authority already running (up to
    ``wait_seconds``, then ``RecomputeBusy``). The current month is computed as of
    ``today`` ("month to date"); later months are refused. Progress goes to ``run``.
    """
    today = today or timezone.localdate()
    months = _months_normalise(months, today)
    with recompute_lock(la=la, wait_seconds=wait_seconds) as token:
        if run is not None:
            RecomputeRun.objects.filter(pk=run.pk).update(holder=token)
        return _recompute_locked(
            la=la,
            months=months,
            today=today,
            token=token,
            on_month=_progress_writer(run, len(months)) if run else None,
        )


def _progress_writer(run: RecomputeRun, total: int) -> Callable[[int, int], None]:
    run.months_total = total
    run.months_done = 0
    run.save(update_fields=["months_total", "months_done"])

    def write(done: int, _total: int) -> None:
        RecomputeRun.objects.filter(pk=run.pk).update(months_done=done)
        run.months_done = done

    return write


# --- queueing and coalescing -------------------------------------------------------------


def recompute_floor(*, la: LocalAuthority) -> date | None:
    """The earliest month worth computing: 1 April of the earliest 903 collection year held.

    Reading: a 903 file repeats every episode open at its start, so episodes dated years
    before the first return imported are present, but the children who left care before
    it are not; figures for those earlier months would be wrong, so recomputes triggered
    by an import start no earlier than this. ``None`` when no collection year is known.
    """
    from children.models import Episode

    first_year = (
        Episode.objects.filter(la=la, collection_year__isnull=False)
        .order_by("collection_year")
        .values_list("collection_year", flat=True)
        .first()
    )
    return date(first_year - 1, 4, 1) if first_year else None


def recompute_run_queue(
    *,
    la: LocalAuthority,
    from_date: date,
    batch=None,
    today: date | None = None,
    attempt: int = 1,
) -> RecomputeRun:
    """Record that ``la`` needs months from ``from_date`` recomputed, merging with a queued run.

    Requests for the same authority coalesce: while a run is queued (not yet started),
    a new request only moves its first month earlier and takes the newer batch.
    ``attempt`` above 1 resumes interrupted runs (``recompute_runs_interrupted_mark``).
    """
    today = today or timezone.localdate()
    first = min(month_first(from_date), month_first(today))
    floor = recompute_floor(la=la)
    if floor is not None and first < floor:
        first = min(floor, month_first(today))
    with transaction.atomic():
        queued = (
            RecomputeRun.objects.select_for_update()
            .filter(la=la, status=RecomputeRun.Status.QUEUED)
            .order_by("-id")
            .first()
        )
        if queued is not None:
            queued.first_month = min(queued.first_month, first)
            queued.last_month = month_first(today)
            if batch is not None:
                queued.batch = batch
            queued.attempt = max(queued.attempt, attempt)
            queued.save(update_fields=["first_month", "last_month", "batch", "attempt"])
            return queued
        return RecomputeRun.objects.create(
            la=la,
            first_month=first,
            last_month=month_first(today),
            status=RecomputeRun.Status.QUEUED,
            batch=batch,
            attempt=attempt,
        )


def snapshots_request_recompute(
    *, la: LocalAuthority, from_date: date | None, batch=None, today: date | None = None
) -> RecomputeRun:
    """Queue a recompute from ``from_date`` to the current month, sent to Celery on commit.

    The importer calls this inside its transaction: the task is only sent once the
    import has committed, and never if it rolls back. Without a date (nothing dated
    changed) only the current month is recomputed.
    """
    today = today or timezone.localdate()
    run = recompute_run_queue(la=la, from_date=from_date or today, batch=batch, today=today)
    transaction.on_commit(lambda: recompute_run_send(run=run))
    return run


def recompute_run_send(*, run: RecomputeRun) -> bool:
    """Send a queued run's task; with the broker down the run stays queued, saying so, and
    the lost-work sweep sends it later (an import that triggered it has committed: no
    error for it)."""
    from scorecards.tasks import recompute_snapshots_task

    sent = task_send(
        recompute_snapshots_task,
        run.la_id,
        run.first_month.isoformat(),
        run.batch_id,
        run_id=run.pk,
    )
    if not sent:
        RecomputeRun.objects.filter(pk=run.pk, status=RecomputeRun.Status.QUEUED).update(
            message=MSG_QUEUE_UNAVAILABLE.format(minutes=settings.LOST_WORK_SWEEP_MINUTES)
        )
    return sent


def snapshots_run_pending(
    *, la: LocalAuthority, today: date | None = None, wait_seconds: float = 0
) -> str:
    """Run every outstanding recompute request of an authority as one run.

    Returns ``"busy"`` when another recompute holds the lock (the task retries later),
    ``"idle"`` when nothing is outstanding (another task already did it), ``"done"``.
    Runs left ``running`` by a process that died are marked interrupted first and the rest
    of their months queued (``recompute_runs_interrupted_mark``), so a redelivered or
    retried task finishes their work. The lease is renewed from a thread while it runs.
    """
    today = today or timezone.localdate()
    token = recompute_lock_acquire(la=la, wait_seconds=wait_seconds)
    if token is None:
        return "busy"
    try:
        with recompute_lock_kept(la=la, token=token):
            return _snapshots_run_pending_locked(la=la, today=today, token=token)
    finally:
        recompute_lock_release(la=la, token=token)


def _snapshots_run_pending_locked(*, la: LocalAuthority, today: date, token: str) -> str:
    recompute_runs_interrupted_mark(la=la, token=token)
    outstanding = list(
        RecomputeRun.objects.filter(la=la, status=RecomputeRun.Status.QUEUED).order_by("id")
    )
    if not outstanding:
        return "idle"
    run = outstanding[-1]
    first = min(r.first_month for r in outstanding)
    merged = [r.pk for r in outstanding[:-1]]
    if merged:
        RecomputeRun.objects.filter(pk__in=merged).update(
            status=RecomputeRun.Status.DONE,
            finished_at=timezone.now(),
            message=f"Merged into recompute #{run.pk}.",
        )
    months = months_between(first, today)
    run.first_month = first
    run.last_month = month_first(today)
    run.status = RecomputeRun.Status.RUNNING
    run.started_at = timezone.now()
    run.message = ""
    run.holder = token
    run.save(
        update_fields=["first_month", "last_month", "status", "started_at", "message", "holder"]
    )
    try:
        _recompute_locked(
            la=la,
            months=months,
            today=today,
            token=token,
            on_month=_progress_writer(run, len(months)),
        )
    except RecomputeLeaseLost:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.INTERRUPTED,
            finished_at=timezone.now(),
            message=MSG_LEASE_LOST.format(seconds=settings.WORK_LEASE_SECONDS),
        )
        raise
    except Exception as exc:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.FAILED,
            finished_at=timezone.now(),
            message=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    RecomputeRun.objects.filter(pk=run.pk).update(
        status=RecomputeRun.Status.DONE, finished_at=timezone.now()
    )
    return "done"


def snapshots_request_nightly(*, today: date | None = None) -> list[RecomputeRun]:
    """Queue the nightly recompute of every authority with data.

    The current month is recomputed as of today; a month whose current snapshot is still
    "month to date" (it closed since) is recomputed as of its true month end.
    """
    from children.models import Child

    today = today or timezone.localdate()
    current = month_first(today)
    runs: list[RecomputeRun] = []
    la_ids = Child.objects.values_list("la_id", flat=True).distinct()
    for la in LocalAuthority.objects.filter(pk__in=la_ids).order_by("code"):
        open_months = Snapshot.objects.filter(
            la=la, is_current=True, month_to_date=True, month__lt=current
        ).values_list("month", flat=True)
        first = min([current, *open_months])
        runs.append(snapshots_request_recompute(la=la, from_date=first, today=today))
    return runs


def snapshots_recompute_trigger(
    *, la: LocalAuthority, acting_user: Any, from_date: date | None, request: Any = None
) -> RecomputeRun:
    """A recompute asked for by a person (an admin, through the API): queued and audited.

    ``roles.md``: triggering a recompute leaves an access event, written in the same
    transaction as the queued run, so a rolled-back request leaves neither.
    """
    from organisations.models import AuditEvent
    from organisations.services import audit_record

    with transaction.atomic():
        run = snapshots_request_recompute(la=la, from_date=from_date)
        audit_record(
            user=acting_user,
            la=la,
            action=AuditEvent.Action.RECOMPUTE_TRIGGER,
            object_type="RecomputeRun",
            object_id=str(run.pk),
            detail={"from": run.first_month.isoformat(), "to": run.last_month.isoformat()},
            request=request,
        )
    return run


def recompute_run_start_from_command(
    *, la: LocalAuthority, first_month: date, last_month: date, command: str
) -> RecomputeRun:
    """A recompute run started by ``manage.py recompute_snapshots``, with its access event.

    ``roles.md`` audits every recompute trigger. The command line has no signed-in user, so
    the event names none; it records the command as typed and the operating-system account
    that ran it instead. Run and event are written in one transaction.
    """
    from organisations.models import AuditEvent
    from organisations.services import audit_record

    with transaction.atomic():
        run = RecomputeRun.objects.create(
            la=la,
            first_month=first_month,
            last_month=last_month,
            status=RecomputeRun.Status.RUNNING,
            started_at=timezone.now(),
        )
        audit_record(
            user=None,
            la=la,
            action=AuditEvent.Action.RECOMPUTE_TRIGGER,
            object_type="RecomputeRun",
            object_id=str(run.pk),
            detail={
                "from": first_month.isoformat(),
                "to": last_month.isoformat(),
                "command": command,
                "system_user": _system_user(),
            },
        )
    return run


def _system_user() -> str:
    """The operating-system account running this process ("" when it cannot be told)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
