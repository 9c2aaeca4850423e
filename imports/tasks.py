"""Celery tasks for imports: thin, idempotent wrappers over ``imports.services``."""

from __future__ import annotations

from celery import shared_task

from imports.services import import_batch_run as import_batch_run_service


@shared_task(acks_late=True)
def import_batch_run(batch_id: int) -> str:
    """Run one import batch; a batch already finished is left as it is (safe to retry).

    Then warm the authority's worklists: any new batch changes their cache keys.
    """
    from reviews.tasks import worklists_warm_queue

    batch = import_batch_run_service(batch_id=batch_id)
    worklists_warm_queue(la_id=batch.la_id)
    return batch.status


@shared_task
def rejected_upload_files_delete_task() -> int:
    """Nightly (Celery beat): delete rejected batches' files kept past their retention."""
    from imports.retention import rejected_upload_files_delete

    return rejected_upload_files_delete()
