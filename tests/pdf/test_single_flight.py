"""One render of a month's PDF at a time (issue 9, downloads under load).

After a recompute no draft of the month is stored, and every reader who asks for the PDF
would render it at once. Readers arriving while a render runs wait for its file instead
(sleeping: no CPU, no GIL), so N readers cause one render; one who would wait too long
gets a page that asks again. Real threads, the real cache (Redis when ``REDIS_URL`` is
set) and the real database: run on PostgreSQL to prove it across connections.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.test import Client

from organisations.reference import authority_get
from organisations.roles import COMMITTEE_LEAD
from scorecards import pdf
from scorecards.models import RenderedPdf, Snapshot
from tests.pdf.conftest import MARCH, MARCH_CELLS, snapshot_make, user_make

PDF = "/la/873/scorecard/2024-03/scorecard-draft.pdf"


@pytest.fixture
def lead_client(transactional_db) -> Client:
    """A committee lead of 873 with the hand-checked March, committed (threads see it)."""
    la = authority_get("873")
    snapshot_make(la, MARCH, MARCH_CELLS)
    client = Client()
    client.force_login(user_make("committee", role=COMMITTEE_LEAD, las=[la]))
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_two_readers_at_once_cause_one_render_and_get_the_same_pdf(lead_client, monkeypatch):
    renders: list[int] = []
    rendering = threading.Event()
    second_waiting = threading.Event()
    real_render = pdf.scorecard_pdf_render

    def counted_render(**kwargs):
        """The real render, counted; it finishes only once the second reader is waiting."""
        renders.append(threading.get_ident())
        rendering.set()
        second_waiting.wait(timeout=30)
        return real_render(**kwargs)

    real_stored_check = pdf.scorecard_pdf_draft_get

    def stored_check(**kwargs):
        if rendering.is_set() and threading.get_ident() not in renders:
            second_waiting.set()  # the second reader is looking for the file, not rendering
        return real_stored_check(**kwargs)

    monkeypatch.setattr(pdf, "scorecard_pdf_render", counted_render)
    monkeypatch.setattr(pdf, "scorecard_pdf_draft_get", stored_check)
    responses: dict[str, object] = {}

    def download(name: str) -> None:
        responses[name] = lead_client.get(PDF)

    first = threading.Thread(target=download, args=("first",))
    first.start()
    assert rendering.wait(timeout=30), "the first reader never started rendering"
    second = threading.Thread(target=download, args=("second",))
    second.start()
    first.join(timeout=120)
    second.join(timeout=120)

    assert len(renders) == 1
    assert responses["first"].status_code == responses["second"].status_code == 200
    one, two = _body(responses["first"]), _body(responses["second"])
    assert one == two and one.startswith(b"%PDF-")
    assert RenderedPdf.objects.count() == 1
    assert responses["second"]["X-Content-SHA256"] == RenderedPdf.objects.get().sha256


def test_a_reader_who_would_wait_too_long_gets_a_page_that_asks_again(lead_client, monkeypatch):
    snapshot = Snapshot.objects.get(la__code="873", month=MARCH, is_current=True)
    lock = pdf.pdf_render_lock_name(snapshot=snapshot)
    monkeypatch.setattr(pdf, "RENDER_WAIT_SECONDS", 0.5)
    assert cache.add(lock, "another process", timeout=60)  # a render elsewhere, running
    try:
        response = lead_client.get(PDF)
        assert response.status_code == 202
        assert response["Retry-After"] == "5"
        assert response["Cache-Control"] == "no-store"
        html = response.content.decode()
        assert "The March 2024 scorecard PDF is being prepared" in html
        assert '<meta http-equiv="refresh" content="5">' in html
        assert not RenderedPdf.objects.exists()  # it waited; it did not render
    finally:
        cache.delete(lock)

    again = lead_client.get(PDF)  # the render elsewhere is over: this reader renders it
    assert again.status_code == 200 and _body(again).startswith(b"%PDF-")
    assert cache.get(lock) is None  # and let go of the lock


def test_the_task_leaves_a_month_being_rendered_elsewhere_to_that_render(lead_client, monkeypatch):
    from scorecards import tasks

    snapshot = Snapshot.objects.get(la__code="873", month=MARCH, is_current=True)
    lock = pdf.pdf_render_lock_name(snapshot=snapshot)
    monkeypatch.setattr(tasks, "PDF_WAIT_SECONDS", 0.5)
    assert cache.add(lock, "a download", timeout=60)
    try:
        result = tasks.render_scorecard_pdf_task.delay(snapshot.la_id, MARCH.isoformat())
        assert result.get() == ""  # no second render, no failure
        assert not RenderedPdf.objects.exists()
    finally:
        cache.delete(lock)
