"""Benchmark: the team managers' "My team" page under load, gunicorn + PostgreSQL on loopback.

Issue 10: p95 under 150 ms for a 2,000-child authority with 20 concurrent users, each
waiting 1 s between requests. The script

1. checks the authority (default 873) has enough children looked after today (fill it
   first with ``make_demo_data --scale 3.15``: about 2,070 in care in 873);
2. creates ``--users`` bench team managers, spread over the authority's children-in-care
   teams, with sessions made directly in the session store (no login round trip);
3. starts gunicorn (``--workers`` sync workers) with production settings for plain HTTP on
   loopback (``DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0``), the cache in Redis
   (``--redis``, a database number other than 0) or per-process local memory;
4. runs each scenario for ``--duration`` seconds: every user requests its team page, reads
   the whole body, waits ``--think`` seconds, again; then prints requests, errors and
   latency p50 / p95 / p99 / max in ms.

Scenarios: ``warm`` (the worklist cache on, ``WORKLIST_CACHE_SECONDS=900``, one request per
team beforehand, which is what every request after the first of a team and day meets) and
``cold`` (``WORKLIST_CACHE_SECONDS=0``: every request reads the records and works every
list out). Usage, with a database of your own::

    createdb -h 127.0.0.1 -U postgres cps_worklists_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cps_worklists_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py make_demo_data --seed 7 --scale 3.15 --no-snapshots
    .venv/bin/python bench/worklists.py [--duration 30] [--users 20] [--scenarios warm cold]
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
#: The server's signing key: sessions made here must be readable by gunicorn.
SECRET_KEY = "bench-worklists-secret-key-not-for-production-0123456789abcdef"
os.environ["SECRET_KEY"] = SECRET_KEY

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,  # noqa: E402
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402

from children.models import PeriodOfCare  # noqa: E402
from organisations.models import LocalAuthority, Membership, Team  # noqa: E402
from organisations.selectors import children_with_team_on  # noqa: E402

BENCH_PREFIX = "bench-manager-"
#: Warm-up requests per user, so that each worker process is likely to have seen each team.
WARM_ROUNDS = 3


def looked_after_today(la: LocalAuthority) -> int:
    today = timezone.localdate()
    return (
        PeriodOfCare.objects.filter(la=la, is_short_break=False, start_date__lte=today)
        .exclude(end_date__lte=today)
        .values("child_id")
        .distinct()
        .count()
    )


def cic_teams(la: LocalAuthority) -> list[Team]:
    """Teams whose allocated children include children looked after (team id T1x in the demo)."""
    teams = [t for t in Team.objects.filter(la=la).order_by("team_id") if t.team_id[-3:-1] == "T1"]
    return teams or list(Team.objects.filter(la=la, parent__isnull=False).order_by("team_id"))


def bench_users_ensure(
    la: LocalAuthority, teams: list[Team], n: int, *, admin: bool = False
) -> list[tuple[str, Team]]:
    """``n`` team managers spread over ``teams`` (or admins), each with a fresh session key."""
    User = get_user_model()
    out = []
    for i in range(n):
        prefix = "bench-admin-" if admin else BENCH_PREFIX
        user, _ = User.objects.get_or_create(username=f"{prefix}{i + 1}")
        user.set_unusable_password()
        user.is_active = True
        user.save()
        team = teams[i % len(teams)]
        membership, _ = Membership.objects.update_or_create(
            user=user, la=la, defaults={"admin": admin, "team_manager": not admin}
        )
        membership.teams.set([] if admin else [team])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append((session.session_key, team))
    return out


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def user_loop(
    *, port: int, path: str, session_key: str, deadline: float, think: float, results: Results
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}", "Host": "127.0.0.1"}
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with results.lock:
                if response.status == 200 and (b"cps-worklist-counts" in body or path == "/"):
                    results.latencies.append(elapsed)
                else:
                    results.errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            with results.lock:
                results.errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        time.sleep(think)
    conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def gunicorn_start(*, port: int, workers: int, cache_seconds: int, redis: str | None):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WORKLIST_CACHE_SECONDS": str(cache_seconds),
        "LOG_LEVEL": "ERROR",
    }
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            # Up: 503 only says no worker runs (this benchmark starts none).
            if conn.getresponse().status in (200, 503):
                return process
        except OSError:
            time.sleep(0.3)
    gunicorn_stop(process)
    raise SystemExit("gunicorn did not start")


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def scenario(
    *,
    name: str,
    args: argparse.Namespace,
    path: str,
    sessions: list[tuple[str, Team]],
    cache_seconds: int,
) -> None:
    process = gunicorn_start(
        port=args.port, workers=args.workers, cache_seconds=cache_seconds, redis=args.redis
    )
    try:
        # A few requests per user first: every worker process imports its modules and loads
        # its templates, and (warm) every team's lists are in the cache.
        warm = Results()
        for key, _ in sessions * WARM_ROUNDS:
            user_loop(port=args.port, path=path, session_key=key,
                      deadline=time.monotonic() + 0.001, think=0, results=warm)  # fmt: skip
        if warm.errors:
            raise SystemExit(f"warm-up failed: {warm.errors[:3]}")
        results = Results()
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(
                target=user_loop,
                kwargs=dict(
                    port=args.port,
                    path=path,
                    session_key=key,
                    deadline=deadline,
                    think=args.think,
                    results=results,
                ),  # fmt: skip
            )
            for key, _ in sessions
        ]
        started = time.monotonic()
        for i, thread in enumerate(threads):
            thread.start()
            time.sleep(args.think / len(threads) * (i > 0))  # spread the first requests
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        gunicorn_stop(process)
    lat = results.latencies
    print(f"\n{name}: WORKLIST_CACHE_SECONDS={cache_seconds}, {len(sessions)} users, "
          f"{args.workers} gunicorn workers, {wall:.0f} s")  # fmt: skip
    print(f"  requests {len(lat)} ok, {len(results.errors)} errors "
          f"({sorted(set(results.errors))[:3]}), {len(lat) / wall:.1f} req/s")  # fmt: skip
    if lat:
        print(
            f"  latency ms: p50 {percentile(lat, 50):.0f}  p95 {percentile(lat, 95):.0f}  "
            f"p99 {percentile(lat, 99):.0f}  max {max(lat):.0f}  mean {statistics.mean(lat):.0f}"
        )
        verdict = "meets" if percentile(lat, 95) < args.target_ms else "misses"
        print(f"  p95 {verdict} the {args.target_ms:.0f} ms target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="873")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per scenario")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5",
                        help="shared cache (Redis URL, not db 0); '' for local memory")  # fmt: skip
    parser.add_argument("--min-looked-after", type=int, default=2000)
    parser.add_argument("--target-ms", type=float, default=150.0)
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also time the signed-in home page, as a floor for this machine",
    )
    parser.add_argument("--scenarios", nargs="+", default=["warm", "cold"],
                        choices=["warm", "cold"])  # fmt: skip
    args = parser.parse_args()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("run against PostgreSQL: set DATABASE_URL to a database of your own")
    la = LocalAuthority.objects.filter(code=args.la).first()
    if la is None:
        raise SystemExit(f"no authority {args.la}: run make_demo_data first")
    n = looked_after_today(la)
    if n < args.min_looked_after:
        raise SystemExit(
            f"{la} has {n} children looked after today; run make_demo_data --force --scale 3.15"
        )
    teams = cic_teams(la)
    sessions = bench_users_ensure(la, teams, args.users)
    today = timezone.localdate()
    sizes = {
        t.team_id: children_with_team_on(la.children.all(), on=today)
        .filter(scope_team_id=t.pk)
        .count()
        for t in teams
    }
    print(f"{la}: {la.children.count()} children, {n} looked after on {today}; "
          f"teams {sizes}")  # fmt: skip
    path = f"/la/{la.code}/my-team/"
    if args.baseline:
        admins = [(s, t) for s, t in bench_users_ensure(la, teams, args.users, admin=True)]
        scenario(name="baseline (home page, no lists)", args=args, path="/", sessions=admins,
                 cache_seconds=900)  # fmt: skip
    for name in args.scenarios:
        scenario(
            name=name, args=args, path=path, sessions=sessions,
            cache_seconds=900 if name == "warm" else 0,
        )  # fmt: skip


if __name__ == "__main__":
    main()
