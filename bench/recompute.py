"""Benchmark: recompute every indicator × 12 months, and how the cost grows with children.

Prints:
1. one authority of 1,000 children: all indicators × the 12 months of 2023/24, first
   write (a new version of every month), then an unchanged recompute (nothing written),
   with the time of loading, computing and writing (goal: under 2 s on PostgreSQL);
2. 100 authorities of 1,000 children (100,000): every authority × 12 months in one
   process, total time and peak resident memory (goal: under 60 s and 2 GB);
3. scaling: 1,000 → 10,000 → 100,000 children, both as more authorities of 1,000 (the
   production shape) and as one authority of 1,000, 10,000 and 100,000 children (the
   engine's own growth), in seconds per 1,000 children.

Usage (use a database of your own: the benchmark replaces the synthetic children of the
authorities it uses, whose ids start with BENCH-)::

    createdb -h 127.0.0.1 -U postgres cps_scorecards_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cps_scorecards_bench \\
        .venv/bin/python bench/recompute.py [--skip-generate] [--no-single-100k]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.casework_synthetic import synthetic_casework_generate  # noqa: E402
from bench.synthetic import synthetic_authorities_generate  # noqa: E402
from organisations.models import LocalAuthority  # noqa: E402
from scorecards import services  # noqa: E402
from scorecards.engine import la_data_load  # noqa: E402
from scorecards.models import Snapshot  # noqa: E402
from scorecards.periods import ReportingDates, financial_year_months  # noqa: E402

MONTHS = financial_year_months(2023)
TODAY = timezone.localdate()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recompute_timed(la: LocalAuthority) -> dict[str, float]:
    """One full recompute with the three phases timed separately (same code path)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    data = la_data_load(la=la)
    data.window_floor = services.window_floor(MONTHS)  # as snapshots_recompute does
    t1 = time.perf_counter()
    cells = [
        (dates, services.snapshot_cells_compute(data=data, dates=dates))
        for dates in (ReportingDates.for_month(m, today=TODAY) for m in MONTHS)
    ]
    t2 = time.perf_counter()
    written = 0
    for dates, month_cells in cells:
        _, new = services.snapshot_write(
            la=la, dates=dates, cells=month_cells, batch_ids=data.batch_ids,
            computed_at=timezone.now(),
        )  # fmt: skip
        written += new
    t3 = time.perf_counter()
    return {
        "children": len(data.children),
        "load": t1 - t0,
        "compute": t2 - t1,
        "write": t3 - t2,
        "total": t3 - t0,
        "cpu": time.process_time() - c0,
        "written": written,
    }


def recompute_service(la: LocalAuthority) -> float:
    t0 = time.perf_counter()
    services.snapshots_recompute(la=la, months=MONTHS, today=TODAY)
    return time.perf_counter() - t0


def _recompute_ids(la_ids: list[int]) -> tuple[float, float]:
    """Worker process: recompute these authorities; (cpu seconds, peak memory MB)."""
    connection.close()
    c0 = time.process_time()
    for la in LocalAuthority.objects.filter(pk__in=la_ids):
        recompute_service(la)
    return time.process_time() - c0, peak_rss_mb()


def recompute_many(las: list[LocalAuthority], processes: int) -> tuple[float, float, float]:
    """Recompute every authority, split across processes; (wall, cpu, peak MB per process)."""
    t0 = time.perf_counter()
    if processes <= 1:
        c0 = time.process_time()
        for la in las:
            recompute_service(la)
        return time.perf_counter() - t0, time.process_time() - c0, peak_rss_mb()
    connection.close()
    chunks = [[la.pk for la in las[i::processes]] for i in range(processes)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        results = pool.map(_recompute_ids, chunks)
    return (
        time.perf_counter() - t0,
        sum(r[0] for r in results),
        max(r[1] for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--no-single-100k", action="store_true")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="also run part 2 split by authority across N processes (as N Celery workers)",
    )
    args = parser.parse_args()

    name = connection.settings_dict["NAME"]
    print(f"database: {connection.vendor} {name}")
    call_command("migrate", verbosity=0)
    las = list(LocalAuthority.objects.filter(is_current=True).order_by("code")[:102])
    small, ten_k, hundred_k = las[:100], las[100], las[101]

    if not args.skip_generate:
        t0 = time.perf_counter()
        rows = synthetic_authorities_generate(authorities=small, children_per_la=1000)
        rows += synthetic_authorities_generate(authorities=[ten_k], children_per_la=10_000, seed=7)
        if not args.no_single_100k:
            rows += synthetic_authorities_generate(
                authorities=[hundred_k], children_per_la=100_000, seed=8
            )
        casework = [*small, ten_k] if args.no_single_100k else [*small, ten_k, hundred_k]
        rows += synthetic_casework_generate(authorities=casework)
        print(f"generated {rows:,} rows (casework included) in {time.perf_counter() - t0:.1f}s")
    Snapshot.objects.filter(la__in=[*small, ten_k, hundred_k]).delete()

    print("\n1. one authority of 1,000 children, all indicators × 12 months")
    first = recompute_timed(small[0])
    again = recompute_timed(small[0])
    for label, r in (("first (writes 12 versions)", first), ("again (unchanged)", again)):
        print(
            f"   {label:28s} {r['total']:.2f}s wall ({r['cpu']:.2f}s CPU): load "
            f"{r['load']:.2f}s, compute {r['compute']:.2f}s, write {r['write']:.2f}s "
            f"({r['written']} months written)"
        )

    print("\n2. 100 authorities × 1,000 children (100,000), all indicators × 12 months")
    gc.collect()
    Snapshot.objects.filter(la__in=small).delete()
    wall, cpu, peak = recompute_many(small, 1)
    print(
        f"   one process: {wall:.1f}s wall ({cpu:.1f}s CPU), {wall / len(small):.2f}s per "
        f"authority; peak memory {peak:.0f} MB"
    )
    if args.processes > 1:
        Snapshot.objects.filter(la__in=small).delete()
        wall, cpu, peak = recompute_many(small, args.processes)
        print(
            f"   {args.processes} processes: {wall:.1f}s wall ({cpu:.1f}s CPU in all); peak "
            f"memory {peak:.0f} MB per process"
        )

    print("\n3. scaling (seconds per 1,000 children; flat = linear)")
    for n in (1, 10, 100):
        Snapshot.objects.filter(la__in=small[:n]).delete()
        seconds, cpu, _ = recompute_many(small[:n], 1)
        print(f"   {n:3d} authorities × 1,000 = {n * 1000:>7,} children: {seconds:6.1f}s "
              f"wall, {cpu:6.1f}s CPU ({cpu / n:.2f}s CPU per 1,000)")  # fmt: skip
    singles = [(small[1], 1000), (ten_k, 10_000)]
    if not args.no_single_100k:
        singles.append((hundred_k, 100_000))
    for la, n in singles:
        gc.collect()
        before = peak_rss_mb()
        r = recompute_timed(la)
        print(
            f"   one authority of {n:>7,} children: {r['total']:6.1f}s wall, {r['cpu']:.1f}s "
            f"CPU ({r['cpu'] / (n / 1000):.2f}s CPU per 1,000; load {r['load']:.1f}s, compute "
            f"{r['compute']:.1f}s, write {r['write']:.2f}s); peak memory "
            f"{max(before, peak_rss_mb()):.0f} MB"
        )


if __name__ == "__main__":
    main()
