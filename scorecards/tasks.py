"""Celery tasks for snapshots: thin wrappers over ``scorecards.services``.

Safe to retry: a task only says "this authority has outstanding months"; whichever task
holds the authority's lock runs all of them as one recompute, and writing a month whose
figures are unchanged writes nothing.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from organisations.models import LocalAuthority
from scorecards import services

#: Seconds between attempts while another recompute of the authority runs.
BUSY_RETRY_SECONDS = 10
#: Attempts before giving up waiting (the lock lease expires long before this).
BUSY_MAX_RETRIES = 360


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
    any other outstanding one.
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
    outcome = services.snapshots_run_pending(la=la, wait_seconds=wait)
    if outcome == "busy":
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome


@shared_task(name="scorecards.tasks.recompute_nightly_task")
def recompute_nightly_task() -> int:
    """Nightly: recompute the current month (and any month just closed) for every authority."""
    return len(services.snapshots_request_nightly())
