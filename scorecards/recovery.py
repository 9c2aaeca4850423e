"""The lost-work sweep's part for recomputes (``operations.tasks.lost_work_sweep_task``).

For each authority with a run still ``running`` or ``queued``, the sweep tries the
authority's lock without waiting. Held: a live recompute is at work, nothing to do. Free
(or lapsed): every ``running`` run is dead, so it is marked interrupted and the rest of
its months queued (``recompute_runs_interrupted_mark``), and the newest queued run's task
is sent again. Its task may have been lost (the broker was down, or restarted empty) or
may still be in the queue: a duplicate is harmless, the first task to take the lock runs
every outstanding request and the others find nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from organisations.models import LocalAuthority
from scorecards.models import RecomputeRun
from scorecards.services import (
    recompute_lock_acquire,
    recompute_lock_release,
    recompute_run_send,
    recompute_runs_interrupted_mark,
)


@dataclass
class RecomputeSweep:
    interrupted: list[int] = field(default_factory=list)  # runs marked interrupted
    sent: list[int] = field(default_factory=list)  # queued runs whose task was sent again


def recompute_runs_sweep(*, now: datetime | None = None) -> RecomputeSweep:
    now = now or timezone.now()
    outcome = RecomputeSweep()
    unfinished = RecomputeRun.objects.filter(
        status__in=[RecomputeRun.Status.QUEUED, RecomputeRun.Status.RUNNING]
    ).values("la_id")
    for la in LocalAuthority.objects.filter(pk__in=unfinished).order_by("code"):
        token = recompute_lock_acquire(la=la)
        if token is None:
            continue  # a live recompute holds the lock: it is not lost
        try:
            dead = recompute_runs_interrupted_mark(la=la, token=token, now=now)
            outcome.interrupted.extend(run.pk for run in dead)
            queued = (
                RecomputeRun.objects.filter(la=la, status=RecomputeRun.Status.QUEUED)
                .order_by("-id")
                .first()
            )
        finally:
            recompute_lock_release(la=la, token=token)
        if queued is not None and recompute_run_send(run=queued):
            outcome.sent.append(queued.pk)
    return outcome
