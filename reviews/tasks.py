"""Celery tasks for worklists: thin wrappers over ``reviews.services``."""

from __future__ import annotations

from celery import shared_task

from reviews.services import worklist_digests_send


@shared_task(acks_late=True, name="reviews.tasks.worklist_digest_task")
def worklist_digest_task() -> int:
    """The weekly digest (Celery beat, ``WORKLIST_DIGEST_CRON``): one e-mail per team manager.

    Not retried: a retry after a partial send would e-mail some managers twice.
    """
    return worklist_digests_send()
