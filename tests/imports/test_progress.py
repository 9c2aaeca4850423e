"""Progress is recorded outside the import's transaction, without blocking on SQLite."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from imports.models import ImportBatch
from imports.services import BatchProgress, IncomingFile, import_batch_create, import_batch_run
from organisations.reference import authority_get
from tests.imports.conftest import WORKED_EXAMPLE


def _batch(la, files=WORKED_EXAMPLE) -> ImportBatch:
    incoming = [IncomingFile(name=n, handle=io.BytesIO(t.encode())) for n, t in files.items()]
    return import_batch_create(la=la, format_name="ssda903", files=incoming, year=2025)


def _seen_by_another_connection(batch_id: int) -> tuple[str, int]:
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT status, rows_written FROM imports_importbatch WHERE id = %s", [batch_id]
            )
            return cursor.fetchone()
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_write_transaction_is_visible_or_deferred_by_database():
    la = authority_get("873")
    batch = _batch(la)
    progress = BatchProgress(batch.pk, interval=0)
    progress.update(status=ImportBatch.Status.WRITING)

    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).exists()  # the transaction is really open
        progress.in_write = True
        progress.update(rows_written=5)
        if connection.vendor == "postgresql":
            # A second connection in autocommit: another reader sees it at once.
            assert progress.side_connections_opened == 1
            assert _seen_by_another_connection(batch.pk) == ("writing", 5)
        else:
            # SQLite: a second connection would wait for this one's write lock.
            assert progress.side_connections_opened == 0
        progress.in_write = False
        progress.close()

    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.WRITING


def test_a_listener_follows_the_batch_through_validating_writing_done(la):
    seen: list[tuple[str, int, int, int]] = []
    batch = _batch(la)

    finished = import_batch_run(batch_id=batch.pk, listener=lambda *state: seen.append(state))

    statuses = [s[0] for s in seen]
    assert statuses[0] == "validating" and statuses[-1] == "done"
    assert statuses.index("writing") < statuses.index("done")
    written = [s[2] for s in seen if s[0] == "writing"]
    assert written == sorted(written) and written[-1] == 14
    assert seen[-1] == ("done", 14, 14, 14)
    assert (finished.rows_total, finished.rows_validated, finished.rows_written) == (14, 14, 14)


def test_a_rejected_batch_stops_after_validating(la):
    seen: list[str] = []
    batch = _batch(la, {"Episodes.csv": "CHILD,DECOM\n"})

    finished = import_batch_run(batch_id=batch.pk, listener=lambda status, *_: seen.append(status))

    assert finished.status == "rejected"
    assert "writing" not in seen and seen[-1] == "rejected"


def test_an_unexpected_fault_leaves_a_failed_batch_and_nothing_written(la, monkeypatch):
    from children.models import Episode
    from imports.formats import ssda903

    def broken(ctx):
        ssda903.write(ctx)
        raise RuntimeError("disk full")

    failing = dataclasses.replace(ssda903.FORMAT, writer=broken)
    monkeypatch.setattr("imports.services.format_get", lambda name: failing)
    batch = _batch(la)

    finished = import_batch_run(batch_id=batch.pk)

    assert finished.status == ImportBatch.Status.FAILED
    assert (
        "RuntimeError: disk full" in finished.message and "nothing was written" in finished.message
    )
    assert not Episode.objects.exists()
