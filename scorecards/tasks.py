"""Celery tasks for snapshots: thin wrappers over ``scorecards.services``.

Safe to retry: a task only says "this authority has outstanding months"; whichever task
holds the authority's lock runs all of them as one recompute, and writing a month whose
figures are unchanged writes nothing.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import OperationalError

from operations.queueing import task_send
from organisations.models import LocalAuthority
from scorecards import services
from scorecards.models import Snapshot

#: Seconds between attempts while another recompute of the authority runs.
BUSY_RETRY_SECONDS = 10
#: Attempts before giving up waiting (the lock lease expires long before this).
BUSY_MAX_RETRIES = 360
#: How long the PDF task waits for a render of the same month running elsewhere (a
#: download's): well inside its soft time limit, with room left to render afterwards.
PDF_WAIT_SECONDS = 60


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=BUSY_MAX_RETRIES,
    name="scorecards.tasks.recompute_snapshots_task",
)
def recompute_snapshots_task(
    self, la_id: int, first_month_iso: str, batch_id: int | None = None, run_id: int | None = None
) -> str:
    """Recompute an authority's snapshots from ``first_month_iso`` to the current month.

    Called on commit of an import (``snapshots_request_recompute`` passes ``run_id``) or
    directly; without ``run_id`` the request is queued first so that it coalesces with
    any other outstanding one. Late acknowledgement, and the message given back if the
    worker process dies, so a recompute is resumed rather than lost: the task that comes
    back retries until the dead holder's lease lapses (``WORK_LEASE_SECONDS``).
    """
    la = LocalAuthority.objects.get(pk=la_id)
    if run_id is None:
        from imports.models import ImportBatch

        batch = ImportBatch.objects.filter(pk=batch_id).first() if batch_id else None
        services.recompute_run_queue(
            la=la, from_date=date.fromisoformat(first_month_iso), batch=batch
        )
    # Run eagerly (the demo, tests) there is no worker to retry on: wait for the lock.
    wait = services.LOCK_WAIT_SECONDS if self.request.is_eager else 0
    try:
        outcome = services.snapshots_run_pending(la=la, wait_seconds=wait)
    except services.RecomputeLeaseLost:
        return "taken over"  # stalled past its lease: the recompute that took over finishes
    if outcome == "busy":
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    if outcome == "done":
        scorecard_pdf_queue_latest(la=la)
        # New snapshots change every worklist cache key: rebuild today's lists (issue 10).
        from reviews.tasks import worklists_warm_queue

        worklists_warm_queue(la_id=la.pk)
    return outcome


def scorecard_pdf_queue_latest(*, la: LocalAuthority) -> None:
    """After a recompute, render the draft PDF of the latest month (issue 9).

    The latest month with figures is the one the board will ask for next; rendering it
    now makes its first download a read from storage. Older months render on request.
    Sent straight away: each month of the recompute has committed by the time it returns.
    """
    latest = (
        Snapshot.objects.filter(la=la, is_current=True)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if latest is None:
        return
    task_send(render_scorecard_pdf_task, la.pk, latest.isoformat())


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
    name="scorecards.tasks.render_scorecard_pdf_task",
)
def render_scorecard_pdf_task(la_id: int, month_iso: str) -> str:
    """Render (or find stored) the draft PDF of a month's current figures; its SHA-256.

    Idempotent: a draft already stored for the same figures and commentary is returned
    as it is, so a retried or duplicated task renders nothing twice; while a download is
    rendering the month, the task waits for it (``pdf.pdf_render_single_flight``).
    """
    from scorecards.pdf import PdfBeingPrepared
    from scorecards.publication import scorecard_pdf_draft_for_month

    la = LocalAuthority.objects.get(pk=la_id)
    try:
        rendered = scorecard_pdf_draft_for_month(
            la=la, month=date.fromisoformat(month_iso), wait_seconds=PDF_WAIT_SECONDS
        )
    except PdfBeingPrepared:
        return ""  # a long render elsewhere stores the month's draft: nothing left to do
    return rendered.sha256 if rendered is not None else ""


@shared_task(name="scorecards.tasks.recompute_nightly_task")
def recompute_nightly_task() -> int:
    """Nightly: recompute the current month (and any month just closed) for every authority."""
    return len(services.snapshots_request_nightly())
