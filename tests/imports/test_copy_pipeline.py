"""``CopyPipeline``: background bulk writes in the caller's transaction (PostgreSQL: a
real second thread on the same connection; other databases: the caller's thread)."""

from __future__ import annotations

import sys
from datetime import date

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction

from children.models import Child, Episode
from imports.bulk import CopyPipeline, frame_insert, ids_reserve
from organisations.models import LocalAuthority


@pytest.fixture
def la(db):
    la, _ = LocalAuthority.objects.get_or_create(
        code="873", defaults={"ons_code": "E10000003", "name": "Cambridgeshire"}
    )
    return la


def children_frame(la: LocalAuthority, names: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"la_id": [la.pk] * len(names), "child_id": names, "dob": [date(2015, 3, 31)] * len(names)}
    )


def episode_frame(la: LocalAuthority, child_pk: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "la_id": [la.pk],
            "child_id": [child_pk],
            "decom": [date(2024, 4, 1)],
            "rne": ["S"],
            "ls": ["C2"],
            "cin": ["N1"],
            "place": ["U1"],
        }
    )


def test_groups_are_stored_in_order_and_in_the_callers_transaction(la):
    with transaction.atomic():
        with CopyPipeline() as pipeline:
            for n in range(3):

                def store(conn, n=n):
                    (child_pk,) = frame_insert(
                        model=Child, frame=children_frame(la, [f"P{n}"]), conn=conn
                    )
                    frame_insert(model=Episode, frame=episode_frame(la, child_pk), conn=conn)

                pipeline.submit(store)
        assert list(Child.objects.order_by("pk").values_list("child_id", flat=True)) == [
            "P0",
            "P1",
            "P2",
        ]
        assert Episode.objects.filter(child__child_id="P2").count() == 1
        transaction.set_rollback(True)
    assert not Child.objects.filter(child_id__startswith="P").exists()


def test_an_error_in_a_background_write_reaches_the_caller(la):
    def store(conn):
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"), transaction.atomic():
        pipeline = CopyPipeline().__enter__()
        pipeline.submit(store)
        try:
            pipeline.submit(lambda conn: None)  # waits for the first, which raised
        finally:
            pipeline.__exit__(*sys.exc_info())


def test_a_missing_parent_is_refused_inside_the_pipeline_not_at_commit(la):
    (missing,) = ids_reserve(Child, 1)

    with pytest.raises(IntegrityError), transaction.atomic(), CopyPipeline() as pipeline:
        pipeline.submit(
            lambda conn: frame_insert(model=Episode, frame=episode_frame(la, missing), conn=conn)
        )
        pipeline.wait()
        if connection.vendor != "postgresql":  # SQLite checks keys at commit only
            connection.check_constraints()
    assert not Episode.objects.exists()


def test_the_pipeline_restores_deferred_checks_and_the_switch_interval(la):
    interval = sys.getswitchinterval()
    with transaction.atomic():
        with CopyPipeline() as pipeline:
            pipeline.submit(
                lambda conn: frame_insert(model=Child, frame=children_frame(la, ["Q1"]), conn=conn)
            )
        assert sys.getswitchinterval() == interval
        # Deferred again: a child row may now precede its parent within the transaction.
        (parent,) = ids_reserve(Child, 1)
        frame_insert(model=Episode, frame=episode_frame(la, parent), conn=connection)
        frame_insert(
            model=Child, frame=children_frame(la, ["Q2"]).with_columns(pl.lit(parent).alias("id"))
        )
        assert Episode.objects.get(child_id=parent).child.child_id == "Q2"


def test_overlapping_pipelines_restore_the_switch_interval_only_when_the_last_ends():
    from imports.bulk import _SWITCH_INTERVAL, _switch_interval_lower, _switch_interval_restore

    before = sys.getswitchinterval()
    _switch_interval_lower()  # one import's pipeline starts…
    _switch_interval_lower()  # …and another's, in another thread of the same process
    _switch_interval_restore()  # the first ends: the second still runs
    assert sys.getswitchinterval() == pytest.approx(_SWITCH_INTERVAL)
    _switch_interval_restore()
    assert sys.getswitchinterval() == before
