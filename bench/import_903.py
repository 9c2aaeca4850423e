"""Benchmark: a synthetic SSDA903 return of 200,000 episodes through the importer.

Prints, in one run:
- rows/s validated + written for a fresh import (Header + Episodes, periods of care and
  placements derived), with the time of each step;
- rows/s for a re-import of the same files (every row unchanged, nothing written);
- rows/s of a plain django-import-export ``ModelResource`` (default Meta settings; only the
  column → field mapping the 903 headers need) on the same episodes, and the ratio;
- the process's peak resident memory in each phase of the fresh import (sampled);
- the goals: the fresh import within 1.5× of PostgreSQL's own ``COPY`` of the same stored
  rows, a re-import of the unchanged file at least 4× faster than the fresh import, peak
  memory under 500 MB;
- PostgreSQL's own cost of storing the same rows: the fresh import's stored children,
  headers, periods of care, placements and episodes copied out, deleted, and ``COPY``-ed
  back in one transaction with its commit (foreign-key checks). No Python work at all:
  the ceiling any importer of this schema can reach on this machine.

Usage (use a database of your own: the benchmark empties the authority it loads)::

    createdb -h 127.0.0.1 -U postgres cps_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cps_import_bench \\
        .venv/bin/python bench/import_903.py [--rows 200000] [--baseline-rows 10000]

The django-import-export run is rolled back. It saves one row at a time, so by default it
runs on the first ``--baseline-rows`` episodes of the same file (its rate does not depend
on the file size); ``--baseline-rows 0`` runs the whole file.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
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
from django.db import connection, transaction  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from children.models import Child, Episode  # noqa: E402
from imports.services import IncomingFile, import_batch_create, import_batch_run  # noqa: E402
from organisations.reference import authority_get  # noqa: E402

YEAR = 2025
PLACES = ["U1", "U2", "U3", "U4", "U5", "U6", "K2", "R3", "S1"]
ETHNIC = ["WBRI", "WOTH", "MWBC", "AIND", "BAFR", "CHNE", "OOTH"]


def episodes_generate(rows: int, folder: Path, seed: int = 903) -> tuple[Path, Path, int]:
    """Header.csv and Episodes.csv: 4 chained episodes per child, all valid 903 codes."""
    rng = random.Random(seed)
    children = (rows + 3) // 4
    header = {"CHILD": [], "SEX": [], "DOB": [], "ETHNIC": [], "UPN": [], "MOTHER": [],
              "MC_DOB": []}  # fmt: skip
    cols = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
            "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]  # fmt: skip
    episodes = {c: [] for c in cols}
    made = 0
    for n in range(children):
        child = f"C{n:07d}"
        dob = date(2007, 4, 1) + timedelta(days=rng.randrange(0, 365 * 13))
        sex = rng.choice("MF")
        header["CHILD"].append(child)
        header["SEX"].append(sex)
        header["DOB"].append(dob.strftime("%d/%m/%Y"))
        header["ETHNIC"].append(rng.choice(ETHNIC))
        header["UPN"].append(f"A{rng.randrange(10**11, 10**12):012d}")
        header["MOTHER"].append("0" if sex == "F" else "")
        header["MC_DOB"].append("")
        start = date(2023, 4, 1) + timedelta(days=rng.randrange(0, 300))
        cin = rng.choice(["N1", "N2", "N4", "N5"])
        home = f"CB{rng.randrange(1, 9)} {rng.randrange(1, 9)}AB"
        for k in range(4):
            if made >= rows:
                break
            last = k == 3
            end = start + timedelta(days=rng.randrange(20, 120))
            open_end = last and rng.random() < 0.6
            episodes["CHILD"].append(child)
            episodes["DECOM"].append(start.strftime("%d/%m/%Y"))
            episodes["RNE"].append("S" if k == 0 else rng.choice("PLTB"))
            episodes["LS"].append(rng.choice(["C1", "C2", "V2"]))
            episodes["CIN"].append(cin)
            episodes["PLACE"].append(rng.choice(PLACES))
            episodes["PLACE_PROVIDER"].append(rng.choice(["PR1", "PR4"]))
            episodes["DEC"].append("" if open_end else end.strftime("%d/%m/%Y"))
            episodes["REC"].append("" if open_end else ("E8" if last else "X1"))
            episodes["REASON_PLACE_CHANGE"].append("" if open_end or last else "CARPL")
            episodes["HOME_POST"].append(home)
            episodes["PL_POST"].append(f"PE{rng.randrange(1, 9)} {rng.randrange(1, 9)}XY")
            episodes["URN"].append(f"SC{rng.randrange(100000, 999999)}")
            made += 1
            start = end
    header_path = folder / f"SSDA903_{YEAR}_Header.csv"
    episodes_path = folder / f"SSDA903_{YEAR}_Episodes.csv"
    pl.DataFrame(header).write_csv(header_path)
    pl.DataFrame(episodes).write_csv(episodes_path)
    return header_path, episodes_path, children


def authority_empty(la) -> None:
    Child.objects.filter(la=la).delete()


class RssSampler:
    """Peak resident memory per import phase, sampled every 10 ms from /proc."""

    def __init__(self) -> None:
        self.phase = "setup"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        with open("/proc/self/statm") as statm:
            while not self._stop.wait(0.01):
                statm.seek(0)
                rss = int(statm.read().split()[1]) * page / 2**20
                self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_import(la, paths: list[Path], sampler: RssSampler | None = None):
    files = [IncomingFile(name=p.name, path=p) for p in paths]
    started = time.perf_counter()
    batch = import_batch_create(la=la, format_name="ssda903", files=files, year=YEAR)

    def listener(status: str, *_counts: int) -> None:
        if sampler is not None:
            sampler.phase = status

    batch = import_batch_run(batch_id=batch.pk, listener=listener)
    return time.perf_counter() - started, batch


def recompute_deferred(*, batch_id: int) -> None:
    """The scorecard recompute an import asks for is the indicator engine's cost (see
    bench/recompute.py); here it is only recorded, as before that engine existed."""
    from imports.models import ImportBatch

    ImportBatch.objects.filter(pk=batch_id).update(recompute_due=True)


class EpisodeResource(resources.ModelResource):
    """A plain ModelResource: default Meta, only the mapping of 903 headers to fields."""

    la = fields.Field(attribute="la_id", column_name="LA")
    child = fields.Field(
        attribute="child", column_name="CHILD", widget=widgets.ForeignKeyWidget(Child, "child_id")
    )
    decom = fields.Field(
        attribute="decom", column_name="DECOM", widget=widgets.DateWidget("%d/%m/%Y")
    )
    rne = fields.Field(attribute="rne", column_name="RNE")
    ls = fields.Field(attribute="ls", column_name="LS")
    cin = fields.Field(attribute="cin", column_name="CIN")
    place = fields.Field(attribute="place", column_name="PLACE")
    place_provider = fields.Field(attribute="place_provider", column_name="PLACE_PROVIDER")
    dec = fields.Field(attribute="dec", column_name="DEC", widget=widgets.DateWidget("%d/%m/%Y"))
    rec = fields.Field(attribute="rec", column_name="REC")
    reason_place_change = fields.Field(
        attribute="reason_place_change", column_name="REASON_PLACE_CHANGE"
    )
    home_post = fields.Field(attribute="home_post", column_name="HOME_POST")
    pl_post = fields.Field(attribute="pl_post", column_name="PL_POST")
    urn = fields.Field(attribute="urn", column_name="URN")

    class Meta:
        model = Episode
        fields = ("id", "la", "child", "decom", "rne", "ls", "cin", "place", "place_provider",
                  "dec", "rec", "reason_place_change", "home_post", "pl_post", "urn")  # fmt: skip


#: Tables the fresh import stores, parents first, with the rows of one authority.
FLOOR_TABLES = (
    ("children_child", "la_id = {la}"),
    ("children_childheader", "child_id IN (SELECT id FROM children_child WHERE la_id = {la})"),
    ("children_periodofcare", "la_id = {la}"),
    ("placements_placement", "la_id = {la}"),
    ("children_episode", "la_id = {la}"),
)


def stored_rows_dump(la) -> list[tuple[str, bytes, int]]:
    """The authority's stored rows of ``FLOOR_TABLES``, as COPY text."""
    dumps = []
    with connection.cursor() as cursor:
        for table, where in FLOOR_TABLES:
            chunks = []
            sql = f"COPY (SELECT * FROM {table} WHERE {where.format(la=int(la.pk))}) TO STDOUT"
            with cursor.copy(sql) as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            data = b"".join(chunks)
            dumps.append((table, data, data.count(b"\n")))
    return dumps


