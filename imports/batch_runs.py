"""Running a batch exactly once, and noticing when the process running it died.

A batch is taken by a compare-and-set UPDATE (``batch_claim``): pending, interrupted, or
mid-run with a lapsed lease. The taker gets a token, renews ``heartbeat_at`` from a
background thread while it works (``operations.leases``), and writes the outcome only
while the token is still its own. So a duplicate task (Redis redelivering a message, the
sweep sending one again) never runs a batch twice at once, and a batch whose worker or
``import_extract`` process was killed is told apart from a slow one: no sign of life for
``WORK_LEASE_SECONDS``.

Such a batch is marked **interrupted** (by the lost-work sweep, or by the next task to
look at it). Nothing of it was written: an import writes in one transaction, which the
process's death rolled back. A task that comes back for it (Celery redelivers the message
of a worker that died) runs it again, up to ``TASK_MAX_ATTEMPTS`` runs in all, so a file
that kills its worker every time is not retried for ever; an admin runs it again from the
batch page (``import_batch_run_again``), which starts the count afresh.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from imports.models import ImportBatch
from operations.queueing import task_send
from organisations.models import AuditEvent

Status = ImportBatch.Status
RUNNING_STATUSES = (Status.VALIDATING, Status.WRITING)

MSG_INTERRUPTED = (
    "Interrupted while {stage} ({done:,} of {total:,} rows): the process running it stopped "
    "(a worker restart or crash, or a killed command). Nothing was written. An admin can run "
    "it again from this page."
)
MSG_STOPPED = (
    "Interrupted: the import was stopped (Ctrl-C or a shutdown) while {stage}. Nothing was "
    "written. An admin can run it again from this page."
)
MSG_ATTEMPTS_USED = (
    " It was started {attempts} times and interrupted each time, so it is not started again "
    "by itself."
)
MSG_QUEUE_UNAVAILABLE = (
    "Recorded and waiting: the task queue was unavailable when this was uploaded, so the "
    "import starts by itself once it is back (checked every {minutes} minutes)."
)
MSG_NOT_INTERRUPTED = "Only an interrupted import can be run again."
MSG_RUN_AGAIN = "Run again by {user}."


class BatchBusy(Exception):
    """Another live process is running the batch (its lease has not lapsed)."""


class BatchNotInterrupted(ValueError):
    """``import_batch_run_again`` on a batch that is not interrupted."""


class ClaimLost(Exception):
    """The batch was taken by another run while this one worked: this one's outcome is void."""


def lease_seconds() -> int:
    return settings.WORK_LEASE_SECONDS


def _lapsed(now: datetime) -> Q:
    """A run whose lease lapsed (or, from before leases, never had one)."""
    cutoff = now - timedelta(seconds=lease_seconds())
    return Q(status__in=RUNNING_STATUSES) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff)
    )


def _interrupted_message(batch: ImportBatch, *, attempts_used: bool) -> str:
    stage, done = (
        ("writing", batch.rows_written)
        if batch.status == Status.WRITING
        else ("validating", batch.rows_validated)
    )
    message = MSG_INTERRUPTED.format(stage=stage, done=done, total=batch.rows_total)
    return message + (MSG_ATTEMPTS_USED.format(attempts=batch.attempts) if attempts_used else "")


def batch_interrupted_mark(*, batch: ImportBatch, now: datetime | None = None) -> bool:
    """Mark one batch interrupted if its run's lease lapsed; whether it was."""
    now = now or timezone.now()
    attempts_used = batch.attempts >= settings.TASK_MAX_ATTEMPTS
    return bool(
        ImportBatch.objects.filter(_lapsed(now), pk=batch.pk, run_token=batch.run_token).update(
            status=Status.INTERRUPTED,
            message=_interrupted_message(batch, attempts_used=attempts_used),
        )
    )


