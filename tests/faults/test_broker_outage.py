"""The broker (Redis) down when work is asked for: the upload or recompute is recorded, the
user is told it is queued, and the lost-work sweep sends it once the broker is back.

A private ``redis-server`` is the broker; the test kills it before the upload, then starts
it again with a real worker, as a restarted Redis with no persistence comes back empty.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from children.models import Episode
from imports.batch_runs import MSG_QUEUE_UNAVAILABLE, batches_pending_sweep
from imports.models import ImportBatch
from organisations.reference import authority_get
from scorecards.models import RecomputeRun
from scorecards.recovery import recompute_runs_sweep
from scorecards.services import MSG_QUEUE_UNAVAILABLE as MSG_RECOMPUTE_WAITING
from tests.conftest import celery_on
from tests.faults.conftest import FAULT_ENV, admin_of, wait_until
from tests.imports.conftest import WORKED_EXAMPLE

pytestmark = pytest.mark.django_db(transaction=True)

WAITING = MSG_QUEUE_UNAVAILABLE.format(minutes=5)


def _files() -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(name, text.encode(), content_type="text/csv")
        for name, text in WORKED_EXAMPLE.items()
    ]


def _send_again_after_a_sweep_interval(batches) -> list[int]:
    ImportBatch.objects.filter(pk__in=[b.pk for b in batches]).update(
        created_at=timezone.now() - timedelta(minutes=6)
    )
    return batches_pending_sweep()


def test_uploads_while_the_broker_is_down_are_recorded_queued_and_run_once_it_is_back(
    client, private_redis, worker_factory, settings
):
    settings.LOST_WORK_SWEEP_MINUTES = 5
    la = authority_get("873")
    client.force_login(admin_of(la))
    private_redis.kill()

    with celery_on(private_redis.url()):
        page = client.post(
            reverse("imports:upload"),
            {"la": la.pk, "format": "ssda903", "year": "2025", "files": _files()},
            follow=True,
        )
        api = client.post(
            "/api/imports/upload/",
            {"la": "873", "format": "ssda903", "year": 2025, "files": _files()},
        )

    assert page.status_code == 200 and WAITING in page.content.decode()
    assert api.status_code == 201
    assert (api.json()["status"], api.json()["message"]) == ("pending", WAITING)
    batches = list(ImportBatch.objects.order_by("pk"))
    assert [(b.status, b.message) for b in batches] == [("pending", WAITING)] * 2

    private_redis.start()
    worker = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)
    with celery_on(private_redis.url(), queue=worker.queue):
        assert batches_pending_sweep() == []  # younger than a sweep interval: not yet
        assert _send_again_after_a_sweep_interval(batches) == [b.pk for b in batches]
        wait_until(
            lambda: not ImportBatch.objects.exclude(status="done").exists(),
            timeout=120,
            what=f"the swept batches to be imported\n{worker.log_tail()}",
        )
    # Both ran (the second finds every row unchanged), each once.
    assert [b.attempts for b in ImportBatch.objects.order_by("pk")] == [1, 1]
    assert Episode.objects.filter(la=la).count() == 8


def test_a_recompute_asked_for_while_the_broker_is_down_waits_and_runs_once_it_is_back(
    client, private_redis, worker_factory
):
    la = authority_get("873")
    client.force_login(admin_of(la))
    month = timezone.localdate().replace(day=1).isoformat()
    private_redis.kill()

    with celery_on(private_redis.url()):
        page = client.post(
            reverse("imports:recompute", args=["873"]), {"month_from": month}, follow=True
        )

    waiting = MSG_RECOMPUTE_WAITING.format(minutes=5)
    assert page.status_code == 200 and waiting in page.content.decode()
    run = RecomputeRun.objects.get(la=la)
    assert (run.status, run.message) == ("queued", waiting)

    private_redis.start()
    worker = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)
    with celery_on(private_redis.url(), queue=worker.queue):
        assert recompute_runs_sweep().sent == [run.pk]
        wait_until(
            lambda: RecomputeRun.objects.filter(pk=run.pk, status="done").exists(),
            timeout=120,
            what=f"the swept recompute to run\n{worker.log_tail()}",
        )
