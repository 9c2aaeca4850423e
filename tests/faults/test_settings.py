"""The settings that make a lost worker or broker recoverable, and their guards."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from django.conf import settings

from config.celery import app as celery_app
from imports.tasks import import_batch_run
from operations.tasks import lost_work_sweep_task
from scorecards.tasks import recompute_snapshots_task
from tests.conftest import BASE_DIR


def test_imports_and_recomputes_are_acknowledged_late_and_given_back_by_a_dead_worker():
    for task in (import_batch_run, recompute_snapshots_task):
        assert task.acks_late and task.reject_on_worker_lost, task.name
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_redis_gives_a_dead_workers_task_back_only_after_the_longest_a_task_may_run():
    assert settings.CELERY_TASK_TIME_LIMIT == 3600
    assert celery_app.conf.broker_transport_options == {"visibility_timeout": 3600 + 600}


def test_a_visibility_timeout_within_the_time_limit_stops_the_start():
    done = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "CELERY_TASK_TIME_LIMIT": "600",
            "CELERY_BROKER_VISIBILITY_TIMEOUT": "600",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "CELERY_BROKER_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT" in (
        done.stderr
    )


def test_beat_sweeps_lost_work_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["lost-work-sweep"]
    assert entry["schedule"] == timedelta(minutes=5)
    assert entry["task"] == lost_work_sweep_task.name
