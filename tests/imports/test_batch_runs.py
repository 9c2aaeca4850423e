"""A batch runs once, a dead run is told from a slow one, and an admin runs it again.

``imports/batch_runs.py``: the claim (compare-and-set), the lease (``WORK_LEASE_SECONDS``,
90 here), the interrupted state, the lost-work sweep's part, "Run again". The real
processes being killed are in ``tests/faults``; these are the rules, on a frozen clock.
"""

from __future__ import annotations

import io
import os
import signal
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Episode
from imports import batch_runs
from imports.batch_runs import (
    MSG_NOT_INTERRUPTED,
    BatchBusy,
    batch_claim,
    batches_interrupted_sweep,
    batches_pending_sweep,
)
from imports.management.commands import import_extract
from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create, import_batch_run
from organisations.models import AuditEvent
from organisations.roles import ADMIN
from tests.access_helpers import roles_give
from tests.imports.conftest import WORKED_EXAMPLE, write_files

pytestmark = pytest.mark.django_db

NOON = "2025-01-10 12:00:00 +00:00"


@pytest.fixture(autouse=True)
def _leases(settings):
    settings.WORK_LEASE_SECONDS = 90
    settings.TASK_MAX_ATTEMPTS = 2
    settings.LOST_WORK_SWEEP_MINUTES = 5


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _pending(la) -> ImportBatch:
    files = [IncomingFile(name=n, handle=io.BytesIO(t.encode())) for n, t in WORKED_EXAMPLE.items()]
    return import_batch_create(la=la, format_name="ssda903", files=files, year=2025)


def _admin(la) -> User:
    user = User.objects.create_user("admin", password="x")
    roles_give(user, la, ADMIN)
    return user


def test_a_batch_is_claimed_once_and_busy_while_its_lease_holds(la, clock):
    batch = _pending(la)

    token = batch_claim(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.run_token, batch.attempts) == ("validating", token, 1)
    clock.shift(timedelta(seconds=90))  # the last second of the lease
    with pytest.raises(BatchBusy):
        batch_claim(batch_id=batch.pk)
    clock.shift(timedelta(seconds=1))  # lapsed: its holder died
    second = batch_claim(batch_id=batch.pk)
    batch.refresh_from_db()
    assert second != token and (batch.run_token, batch.attempts) == (second, 2)


def test_the_sweep_marks_only_runs_whose_lease_lapsed(la, clock):
    writing, slow = _pending(la), _pending(la)
    batch_claim(batch_id=writing.pk)
    ImportBatch.objects.filter(pk=writing.pk).update(
        status="writing", rows_total=12, rows_written=5
    )
    clock.shift(timedelta(seconds=60))
    batch_claim(batch_id=slow.pk)

    clock.shift(timedelta(seconds=30))  # 90 s after the first claim, 30 s after the second
    assert batches_interrupted_sweep() == []
    clock.shift(timedelta(seconds=1))
    assert batches_interrupted_sweep() == [writing.pk]

    writing.refresh_from_db()
    assert writing.status == "interrupted"
    assert writing.message == (
        "Interrupted while writing (5 of 12 rows): the process running it stopped (a worker "
        "restart or crash, or a killed command). Nothing was written. An admin can run it "
        "again from this page."
    )
    assert ImportBatch.objects.get(pk=slow.pk).status == "validating"


def test_a_batch_interrupted_on_its_last_attempt_is_not_run_again_by_itself(la, clock):
    batch = _pending(la)
    batch_claim(batch_id=batch.pk)
    clock.shift(timedelta(seconds=91))
    batch_claim(batch_id=batch.pk)  # the task given back: attempt 2 of 2
    clock.shift(timedelta(seconds=91))

    assert import_batch_run(batch_id=batch.pk).status == "interrupted"

    batch.refresh_from_db()
    assert batch.attempts == 2 and not Episode.objects.exists()
    assert batch.message.endswith(
        "It was started 2 times and interrupted each time, so it is not started again by itself."
    )


def test_a_run_whose_batch_was_taken_over_writes_nothing(la, caplog):
    """A run presumed dead (its lease lapsed while it stalled) must not commit over the run
    that took the batch over: its outcome is written only under its own token, else its
    write transaction rolls back."""
    batch = _pending(la)

    def taken_over(status: str, validated: int, written: int, total: int) -> None:
        if status == "writing" and written:  # inside the write transaction
            ImportBatch.objects.filter(pk=batch.pk).update(run_token="another-run")

    import_batch_run(batch_id=batch.pk, listener=taken_over)

    assert ImportBatch.objects.get(pk=batch.pk).status == "writing"  # not done, not failed
    assert not Episode.objects.exists()
    assert f"import batch {batch.pk}: taken over by another run" in caplog.text


def test_pending_batches_are_sent_again_after_a_sweep_interval(la, clock):
    batch = _pending(la)

    clock.shift(timedelta(minutes=5))
    assert batches_pending_sweep() == []
    clock.shift(timedelta(seconds=1))
    assert batches_pending_sweep() == [batch.pk]  # eager here: it has run
    assert ImportBatch.objects.get(pk=batch.pk).status == "done"


def test_sigterm_marks_an_import_extract_batch_interrupted_at_once(la, tmp_path, monkeypatch):
    folder = write_files(tmp_path / "SSDA903_2025", WORKED_EXAMPLE)
    handler_before = signal.getsignal(signal.SIGTERM)

    def run_terminated_while_writing(*, batch_id, listener):
        def listen(status: str, *counts: int) -> None:
            listener(status, *counts)
            validated, written, total = counts
            if status == "writing" and written:
                os.kill(os.getpid(), signal.SIGTERM)  # as `systemctl stop` or `timeout` does

        return import_batch_run(batch_id=batch_id, listener=listen)

    monkeypatch.setattr(import_extract, "import_batch_run", run_terminated_while_writing)
    with pytest.raises(CommandError, match=r"interrupted: nothing was written"):
        call_command("import_extract", str(folder), la="873", format="ssda903")

    batch = ImportBatch.objects.get()
    assert batch.status == "interrupted"
    assert batch.message == (
        "Interrupted: the import was stopped (Ctrl-C or a shutdown) while writing. Nothing was "
        "written. An admin can run it again from this page."
    )
    assert not Episode.objects.exists()
    assert signal.getsignal(signal.SIGTERM) == handler_before


def test_an_admin_runs_an_interrupted_batch_again_from_its_page(
    la, client, django_capture_on_commit_callbacks
):
    batch = _pending(la)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="interrupted", attempts=2, message="Interrupted while writing."
    )
    admin = _admin(la)
    client.force_login(admin)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Run again" in page and "Re-run as a dry run" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:batch_run_again", args=[batch.pk]), REMOTE_ADDR="10.0.0.7"
        )

    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == ("done", 1)
    assert Episode.objects.filter(la=la).count() == 8
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_RUN_AGAIN)
    assert (event.user, event.la, event.object_id, event.client_address) == (
        admin, la, str(batch.pk), "10.0.0.7"
    )  # fmt: skip


def test_only_an_interrupted_batch_can_be_run_again(la, client):
    batch = _pending(la)
    client.force_login(_admin(la))

    response = client.post(reverse("imports:batch_run_again", args=[batch.pk]), follow=True)

    assert MSG_NOT_INTERRUPTED in response.content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status == "pending"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_RUN_AGAIN).exists()
    assert batch_runs.MSG_RUN_AGAIN.format(user="admin") not in response.content.decode()
