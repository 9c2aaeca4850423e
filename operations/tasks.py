"""The lost-work sweep (Celery beat, every ``LOST_WORK_SWEEP_MINUTES``)."""

from __future__ import annotations

from celery import shared_task

from imports.batch_runs import batches_interrupted_sweep, batches_pending_sweep
from scorecards.recovery import recompute_runs_sweep


@shared_task(name="operations.tasks.lost_work_sweep_task", soft_time_limit=120, time_limit=180)
def lost_work_sweep_task() -> dict[str, list[int]]:
    """Mark imports and recomputes whose process died as interrupted (recomputes resumed),
    and send again the pending imports and queued recomputes whose task was lost.

    What it did, by id, for the worker's log. Safe to run at any time and twice at once:
    every change is a compare-and-set on the row or under the authority's lock.
    """
    recomputes = recompute_runs_sweep()
    return {
        "imports_interrupted": batches_interrupted_sweep(),
        "imports_sent_again": batches_pending_sweep(),
        "recomputes_interrupted": recomputes.interrupted,
        "recomputes_sent_again": recomputes.sent,
    }