def stored_rows_load(dumps: list[tuple[str, bytes, int]]) -> tuple[float, float]:
    """COPY the dumps back in one transaction: (seconds of COPY, seconds of commit)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data, _ in dumps:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(data)
        copied = time.perf_counter() - started
    return copied, time.perf_counter() - started - copied


def run_import_export(la, episodes_path: Path, rows: int) -> tuple[float, int]:
    """Rows/s through django-import-export, rolled back afterwards."""
    import tablib

    frame = pl.read_csv(episodes_path, infer_schema=False).fill_null("")
    if rows:
        frame = frame.head(rows)
    dataset = tablib.Dataset(headers=["id", *frame.columns, "LA"])
    for row in frame.iter_rows():
        dataset.append(["", *row, la.pk])
    Episode.objects.filter(la=la).delete()  # the resource inserts: start from no episodes
    started = time.perf_counter()
    with transaction.atomic():
        result = EpisodeResource().import_data(dataset, raise_errors=True)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    assert not result.has_errors() and not result.has_validation_errors()
    return elapsed, frame.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--la", default="873")
    parser.add_argument("--force", action="store_true", help="allow a database not named *bench*")
    args = parser.parse_args()

    name = str(connection.settings_dict["NAME"])
    if "bench" not in name and not args.force:
        sys.exit(f"Refusing to empty authority {args.la} in database {name!r}: use a *bench* db.")
    la = authority_get(args.la)
    load = os.getloadavg()[0]
    print(f"database: {connection.vendor} {name}; Python {sys.version.split()[0]}; "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")  # fmt: skip
    import imports.services

    imports.services.recompute_request = recompute_deferred
    with tempfile.TemporaryDirectory() as tmp:
        settings.MEDIA_ROOT = Path(tmp) / "media"
        folder = Path(tmp)
        header_path, episodes_path, children = episodes_generate(args.rows, folder)
        paths = [header_path, episodes_path]
        total = args.rows + children
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"generated {args.rows:,} episodes for {children:,} children ({size:.1f} MB)")

        authority_empty(la)
        with RssSampler() as sampler:
            wall, batch = run_import(la, paths, sampler)
        assert batch.status == "done", (batch.status, batch.message)
        elapsed = batch.duration_seconds  # validate + write + derive, as the batch records
        steps = batch.issue_summary.get("timings", {})
        print(f"fresh import: {total:,} rows (Header + Episodes) validated, written and "
              f"derived in {elapsed:.2f}s = {total / elapsed:,.0f} rows/s; wall incl. commit "
              f"{wall:.2f}s = {total / wall:,.0f} rows/s; "
              f"{batch.counts['Episodes']['inserted']:,} episodes inserted")  # fmt: skip
        print(f"  steps (s): {steps}")
        peaks = ", ".join(f"{k} {v:,.0f}" for k, v in sampler.peaks.items())
        print(f"  peak RSS by phase (MB): {peaks}")

        dumps = stored_rows_dump(la)

        wall2, batch2 = run_import(la, paths)
        elapsed2 = batch2.duration_seconds
        counts2 = batch2.counts["Episodes"]
        print(f"re-import: {total:,} rows in {elapsed2:.2f}s = {total / elapsed2:,.0f} rows/s, "
              f"wall {wall2:.2f}s; episodes unchanged {counts2['unchanged']:,}, inserted "
              f"{counts2['inserted']}, updated {counts2['updated']}; steps "
              f"{batch2.issue_summary.get('timings')}")  # fmt: skip

        authority_empty(la)
        copied, committed = stored_rows_load(dumps)
        stored = sum(n for _, _, n in dumps)
        floor = copied + committed
        print(f"PostgreSQL alone, the same {stored:,} stored rows by COPY in one transaction: "
              f"{copied:.2f}s + commit {committed:.2f}s = {floor:.2f}s, i.e. at most "
              f"{total / floor:,.0f} file rows/s for any importer of this schema here "
              f"(the import took {wall / floor:.1f}× that)")  # fmt: skip
        del dumps

        base_elapsed, base_rows = run_import_export(la, episodes_path, args.baseline_rows)
        base_rate = base_rows / base_elapsed
        print(f"django-import-export ModelResource: {base_rows:,} episodes in "
              f"{base_elapsed:.2f}s = {base_rate:,.0f} rows/s")  # fmt: skip
        print(f"ratio (episodes/s ÷ import-export rows/s): fresh incl. derive and commit "
              f"{args.rows / wall / base_rate:,.1f}×, re-import "
              f"{args.rows / elapsed2 / base_rate:,.1f}×")  # fmt: skip
        peak = max(sampler.peaks.values(), default=0.0)
        print("goals: "
              f"fresh import ÷ PostgreSQL's own COPY {wall / floor:.2f}× (goal ≤ 1.5×); "
              f"fresh ÷ re-import of the unchanged file {wall / wall2:.1f}× (goal ≥ 4×); "
              f"peak RSS {peak:,.0f} MB (goal < 500 MB)")  # fmt: skip
        authority_empty(la)


if __name__ == "__main__":
    main()