def batch_claim(*, batch_id: int) -> str | None:
    """Take the batch for this process: its run token.

    ``BatchBusy`` while another process's lease on it holds; ``None`` when there is nothing
    to run (finished, or interrupted after ``TASK_MAX_ATTEMPTS`` runs).
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status__in=[Status.PENDING, Status.INTERRUPTED]) | _lapsed(now)
    taken = ImportBatch.objects.filter(
        claimable, pk=batch_id, attempts__lt=settings.TASK_MAX_ATTEMPTS
    ).update(
        status=Status.VALIDATING,
        run_token=token,
        heartbeat_at=now,
        started_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        rows_validated=0,
        rows_written=0,
        message="",
    )
    if taken:
        return token
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status in RUNNING_STATUSES:
        if batch_interrupted_mark(batch=batch, now=now):
            return None  # lapsed, and no runs left
        raise BatchBusy(f"import batch {batch_id} is being run by another process")
    return None


def batch_heartbeat(*, batch_id: int, token: str) -> bool:
    """Renew the run's lease (from ``PeriodicRenewal``'s thread); False once it is not ours."""
    return bool(
        ImportBatch.objects.filter(
            pk=batch_id, run_token=token, status__in=RUNNING_STATUSES
        ).update(heartbeat_at=timezone.now())
    )


def batch_stopped_mark(*, batch_id: int, token: str) -> None:
    """The run was stopped on purpose (Ctrl-C, a shutdown): say so now, not a lease later."""
    batch = ImportBatch.objects.filter(pk=batch_id, run_token=token).first()
    if batch is None or batch.status not in RUNNING_STATUSES:
        return
    ImportBatch.objects.filter(pk=batch_id, run_token=token, status=batch.status).update(
        status=Status.INTERRUPTED, message=MSG_STOPPED.format(stage=batch.status)
    )


# --- queueing and the lost-work sweep -------------------------------------------------------


def _batch_send(batch_id: int) -> bool:
    from imports.tasks import import_batch_run

    if task_send(import_batch_run, batch_id):
        return True
    ImportBatch.objects.filter(pk=batch_id, status=Status.PENDING).update(
        message=MSG_QUEUE_UNAVAILABLE.format(minutes=settings.LOST_WORK_SWEEP_MINUTES)
    )
    return False


def import_batch_queue(*, batch: ImportBatch) -> None:
    """Send the batch to a worker once its row is committed (eager: run it there and then).

    When the broker cannot take the task the batch stays pending with a message saying
    so, and the lost-work sweep sends it when the broker is back.
    """
    transaction.on_commit(lambda: _batch_send(batch.pk))


def batch_waits_for_queue(*, batch: ImportBatch) -> bool:
    """Still pending because the broker refused its task (the upload pages say so)."""
    batch.refresh_from_db(fields=["status", "message"])
    return batch.status == Status.PENDING and batch.message == MSG_QUEUE_UNAVAILABLE.format(
        minutes=settings.LOST_WORK_SWEEP_MINUTES
    )


def batches_interrupted_sweep(*, now: datetime | None = None) -> list[int]:
    """Mark every batch whose run's lease lapsed as interrupted; their ids."""
    now = now or timezone.now()
    marked = []
    for batch in ImportBatch.objects.filter(_lapsed(now)).order_by("pk"):
        if batch_interrupted_mark(batch=batch, now=now):
            marked.append(batch.pk)
    return marked


def batches_pending_sweep(*, now: datetime | None = None) -> list[int]:
    """Send again every batch pending for longer than a sweep interval; their ids.

    Its task was lost (the broker refused it, or lost it restarting) or is still queued
    behind other work: a duplicate is harmless, the first task to claim the batch runs it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.LOST_WORK_SWEEP_MINUTES)
    ids = list(
        ImportBatch.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [batch_id for batch_id in ids if _batch_send(batch_id)]


# --- an admin runs an interrupted batch again -------------------------------------------


def import_batch_run_again(
    *, batch: ImportBatch, acting_user, client_address: str | None = None
) -> ImportBatch:
    """Queue an interrupted batch again, with its runs counted afresh; audited.

    ``BatchNotInterrupted`` for any other status (a finished batch is re-checked as a dry
    run instead).
    """
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status=Status.INTERRUPTED).update(
            status=Status.PENDING,
            attempts=0,
            run_token="",
            heartbeat_at=None,
            rows_validated=0,
            rows_written=0,
            message=MSG_RUN_AGAIN.format(user=acting_user.get_username()),
        )
        if not updated:
            raise BatchNotInterrupted(MSG_NOT_INTERRUPTED)
        AuditEvent.objects.create(
            user=acting_user,
            la=batch.la,
            action=AuditEvent.Action.IMPORT_RUN_AGAIN,
            object_type="ImportBatch",
            object_id=str(batch.pk),
            detail={
                "format": batch.format,
                "collection_year": batch.collection_year,
                "dry_run": batch.dry_run,
            },  # fmt: skip
            client_address=client_address,
        )
        import_batch_queue(batch=batch)
    batch.refresh_from_db()
    return batch
