"""Celery tasks for worklists: thin wrappers over ``reviews.services``."""

from __future__ import annotations

from celery import shared_task

from operations.queueing import task_send
from organisations.models import LocalAuthority
from reviews.services import worklist_digests_send, worklists_warm, worklists_warm_all


@shared_task(acks_late=True, name="reviews.tasks.worklist_digest_task")
def worklist_digest_task() -> int:
    """The weekly digest (Celery beat, ``WORKLIST_DIGEST_CRON``): one e-mail per team manager.

    Not retried: a retry after a partial send would e-mail some managers twice.
    """
    return worklist_digests_send()


@shared_task(
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
    name="reviews.tasks.worklists_warm_task",
)
def worklists_warm_task(la_id: int | None = None, force: bool = False) -> int:
    """Cache today's worklists of every team: of one authority after its import or
    recompute, of all of them (rebuilt, ``force``) on the beat's ``WORKLIST_WARM_CRON``.

    Safe to repeat: it only fills the cache.
    """
    if la_id is None:
        return worklists_warm_all(force=force)
    la = LocalAuthority.objects.filter(pk=la_id).first()
    return worklists_warm(la=la, force=force) if la is not None else 0


def worklists_warm_queue(*, la_id: int) -> None:
    """Queue the warm-up of one authority (after an import or a recompute has committed).

    Only a cache fill: with the broker down it is skipped (logged), never an error.
    """
    task_send(worklists_warm_task, la_id)
