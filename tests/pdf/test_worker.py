"""A real Celery worker over Redis renders a month's draft PDF (no eager mode, no mocks)."""

from __future__ import annotations

import hashlib

import pytest

from config.celery import app as celery_app
from organisations.reference import authority_get
from scorecards.models import RenderedPdf
from scorecards.tasks import render_scorecard_pdf_task
from tests.pdf.conftest import MARCH, MARCH_CELLS, WORKER_MEDIA_ROOT, snapshot_make


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_and_stores_the_draft(celery_worker_process):
    la = authority_get("873")
    snapshot_make(la, MARCH, MARCH_CELLS)

    result = render_scorecard_pdf_task.delay(la.pk, MARCH.isoformat())

    assert celery_app.conf.task_always_eager is False
    digest = result.get(timeout=300)
    rendered = RenderedPdf.objects.get()
    stored = WORKER_MEDIA_ROOT / rendered.path
    try:
        assert digest == rendered.sha256, celery_worker_process.log_tail()
        assert rendered.kind == "draft" and rendered.pages >= 12
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest
        # A duplicate message finds the stored draft and renders nothing.
        assert render_scorecard_pdf_task.delay(la.pk, MARCH.isoformat()).get(timeout=60) == digest
        assert RenderedPdf.objects.count() == 1
    finally:
        stored.unlink(missing_ok=True)
