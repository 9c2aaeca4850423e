"""Celery tasks for imports: thin, idempotent wrappers over ``imports.services``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from imports.batch_runs import BatchBusy
from imports.services import import_batch_run as import_batch_run_service
from operations.leases import lease_renew_every


def busy_max_retries() -> int:
    """Enough retries to outwait a live run of the longest allowed task, and no more."""
    return int(settings.CELERY_TASK_TIME_LIMIT / lease_renew_every()) + 3


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def import_batch_run(self, batch_id: int) -> str:
    """Run one import batch; a batch already finished is left as it is (safe to retry).

    Late acknowledgement, and a message given back when the worker process dies: the
    batch is run again rather than lost. While another live process holds the batch (a
    duplicate message) the task waits, retrying every third of a lease, until that run
    finishes or its lease lapses. Then warm the authority's worklists.
    """
    from reviews.tasks import worklists_warm_queue

    try:
        batch = import_batch_run_service(batch_id=batch_id)
    except BatchBusy:
        if self.request.is_eager:
            return "busy"  # run in the caller's process: nobody to wait for
        raise self.retry(countdown=lease_renew_every(), max_retries=busy_max_retries()) from None
    worklists_warm_queue(la_id=batch.la_id)
    return batch.status


@shared_task
def rejected_upload_files_delete_task() -> int:
    """Nightly (Celery beat): delete rejected batches' files kept past their retention."""
    from imports.retention import rejected_upload_files_delete

    return rejected_upload_files_delete()
