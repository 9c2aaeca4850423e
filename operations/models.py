"""What /health/ reads: the latest sign of life of each Celery worker."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One Celery worker's latest heartbeat, written by the worker itself every
    ``WORKER_HEARTBEAT_SECONDS`` and deleted when it shuts down cleanly."""

    worker = models.CharField(max_length=255, unique=True, help_text="Celery node name.")
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
