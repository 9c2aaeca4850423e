"""Worker heartbeats: each Celery worker records that it is alive, for /health/.

On ``worker_ready`` the worker's main process writes its ``WorkerHeartbeat`` row and starts
a thread that rewrites it every ``WORKER_HEARTBEAT_SECONDS``; a clean shutdown deletes the
row, so /health/ reports the worker missing at once. A killed worker leaves a row that
goes stale after three intervals. The thread keeps beating while the worker runs a long
task, so a busy worker is not a missing one.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from operations.leases import PeriodicRenewal
from operations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

#: A worker is missing once its newest heartbeat is this many intervals old.
STALE_AFTER_BEATS = 3

_running: dict[str, PeriodicRenewal] = {}


def worker_heartbeat_record(*, worker: str, started_at=None) -> None:
    """Write (or create) the worker's row with the time now."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=worker[:255],
        defaults={"pid": os.getpid(), "seen_at": now},
        create_defaults={"pid": os.getpid(), "seen_at": now, "started_at": started_at or now},
    )


def worker_heartbeat_remove(*, worker: str) -> None:
    WorkerHeartbeat.objects.filter(worker=worker[:255], pid=os.getpid()).delete()


def heartbeat_stale_after_seconds() -> int:
    return settings.WORKER_HEARTBEAT_SECONDS * STALE_AFTER_BEATS


def _worker_name(sender: Any) -> str:
    return str(getattr(sender, "hostname", "") or f"celery@{socket.gethostname()}")


def _on_worker_ready(sender: Any = None, **kwargs: Any) -> None:
    worker = _worker_name(sender)
    try:
        worker_heartbeat_record(worker=worker, started_at=timezone.now())
    except DatabaseError:
        logger.warning("worker %s: first heartbeat not recorded", worker, exc_info=True)
    finally:
        connections.close_all()
    _running[worker] = PeriodicRenewal(
        name=f"heartbeat {worker}",
        every=settings.WORKER_HEARTBEAT_SECONDS,
        renew=lambda: worker_heartbeat_record(worker=worker),
    ).start()


def _on_worker_shutdown(sender: Any = None, **kwargs: Any) -> None:
    worker = _worker_name(sender)
    beat = _running.pop(worker, None)
    if beat is not None:
        beat.stop()
    try:
        worker_heartbeat_remove(worker=worker)
    except DatabaseError:
        logger.warning("worker %s: heartbeat not removed", worker, exc_info=True)
    finally:
        connections.close_all()


def worker_signals_connect() -> None:
    """Hook the heartbeat into Celery's worker start and stop (``OperationsConfig.ready``)."""
    from celery.signals import worker_ready, worker_shutdown

    worker_ready.connect(_on_worker_ready, weak=False, dispatch_uid="operations-heartbeat-start")
    worker_shutdown.connect(
        _on_worker_shutdown, weak=False, dispatch_uid="operations-heartbeat-stop"
    )
