"""A worker killed in the middle of an import or a recompute (SIGKILL, as the OOM killer or
a crash does): the batch or run does not stay "writing" or "running 9/60" with its lock
held, it is retried or marked interrupted within a lease, and the work is finished.

Real workers on a private Redis, a real PostgreSQL or SQLite-file test database; nothing
is mocked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import Episode
from imports.batch_runs import batches_interrupted_sweep
from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create
from imports.tasks import import_batch_run
from operations.queueing import task_send
from organisations.models import AuditEvent
from organisations.reference import authority_get
from scorecards import services
from scorecards.models import RecomputeLock, RecomputeRun, Snapshot
from scorecards.periods import add_months, months_between
from scorecards.recovery import recompute_runs_sweep
from tests.conftest import celery_on
from tests.faults.conftest import (
    FAULT_ENV,
    LEASE_SECONDS,
    admin_of,
    return_903_write,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

CHILDREN = 8000
RECOMPUTE_CHILDREN = 1500


def _batch(tmp_path: Path, *, children: int = CHILDREN) -> ImportBatch:
    files = [
        IncomingFile(name=p.name, path=p) for p in return_903_write(tmp_path, children=children)
    ]
    return import_batch_create(la=authority_get("873"), format_name="ssda903", files=files)


def _status(batch: ImportBatch) -> ImportBatch:
    batch.refresh_from_db()
    return batch


def _writing(batch: ImportBatch) -> bool:
    batch.refresh_from_db()
    return batch.status == ImportBatch.Status.WRITING


def test_a_pool_process_killed_mid_write_gives_the_task_back_and_the_retry_imports_once(
    tmp_path, private_redis, worker_factory, short_leases
):
    batch = _batch(tmp_path)
    worker = worker_factory.start(broker_url=private_redis.url(), pool="prefork", env=FAULT_ENV)

    with celery_on(private_redis.url(), queue=worker.queue):
        assert task_send(import_batch_run, batch.pk)
        wait_until(lambda: _writing(batch), timeout=120, what="the import to start writing")
        child = worker.pool_child()
        os.kill(child, signal.SIGKILL)

        # The pool process is gone mid-write: nothing was written, and the batch still says
        # "writing" until its lease lapses, when the task Celery gave back takes it over.
        assert _status(batch).status == ImportBatch.Status.WRITING
        assert Episode.objects.filter(la=batch.la).count() == 0
        done = wait_until(
            lambda: _status(batch).status == ImportBatch.Status.DONE,
            timeout=180,
            what=f"the retried import to finish\n{worker.log_tail()}",
        )
    assert done
    assert batch.attempts == 2
    assert Episode.objects.filter(la=batch.la).count() == 2 * CHILDREN
    assert batch.counts["Episodes"]["inserted"] == 2 * CHILDREN


def test_a_worker_killed_mid_write_leaves_an_interrupted_batch_an_admin_runs_again(
    tmp_path, private_redis, worker_factory, short_leases, client
):
    batch = _batch(tmp_path)
    worker = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)

    with celery_on(private_redis.url(), queue=worker.queue):
        assert task_send(import_batch_run, batch.pk)
        wait_until(lambda: _writing(batch), timeout=120, what="the import to start writing")
        worker.kill()

        # While its lease holds, the sweep cannot tell a dead run from a slow one.
        assert batches_interrupted_sweep() == []
        assert _status(batch).status == ImportBatch.Status.WRITING
        # Once it lapses, the batch is interrupted: nothing was written.
        wait_until(
            lambda: batches_interrupted_sweep() == [batch.pk],
            timeout=LEASE_SECONDS * 4,
            what="the sweep to find the dead run",
        )
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.INTERRUPTED
        assert batch.message.startswith("Interrupted while writing (0 of ")
        assert "Nothing was written. An admin can run it again from this page." in batch.message
        assert Episode.objects.filter(la=batch.la).count() == 0
        client.force_login(admin_of(batch.la))
        page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
        assert "Interrupted" in page and reverse("imports:batch_run_again", args=[batch.pk]) in page

        # An admin runs it again on a worker that is back.
        restarted = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)
        with celery_on(private_redis.url(), queue=restarted.queue):
            response = client.post(reverse("imports:batch_run_again", args=[batch.pk]))
            assert response.status_code == 302
            wait_until(
                lambda: _status(batch).status == ImportBatch.Status.DONE,
                timeout=180,
                what=f"the import run again to finish\n{restarted.log_tail()}",
            )
    assert Episode.objects.filter(la=batch.la).count() == 2 * CHILDREN
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.IMPORT_RUN_AGAIN, object_id=str(batch.pk)
    ).exists()


def test_a_killed_import_extract_leaves_an_interrupted_batch(tmp_path, short_leases):
    from django.db import connection

    from tests.conftest import BASE_DIR, _worker_database_url, skip_unless_database_shared

    skip_unless_database_shared("import_extract in a process of its own")
    paths = return_903_write(tmp_path, children=CHILDREN)
    command = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_extract",
            "--la",
            "873",
            "--format",
            "ssda903",
            *map(str, paths),
        ],  # fmt: skip
        cwd=BASE_DIR,
        env={
            **os.environ,
            **FAULT_ENV,
            "DATABASE_URL": _worker_database_url(connection.settings_dict),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CELERY_TASK_ALWAYS_EAGER": "1",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        batch = wait_until(
            lambda: ImportBatch.objects.filter(status=ImportBatch.Status.WRITING).first(),
            timeout=120,
            what="import_extract to start writing",
        )
        command.kill()
    finally:
        command.kill()
        command.wait(timeout=10)

    wait_until(
        lambda: batches_interrupted_sweep() == [batch.pk],
        timeout=LEASE_SECONDS * 4,
        what="the sweep to find the killed command's batch",
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INTERRUPTED
    assert batch.created_by is None and batch.attempts == 1
    assert Episode.objects.filter(la=batch.la).count() == 0


def test_a_worker_killed_mid_recompute_frees_the_lock_within_a_lease_and_the_rest_is_resumed(
    private_redis, worker_factory, short_leases
):
    from bench.synthetic import synthetic_authorities_generate

    la = authority_get("873")
    synthetic_authorities_generate(authorities=[la], children_per_la=RECOMPUTE_CHILDREN)
    run = services.recompute_run_queue(la=la, from_date=date(2023, 1, 1))
    worker = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)

    with celery_on(private_redis.url(), queue=worker.queue):
        assert services.recompute_run_send(run=run)
        wait_until(
            lambda: RecomputeRun.objects.filter(pk=run.pk, months_done__gte=2).exists(),
            timeout=180,
            what=f"the recompute to write two months\n{worker.log_tail()}",
        )
        worker.kill()
        run.refresh_from_db()
        lock = RecomputeLock.objects.get(la=la)
        assert run.status == RecomputeRun.Status.RUNNING and 2 <= run.months_done < run.months_total
        assert lock.token == run.holder and lock.expires_at > timezone.now()
        # The lock was renewed every two seconds, so it lapses within a lease of the kill...
        assert lock.expires_at <= timezone.now() + timedelta(seconds=LEASE_SECONDS)
        assert recompute_runs_sweep().interrupted == []  # ...not before
        wait_until(
            lambda: RecomputeLock.objects.get(la=la).expires_at < timezone.now(),
            timeout=LEASE_SECONDS * 2,
            what="the dead worker's lock to lapse",
        )

        # The sweep marks the run interrupted and sends the rest of its months again, to
        # the worker restarted on the same queue.
        restarted = worker_factory.start(
            broker_url=private_redis.url(), env=FAULT_ENV, queue=worker.queue
        )
        swept = recompute_runs_sweep()
        run.refresh_from_db()
        resumed = RecomputeRun.objects.get(la=la, attempt=2)
        assert swept.interrupted == [run.pk] and swept.sent == [resumed.pk]
        assert run.status == RecomputeRun.Status.INTERRUPTED
        assert run.message == (
            f"Interrupted after {run.months_done} of {run.months_total} months: the process "
            "running it stopped. The months it wrote stand. The rest are recomputed by "
            f"recompute #{resumed.pk}."
        )
        assert resumed.first_month == add_months(run.first_month, run.months_done)
        wait_until(
            lambda: RecomputeRun.objects.filter(pk=resumed.pk, status="done").exists(),
            timeout=240,
            what=f"the resumed recompute to finish\n{restarted.log_tail()}",
        )
    assert RecomputeLock.objects.get(la=la).token == ""
    months = months_between(date(2023, 1, 1), timezone.localdate())
    current = Snapshot.objects.filter(la=la, is_current=True)
    assert sorted(current.values_list("month", flat=True)) == months
