"""Benchmark: 500,000 SSD statutory visits (``ssd_cla_visits``) through the importer.

Prints, in one run:
- rows/s validated + written for a fresh import of the visits file (the children are
  loaded first, from ``ssd_person``, in a batch of their own that is not timed);
- rows/s for a re-import of the same file (every row unchanged, nothing written);
- rows/s for a weekly partial feed: the same file with one visit in fifty moved by a day
  and one in a hundred dropped (updates and removals within the file's date range);
- the process's peak resident memory.

The snapshot recompute an import asks for on commit runs on a Celery worker in production;
here (eager Celery) it would run inside the timed call, so the benchmark replaces the
request with marking the batch ``recompute_due``: it measures the import, not the engine.

Usage (use a database of your own: the benchmark empties the authority it loads)::

    createdb -h 127.0.0.1 -U postgres cps_ssd_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cps_ssd_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cps_ssd_bench \\
        .venv/bin/python bench/import_ssd_visits.py [--rows 500000] [--children 25000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import polars as pl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

import imports.services  # noqa: E402
from children.models import Child  # noqa: E402
from imports.models import ImportBatch  # noqa: E402
from imports.services import IncomingFile, import_batch_create, import_batch_run  # noqa: E402
from organisations.reference import authority_get  # noqa: E402
from reviews.models import StatutoryVisit  # noqa: E402

AS_AT = date(2025, 3, 31)
TARGET_ROWS_PER_SECOND = 100_000


def files_generate(folder: Path, rows: int, children: int, seed: int = 28) -> tuple[Path, Path]:
    """ssd_person.csv and ssd_cla_visits.csv in SQL Server's datetime form, as SystemC sends."""
    rng = random.Random(seed)
    ids = [f"{n:07d}" for n in range(1, children + 1)]
    dobs = [date(2007, 4, 1) + timedelta(days=rng.randrange(0, 365 * 16)) for _ in ids]
    pl.DataFrame(
        {
            "pers_person_id": ids,
            "pers_sex": [rng.choice("MF") for _ in ids],
            "pers_dob": [d.isoformat() + " 00:00:00.000" for d in dobs],
        }
    ).write_csv(folder / "ssd_person.csv")
    start = date(2019, 4, 1)
    span = (AS_AT - start).days
    visits = {
        "clav_cla_visit_id": [f"{n}" for n in range(1, rows + 1)],
        "clav_cla_id": [],
        "clav_person_id": [],
        "clav_cla_visit_date": [],
        "clav_cla_visit_seen": [],
        "clav_cla_visit_seen_alone": [],
    }
    for _ in range(rows):
        child = rng.randrange(children)
        visits["clav_cla_id"].append(f"P{child}")
        visits["clav_person_id"].append(ids[child])
        day = start + timedelta(days=rng.randrange(span))
        visits["clav_cla_visit_date"].append(day.isoformat() + " 00:00:00.000")
        seen = rng.random() < 0.93
        visits["clav_cla_visit_seen"].append("Y" if seen else "N")
        visits["clav_cla_visit_seen_alone"].append("Y" if seen and rng.random() < 0.6 else "N")
    visits_path = folder / "ssd_cla_visits.csv"
    pl.DataFrame(visits).write_csv(visits_path)
    return folder / "ssd_person.csv", visits_path


def weekly_feed(visits_path: Path, folder: Path) -> Path:
    """The same visits with one in fifty moved a day later and one in a hundred gone."""
    frame = pl.read_csv(visits_path, infer_schema=False).with_row_index("n")
    moved = (pl.col("n") % 50 == 7) & ~pl.col("clav_cla_visit_date").str.starts_with("2025-03-31")
    frame = frame.filter(pl.col("n") % 100 != 3).with_columns(
        pl.when(moved)
        .then(
            (
                pl.col("clav_cla_visit_date").str.slice(0, 10).str.to_date() + pl.duration(days=1)
            ).dt.strftime("%Y-%m-%d")
        )
        .otherwise(pl.col("clav_cla_visit_date"))
        .alias("clav_cla_visit_date")
    )
    path = folder / "week" / "ssd_cla_visits.csv"
    path.parent.mkdir()
    frame.drop("n").write_csv(path)
    return path


def authority_empty(la) -> None:
    """Delete the authority's children and visits, and vacuum: a first import of a clean table."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_statutoryvisit WHERE la_id = %s", [la.pk])
    Child.objects.filter(la=la).delete()
    with connection.cursor() as cursor:
        for table in ("reviews_statutoryvisit", "children_child"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def recompute_mark(*, batch_id: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(recompute_due=True)


imports.services.recompute_request = recompute_mark


STEPS: dict[str, float] = {}


def run(la, path: Path) -> tuple[float, object]:
    """Seconds for one batch; ``STEPS`` gets when validation and the write ended."""
    started = time.perf_counter()
    batch = import_batch_create(
        la=la, format_name="ssd", files=[IncomingFile(name=path.name, path=path)], as_at=AS_AT
    )
    STEPS.clear()

    def listener(status: str, validated: int, written: int, total: int) -> None:
        STEPS.setdefault(str(status), time.perf_counter() - started)

    batch = import_batch_run(batch_id=batch.pk, listener=listener)
    return time.perf_counter() - started, batch


def steps_text(elapsed: float, batch) -> str:
    """Validation, writing up to the batch's finish, and commit (deferred foreign-key checks)."""
    validated = STEPS.get("writing", 0.0)
    written = (batch.finished_at - batch.started_at).total_seconds() if batch.finished_at else 0
    return (f"validate {validated:.2f}s, write {max(written - validated, 0):.2f}s, "
            f"commit {max(elapsed - written, 0):.2f}s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--children", type=int, default=25_000)
    parser.add_argument("--la", default="873")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL (see the module docstring).")
    la = authority_get(args.la)
    authority_empty(la)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings.MEDIA_ROOT = str(folder / "media")
        persons, visits = files_generate(folder, args.rows, args.children)
        _, batch = run(la, persons)
        assert batch.status == "done", batch.message

        elapsed, batch = run(la, visits)
        assert batch.status == "done", batch.message
        written = StatutoryVisit.objects.filter(la=la).count()
        assert written == args.rows, written
        fresh = args.rows / elapsed
        print(f"fresh import: {args.rows:,} visits in {elapsed:.2f}s = {fresh:,.0f} rows/s "
              f"(validated + written; target {TARGET_ROWS_PER_SECOND:,}): "
              f"{steps_text(elapsed, batch)}")  # fmt: skip

        elapsed, batch = run(la, visits)
        counts = batch.counts["ssd_cla_visits"]
        assert counts["unchanged"] == args.rows, counts
        print(f"re-import (nothing changed): {args.rows / elapsed:,.0f} rows/s: "
              f"{steps_text(elapsed, batch)}")  # fmt: skip

        week = weekly_feed(visits, folder)
        elapsed, batch = run(la, week)
        counts = batch.counts["ssd_cla_visits"]
        print(f"weekly feed: {counts['read']:,} rows in {elapsed:.2f}s = "
              f"{counts['read'] / elapsed:,.0f} rows/s ({counts['updated']:,} updated, "
              f"{counts['removed']:,} removed)")  # fmt: skip

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MB")
    authority_empty(la)
    if fresh < TARGET_ROWS_PER_SECOND:
        sys.exit(f"below the target of {TARGET_ROWS_PER_SECOND:,} rows/s")


if __name__ == "__main__":
    main()
