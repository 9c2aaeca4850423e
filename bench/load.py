"""Load benchmark: 20 signed-in users on gunicorn + PostgreSQL + Redis, then the same load
while a 200,000-row SSDA903 import and a recompute run.

Why: issue 12 asks whether the pages stay quick for a committee meeting's worth of readers
(p95 < 150 ms for pages, < 100 ms for stored PDFs, no errors) and while the data team
imports a year's return (page p95 < 300 ms).

The site is started the way the README's "Running in production" section says (gunicorn
with ``config/gunicorn.conf.py``, a Celery worker under ``nice -n 10`` with concurrency 1
and beat, PostgreSQL and Redis URLs, collectstatic + WhiteNoise, DEBUG=0), except for the
settings that let it run over plain HTTP on loopback: ``SECURE_SSL_REDIRECT=0
SECURE_COOKIES=0`` (and no HSTS). The import and the recompute of phase 2 are heavy
management commands, so they run under ``nice -n 10`` as the README says.

Each phase also reports where the CPU went: seconds of CPU of gunicorn, the worker, the
import and recompute commands, the PostgreSQL backend serving each of them (told apart by
``PGAPPNAME``), other PostgreSQL processes, and everything else on the machine (other
people's work: the figures are only comparable on a quiet machine).

Bounded: loopback only (127.0.0.1), each phase lasts ``--seconds`` (60) and at most
``--max-requests`` per user; every user waits ``--think`` (1 s) between requests.

Usage (its own database, created when missing; demo data made once and then reused)::

    .venv/bin/python bench/load.py [--users 20] [--seconds 60] [--scale 1.0] [--skip-import]

Prints, per phase and page kind: requests, req/s, p50/p95/p99 latency (ms) and errors;
then the CPU seconds per process group.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUTPUT = BASE_DIR / "bench" / "output" / "load"
DATABASE = "cps_load_bench"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/5"  # a db number of its own: no other worker takes its tasks
DEMO_TODAY = "2025-10-15"
USER, PASSWORD = "admin", "Demo-Admin-Pass-2024!"  # the demo admin (synthetic data only)
IMPORT_LA = "822"  # not a demo authority: the import does not change the pages under load
IMPORT_YEAR = 2025
PY = sys.executable
NICE = ("nice", "-n", "10")  # the README: the worker and heavy commands yield to the pages
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def site_env() -> dict[str, str]:
    """The production environment of the README, plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATA_DIR": str(OUTPUT / "data"),
        "STATIC_ROOT": str(OUTPUT / "static"),
        "LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def database_ensure() -> None:
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if exists != "1":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
             f"CREATE DATABASE {DATABASE}"],
            check=True, capture_output=True,
        )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(env: dict[str, str], name: str, *args: str) -> subprocess.Popen:
    """Start a process logging to ``name.log``; its database sessions are named ``cps-name``."""
    log = (OUTPUT / f"{name}.log").open("wb")
    return subprocess.Popen(
        args,
        cwd=BASE_DIR,
        env={**env, "PGAPPNAME": f"cps-{name}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


class CpuSampler:
    """CPU seconds per process group during a phase, read from ``/proc`` every second.

    PostgreSQL backends are attributed to the bench process they serve by their
    ``application_name`` (``start`` sets ``PGAPPNAME``); a process that ends during the
    phase counts with its last reading.
    """

    GROUPS = ("gunicorn", "worker", "beat", "import", "recompute")

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.group: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = 0.0
        import psycopg  # noqa: PLC0415 (the venv's driver; one connection, no psql per sample)

        self.database = psycopg.connect(f"{PG}/postgres", autocommit=True)

    @staticmethod
    def _cpu_seconds() -> dict[int, float]:
        out = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                out[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            except (OSError, IndexError, ValueError):
                continue
        return out

    def _backends(self) -> dict[int, str]:
        rows = self.database.execute(
            "SELECT pid, application_name FROM pg_stat_activity "
            "WHERE datname = %s AND application_name LIKE 'cps-%%'",
            [DATABASE],
        ).fetchall()
        return {pid: f"postgres for {name.removeprefix('cps-')}" for pid, name in rows}

    def _classify(self, pid: int, backends: dict[int, str]) -> str:
        if pid in backends:
            return backends[pid]
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/comm", "rb") as handle:
                name = handle.read().decode(errors="replace").strip()
        except OSError:
            return "other (outside the bench)"
        if "gunicorn" in command:
            return "gunicorn"
        if "celery" in command:
            return "beat" if " beat" in command else "worker"
        if "import_extract" in command:
            return "import"
        if "recompute_snapshots" in command:
            return "recompute"
        if name.startswith("postgres") or command.startswith("postgres"):
            return "postgres (other)"
        if "redis" in name:
            return "redis"
        if pid == os.getpid():
            return "bench (the 20 users)"
        return "other (outside the bench)"

    def _sample(self) -> None:
        readings = self._cpu_seconds()
        backends = self._backends()
        for pid, seconds in readings.items():
            if pid not in self.first:
                # Started during the phase: all of its CPU belongs to the phase.
                self.first[pid] = 0.0 if self.started else seconds
                self.group[pid] = self._classify(pid, backends)
            elif pid in backends:
                self.group[pid] = backends[pid]
            self.last[pid] = seconds

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample()
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.started
        self._stop.set()
        self._thread.join()
        self._sample()
        self.database.close()

    def report(self) -> None:
        totals: dict[str, float] = defaultdict(float)
        for pid, last in self.last.items():
            totals[self.group[pid]] += max(0.0, last - self.first.get(pid, 0.0))
        capacity = self.elapsed * (os.cpu_count() or 1)
        load = os.getloadavg()[0]
        print(f"  CPU seconds in {self.elapsed:.0f} s ({capacity:.0f} s of "
              f"{os.cpu_count()} cores; load average {load:.1f} at the end):")  # fmt: skip
        for group, seconds in sorted(totals.items(), key=lambda item: -item[1]):
            if seconds >= 0.5:
                print(f"    {group:<28}{seconds:>7.1f} s {100 * seconds / capacity:>5.0f}%")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


class User:
    """One signed-in reader with their own cookie jar."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read(), response.geturl()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), path
        except OSError:  # a timeout or a refused connection counts as an error, not a crash
            return 0, b"", path

    def login(self) -> None:
        _, body, _ = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD, "next": "/"}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=30) as response:
            if "/login/" in response.geturl():
                sys.exit("sign-in failed (is the demo admin there? is the account locked?)")


def urls_discover(user: User) -> dict[str, list[str]]:
    """The latest month's pages of both demo authorities, and their PDFs (rendered now, so
    that the load reads stored PDFs)."""
    urls: dict[str, list[str]] = defaultdict(list)
    for code in ("873", "874"):
        _, _, final = user.get(f"/la/{code}/scorecard/")
        month = re.search(r"/scorecard/(\d{4}-\d{2})/", final).group(1)
        urls["scorecard"].append(f"/la/{code}/scorecard/{month}/")
        urls["dashboard"].append(f"/la/{code}/dashboard/{month}/")
        urls["worklist"].append(f"/la/{code}/my-team/")
        urls["pdf"].append(f"/la/{code}/scorecard/{month}/scorecard.pdf")
    for paths in urls.values():
        for path in paths:
            status, body, _ = user.get(path)  # warm: templates, caches, the stored PDF
            if status != 200:
                sys.exit(f"warm-up GET {path} answered {status}")
    return urls


def load_run(
    base: str, urls: dict[str, list[str]], users: int, seconds: float, think: float,
    max_requests: int,
) -> dict[str, list[tuple[float, bool]]]:  # fmt: skip
    """``users`` threads, each signed in, picking a page kind at random after each pause."""
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    sessions = []
    for _ in range(users):
        user = User(base)
        user.login()
        sessions.append(user)
    deadline = time.monotonic() + seconds
    kinds = list(urls)

    def worker(user: User, seed: int) -> None:
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, think))  # spread the first requests
        for _ in range(max_requests):
            if time.monotonic() >= deadline:
                return
            kind = rng.choice(kinds)
            path = rng.choice(urls[kind])
            started = time.perf_counter()
            status, body, _ = user.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            ok = status == 200 and (kind != "pdf" or body.startswith(b"%PDF-"))
            with lock:
                results[kind].append((elapsed, ok))
            time.sleep(think)

    threads = [threading.Thread(target=worker, args=(u, n)) for n, u in enumerate(sessions)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["_elapsed"] = [(time.monotonic() - started, True)]
    return results


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def report(title: str, results: dict[str, list[tuple[float, bool]]], goals: dict[str, float]):
    elapsed = results.pop("_elapsed")[0][0]
    print(f"\n{title} ({elapsed:.0f} s)")
    print(f"  {'page':<10}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}  goal p95")  # fmt: skip
    total_errors = 0
    for kind in sorted(results):
        rows = results[kind]
        times = sorted(t for t, _ in rows)
        errors = sum(1 for _, ok in rows if not ok)
        total_errors += errors
        p95 = percentile(times, 95)
        goal = goals[kind]
        print(f"  {kind:<10}{len(rows):>9}{len(rows) / elapsed:>8.1f}{percentile(times, 50):>9.0f}"
              f"{p95:>9.0f}{percentile(times, 99):>9.0f}{errors:>8}  < {goal:.0f} "
              f"{'met' if p95 < goal else 'MISSED'}")  # fmt: skip
    every = [r for rows in results.values() for r in rows]
    print(f"  all: {len(every)} requests, {len(every) / elapsed:.1f} req/s, {total_errors} errors")
    return total_errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="pause between requests (s)")
    parser.add_argument("--max-requests", type=int, default=200, help="per user and phase")
    parser.add_argument("--scale", default="1.0", help="demo data scale (first run only)")
    parser.add_argument("--rows", type=int, default=200_000, help="episodes imported in phase 2")
    parser.add_argument("--skip-import", action="store_true", help="phase 1 only")
    parser.add_argument(
        "--gunicorn-workers", help="override config/gunicorn.conf.py (2 x cores + 1)"
    )
    args = parser.parse_args()

    OUTPUT.mkdir(parents=True, exist_ok=True)
    env = site_env()
    database_ensure()
    print(f"load bench: database {DATABASE}, Redis {REDIS_URL}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    run(env, PY, "manage.py", "migrate", "--noinput", "-v", "0")
    run(env, PY, "manage.py", "collectstatic", "--noinput", "-v", "0")
    run(env, PY, "manage.py", "make_demo_data", "--seed", "1", "--scale", args.scale,
        "--today", DEMO_TODAY)  # fmt: skip
    run(env, PY, "manage.py", "axes_reset_username", USER)
    # Tasks a previous run left queued (the import's recompute of its authority, re-queued
    # when that run stopped the worker) would otherwise run through phase 1: the bench's
    # Redis db is its own, so empty it (queues and cache).
    run(env, PY, "-c", f"import redis; redis.Redis.from_url('{REDIS_URL}').flushdb()")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = ("--workers", args.gunicorn_workers) if args.gunicorn_workers else ()
    processes = [
        start(env, "gunicorn", PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
              "config.wsgi:application", "--bind", f"127.0.0.1:{port}", *workers),
        start(env, "worker", *NICE, PY, "-m", "celery", "-A", "config", "worker",
              "--concurrency", "1", "--loglevel", "WARNING"),
        start(env, "beat", PY, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING",
              "--schedule", str(OUTPUT / "celerybeat-schedule")),
    ]  # fmt: skip
    try:
        for _ in range(120):
            try:
                if User(base).get("/health/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        warm = User(base)
        warm.login()
        urls = urls_discover(warm)
        page_goals = {"scorecard": 150, "dashboard": 150, "worklist": 150, "pdf": 100}
        with CpuSampler() as cpu:
            results = load_run(base, urls, args.users, args.seconds, args.think, args.max_requests)
        errors = report(
            f"phase 1: {args.users} users, {args.think:g} s between requests", results, page_goals
        )
        cpu.report()
        if not args.skip_import:
            errors += phase_two(env, base, urls, args)
    finally:
        for process in processes:
            stop(process)
    sys.exit(1 if errors else 0)


def phase_two(env: dict[str, str], base: str, urls: dict[str, list[str]], args) -> int:
    """The same load while a 200,000-row 903 import and a recompute of 873 run."""
    sys.path.insert(0, str(BASE_DIR / "bench"))
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    from import_903 import YEAR, episodes_generate  # noqa: PLC0415 (sets Django up)

    folder = OUTPUT / "import"
    folder.mkdir(exist_ok=True)
    header, episodes, children = episodes_generate(args.rows, folder)
    # Empty the import authority first, so that the import writes every row (not "unchanged").
    run(env, PY, "manage.py", "shell", "-c",
        "from children.models import Child; "
        f"Child.objects.filter(la__code='{IMPORT_LA}').delete()")  # fmt: skip
    started = time.monotonic()
    goals = {"scorecard": 300, "dashboard": 300, "worklist": 300, "pdf": 300}
    with CpuSampler() as cpu:
        importer = start(env, "import", *NICE, PY, "manage.py", "import_extract", str(header),
                         str(episodes), "--la", IMPORT_LA, "--format", "ssda903",
                         "--year", str(YEAR))  # fmt: skip
        recompute = start(env, "recompute", *NICE, PY, "manage.py", "recompute_snapshots",
                          "--la", "873", "--from", "2023-04")  # fmt: skip
        results = load_run(base, urls, args.users, args.seconds, args.think, args.max_requests)
    importer_running = importer.poll() is None
    recompute_running = recompute.poll() is None
    errors = report(
        f"phase 2: the same load during a {args.rows + children:,}-row 903 import "
        f"and a recompute of 873",
        results,
        goals,
    )
    cpu.report()
    import_rc, recompute_rc = importer.wait(), recompute.wait()
    took = time.monotonic() - started
    print(f"  import {'still running at the end of the load' if importer_running else 'finished'}"
          f"; recompute {'still running' if recompute_running else 'finished'}; both done "
          f"{took:.0f} s after start (exit {import_rc}, {recompute_rc})")  # fmt: skip
    import_log = (OUTPUT / "import.log").read_text().strip().splitlines()
    print("  " + (import_log[-1][:200] if import_log else "(the import printed nothing)"))
    return errors + (import_rc != 0) + (recompute_rc != 0)


if __name__ == "__main__":
    main()
