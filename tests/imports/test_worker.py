"""A real Celery worker over Redis runs an import batch (no eager mode, no mocks)."""

from __future__ import annotations

import io

import pytest

from children.models import Episode
from config.celery import app as celery_app
from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create
from imports.tasks import import_batch_run
from organisations.reference import authority_get
from tests.imports.conftest import WORKED_EXAMPLE


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_a_small_903_file_set(celery_worker_process):
    la = authority_get("873")
    files = [IncomingFile(name=n, handle=io.BytesIO(t.encode())) for n, t in WORKED_EXAMPLE.items()]
    batch = import_batch_create(la=la, format_name="ssda903", files=files, year=2025)

    result = import_batch_run.delay(batch.pk)

    assert celery_app.conf.task_always_eager is False
    assert result.get(timeout=120) == "done", celery_worker_process.log_tail()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.counts["Episodes"]["inserted"] == 8
    assert Episode.objects.filter(la=la).count() == 8
    # Run again (a retry, a duplicate message): the finished batch is left as it is.
    assert import_batch_run.delay(batch.pk).get(timeout=60) == "done"
    assert ImportBatch.objects.get(pk=batch.pk).finished_at == batch.finished_at
