"""Benchmark: render time of the scorecard, dashboard and demographics pages on demo data.

Prints, for each demo authority, page and month: the median, fastest and slowest of
``--runs`` requests through the full Django stack (session, scope check, snapshot reads,
page build, template rendering) and the number of queries; then the same for the XLSX
downloads. Issue 8 asks for every page under 300 ms with the demo data.

Usage (a scratch database of your own, filled by the demo generator)::

    DATA_DIR=/tmp/pages_demo .venv/bin/python manage.py migrate
    DATA_DIR=/tmp/pages_demo .venv/bin/python manage.py make_demo_data --seed 1
    DATA_DIR=/tmp/pages_demo .venv/bin/python bench/pages.py [--runs 10] [--months 2024-03 2025-09]

Set ``DEBUG=0 SECURE_SSL_REDIRECT=0 SECRET_KEY=… ALLOWED_HOSTS=localhost`` (and run
``collectstatic``) to time production settings. Pages are cached after the first request
(``scorecards/page_cache.py``), so the figures are of a repeat view; set
``SCORECARD_PAGE_CACHE_SECONDS=0`` to time building and rendering every time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from organisations.models import LocalAuthority  # noqa: E402
from scorecards.sections import PAGES, snapshots_current  # noqa: E402


def timed(client: Client, url: str, runs: int) -> tuple[list[float], int]:
    client.get(url)  # warm the template cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return times, len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--months", nargs="*", default=[])
    parser.add_argument("--user", default="committee", help="A demo user (default committee).")
    args = parser.parse_args()

    setup_test_environment()
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    debug = os.environ.get("DEBUG", "default")
    print(f"DEBUG={debug}, {args.runs} runs each, load average {os.getloadavg()[0]:.1f}")
    slowest = 0.0
    for la in LocalAuthority.objects.filter(code__in=["873", "874"]):
        months = [s.month for s in snapshots_current(la=la)]
        if not months:
            continue
        wanted = args.months or [f"{months[len(months) // 2]:%Y-%m}", f"{months[1]:%Y-%m}"]
        for page in PAGES:
            for month in wanted:
                for suffix in ("", f"{page}.xlsx"):
                    url = f"/la/{la.code}/{page}/{month}/{suffix}"
                    times, queries = timed(client, url, args.runs)
                    median = statistics.median(times)
                    if not suffix:
                        slowest = max(slowest, median)
                    print(
                        f"{la.code} {page:12} {month} {'xlsx' if suffix else 'page'}  "
                        f"median {median:5.0f} ms  min {min(times):5.0f}  max {max(times):5.0f}  "
                        f"{queries} queries"
                    )
    print(f"slowest page median: {slowest:.0f} ms")


if __name__ == "__main__":
    main()
