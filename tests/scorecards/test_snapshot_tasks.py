"""Recompute requests: on commit, coalescing per authority, the lock, retries, nightly beat."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imports.models import ImportBatch
from scorecards import services
from scorecards.models import RecomputeLock, RecomputeRun, Snapshot
from scorecards.selectors import (
    recompute_run_for_batch,
    recompute_runs_recent,
    snapshot_current_get,
)
from scorecards.tasks import recompute_nightly_task, recompute_snapshots_task
from tests.indicators.builders import child_make, episode_make, la_get

pytestmark = pytest.mark.django_db

TODAY = date(2024, 3, 15)


@pytest.fixture
def frozen_today():
    with time_machine.travel("2024-03-15 12:00 +00:00", tick=False):
        yield TODAY


def _batch(la) -> ImportBatch:
    return ImportBatch.objects.create(la=la, format="ssda903", status=ImportBatch.Status.DONE)


def test_an_import_commit_recomputes_from_the_earliest_changed_month_to_today(
    frozen_today, django_capture_on_commit_callbacks
):
    la = la_get()
    episode_make(child_make(la, "A"), "2023-12-10", "S", "C1", "U6")
    batch = _batch(la)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        run = services.snapshots_request_recompute(la=la, from_date=date(2023, 12, 10), batch=batch)
        assert not Snapshot.objects.exists()  # nothing before the commit

    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.DONE
    assert (run.months_done, run.months_total) == (4, 4)
    assert run.batch == batch
    months = list(Snapshot.objects.filter(la=la, is_current=True).values_list("month", flat=True))
    assert months == [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    march = snapshot_current_get(la=la, month=date(2024, 3, 1))
    assert march.month_to_date and march.as_of == TODAY
    assert march.batch_ids == [batch.pk]
    assert recompute_run_for_batch(batch=batch) == run
    assert recompute_runs_recent(la=la) == [run]


def test_requests_for_one_authority_coalesce_while_queued(frozen_today):
    la = la_get()
    first, second = _batch(la), _batch(la)

    run1 = services.recompute_run_queue(la=la, from_date=date(2024, 2, 3), batch=first)
    run2 = services.recompute_run_queue(la=la, from_date=date(2023, 11, 30), batch=second)
    run3 = services.recompute_run_queue(la=la, from_date=date(2024, 3, 1))

    assert run1.pk == run2.pk == run3.pk
    run3.refresh_from_db()
    assert run3.first_month == date(2023, 11, 1)
    assert run3.batch == second
    assert RecomputeRun.objects.filter(la=la).count() == 1


def test_a_second_recompute_waits_for_the_lock_then_finds_the_work_done(frozen_today):
    la = la_get()
    episode_make(child_make(la, "A"), "2024-02-01", "S", "C1", "U6")
    services.recompute_run_queue(la=la, from_date=date(2024, 2, 1))
    token = services.recompute_lock_acquire(la=la)

    assert services.snapshots_run_pending(la=la) == "busy"
    assert RecomputeRun.objects.get(la=la).status == RecomputeRun.Status.QUEUED

    services.recompute_lock_release(la=la, token=token)
    assert services.snapshots_run_pending(la=la) == "done"
    assert services.snapshots_run_pending(la=la) == "idle"
    assert Snapshot.objects.filter(la=la, is_current=True).count() == 2


def test_a_run_left_running_by_a_dead_worker_is_interrupted_and_the_rest_resumed_once_its_lease_lapses(  # noqa: E501
    frozen_today,
):
    la = la_get()
    episode_make(child_make(la, "A"), "2024-01-01", "S", "C1", "U6")
    dead = RecomputeRun.objects.create(
        la=la,
        first_month=date(2024, 1, 1),
        last_month=date(2024, 3, 1),
        status=RecomputeRun.Status.RUNNING,
        months_total=3,
        months_done=1,
        holder="dead-worker",
        started_at=timezone.now(),
    )
    RecomputeLock.objects.create(
        la=la, token="dead-worker", expires_at=timezone.now() + timedelta(minutes=1)
    )
    assert services.snapshots_run_pending(la=la) == "busy"
    assert RecomputeRun.objects.get(pk=dead.pk).status == RecomputeRun.Status.RUNNING

    RecomputeLock.objects.filter(la=la).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.snapshots_run_pending(la=la) == "done"

    dead.refresh_from_db()
    resumed = RecomputeRun.objects.exclude(pk=dead.pk).get(la=la)
    assert dead.status == RecomputeRun.Status.INTERRUPTED
    assert dead.message == (
        "Interrupted after 1 of 3 months: the process running it stopped. The months it wrote "
        f"stand. The rest are recomputed by recompute #{resumed.pk}."
    )
    # January was written before the worker died: the resumed run starts in February.
    assert resumed.status == RecomputeRun.Status.DONE and resumed.attempt == 2
    assert (resumed.first_month, resumed.months_done) == (date(2024, 2, 1), 2)
    assert RecomputeLock.objects.get(la=la).token == ""


def test_a_run_interrupted_on_its_last_attempt_is_left_for_an_admin(frozen_today, settings):
    settings.TASK_MAX_ATTEMPTS = 2
    la = la_get()
    dead = RecomputeRun.objects.create(
        la=la, first_month=date(2024, 1, 1), last_month=date(2024, 3, 1), attempt=2,
        status=RecomputeRun.Status.RUNNING, months_total=3, months_done=2, holder="dead",
    )  # fmt: skip

    assert services.snapshots_run_pending(la=la) == "idle"

    dead.refresh_from_db()
    assert dead.status == RecomputeRun.Status.INTERRUPTED
    assert dead.message.endswith(
        "It was started 2 times and interrupted each time, so it is not resumed by itself: "
        "recompute from the import history page."
    )
    assert RecomputeRun.objects.filter(la=la).count() == 1


def test_a_command_run_still_waiting_for_the_lock_is_not_taken_for_dead(frozen_today):
    la = la_get()
    waiting = services.recompute_run_start_from_command(
        la=la, first_month=date(2024, 3, 1), last_month=date(2024, 3, 1), command="test"
    )

    assert services.snapshots_run_pending(la=la) == "idle"
    assert RecomputeRun.objects.get(pk=waiting.pk).status == RecomputeRun.Status.RUNNING

    # One that has waited longer than any command waits (15 minutes and a lease) is dead.
    with time_machine.travel("2024-03-15 12:17 +00:00", tick=False):
        assert services.snapshots_run_pending(la=la) == "done"
    assert RecomputeRun.objects.get(pk=waiting.pk).status == RecomputeRun.Status.INTERRUPTED


def test_two_queued_runs_are_merged_into_the_newest(frozen_today):
    la = la_get()
    older = RecomputeRun.objects.create(
        la=la, first_month=date(2024, 1, 1), last_month=date(2024, 3, 1), status="queued"
    )
    newer = RecomputeRun.objects.create(
        la=la, first_month=date(2024, 3, 1), last_month=date(2024, 3, 1), status="queued"
    )

    assert services.snapshots_run_pending(la=la) == "done"

    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.status == "done" and f"#{newer.pk}" in older.message
    assert newer.first_month == date(2024, 1, 1) and newer.months_total == 3


def test_the_task_called_directly_queues_and_runs(frozen_today):
    la = la_get()
    episode_make(child_make(la, "A"), "2024-03-01", "S", "C1", "U6")

    outcome = recompute_snapshots_task.delay(la.pk, "2024-03-01").get()

    assert outcome == "done"
    assert snapshot_current_get(la=la, month=date(2024, 3, 1)) is not None


def test_a_failing_recompute_marks_the_run_failed_and_a_retry_completes_it(
    frozen_today, monkeypatch
):
    la = la_get()
    episode_make(child_make(la, "A"), "2024-03-01", "S", "C1", "U6")
    services.recompute_run_queue(la=la, from_date=date(2024, 2, 1))

    def boom(rows):
        raise RuntimeError("database went away")

    real = services._snapshot_cells_create
    monkeypatch.setattr(services, "_snapshot_cells_create", boom)
    with pytest.raises(RuntimeError):
        services.snapshots_run_pending(la=la)
    run = RecomputeRun.objects.get(la=la)
    assert run.status == RecomputeRun.Status.FAILED
    assert "database went away" in run.message
    assert RecomputeLock.objects.get(la=la).token == ""  # the lock is released

    monkeypatch.setattr(services, "_snapshot_cells_create", real)
    services.recompute_run_queue(la=la, from_date=date(2024, 2, 1))
    assert services.snapshots_run_pending(la=la) == "done"


def test_recomputes_triggered_by_imports_start_no_earlier_than_the_first_return(frozen_today):
    la = la_get()
    child = child_make(la, "A")
    episode_make(child, "2015-06-01", "S", "C2", "U4", collection_year=2023)

    run = services.recompute_run_queue(la=la, from_date=date(2015, 6, 1))

    assert run.first_month == date(2022, 4, 1)


def test_nightly_recomputes_the_current_month_and_closes_last_month(frozen_today):
    la = la_get()
    episode_make(child_make(la, "A"), "2024-02-01", "S", "C1", "U6")
    services.snapshots_recompute(la=la, months=[date(2024, 2, 1)], today=date(2024, 2, 20))
    assert snapshot_current_get(la=la, month=date(2024, 2, 1)).month_to_date

    assert recompute_nightly_task.delay().get() == 1
    services.snapshots_run_pending(la=la)

    february = snapshot_current_get(la=la, month=date(2024, 2, 1))
    assert not february.month_to_date and february.as_of == date(2024, 2, 29)
    assert snapshot_current_get(la=la, month=date(2024, 3, 1)).month_to_date


def test_the_beat_schedule_is_defined_once_in_settings():
    schedule = settings.CELERY_BEAT_SCHEDULE["scorecards-nightly-recompute"]
    assert schedule["task"] == recompute_nightly_task.name
