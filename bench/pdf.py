"""Benchmark: the monthly scorecard PDF, cold render and cached download (issue 9).

Prints, for each demo authority and month asked for:

1. **cold render**: the first download request of a month whose PDF is not stored (the
   view builds the page, renders it with WeasyPrint, stores it and sends it), through
   the Django test client, ``--runs`` times (the stored draft is deleted before each);
   the first of these in the process also parses the stylesheets, shown separately.
   Wall and CPU seconds, pages and size. Goal: under 3 s.
2. **cached download**: the same request once the PDF is stored (a read from storage
   and an audit row), ``--runs`` × 5 times. Goal: under 100 ms.
3. **publish**: a committee lead's publish of the month (render under the recompute
   lock, store, audit), once per month, then a cached download of the published PDF.

The machine's load average is printed too: on a shared machine wall time is inflated by
other processes, CPU time much less so.

Usage (a scratch database of your own, filled by the demo generator; PDFs go under its
``DATA_DIR/media``)::

    DATA_DIR=/tmp/pdf_demo .venv/bin/python manage.py migrate
    DATA_DIR=/tmp/pdf_demo .venv/bin/python manage.py make_demo_data --seed 1
    DATA_DIR=/tmp/pdf_demo .venv/bin/python bench/pdf.py [--runs 3] [--months 2024-02]
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
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from organisations.models import LocalAuthority  # noqa: E402
from scorecards import pdf  # noqa: E402
from scorecards.models import RenderedPdf  # noqa: E402
from scorecards.sections import snapshots_current  # noqa: E402


def download(client: Client, url: str) -> tuple[float, float, bytes]:
    """One request, its body read to the end: (wall s, CPU s, content)."""
    c0, t0 = time.process_time(), time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    content = b"".join(response.streaming_content)
    return time.perf_counter() - t0, time.process_time() - c0, content


def drafts_forget(la: LocalAuthority) -> None:
    for rendered in RenderedPdf.objects.filter(snapshot__la=la, kind="draft"):
        rendered.delete()
        pdf.pdf_file_delete(relative=rendered.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--months", nargs="*", default=[])
    parser.add_argument("--user", default="committee", help="A demo committee lead.")
    parser.add_argument("--no-publish", action="store_true", help="Skip the publish timing.")
    args = parser.parse_args()

    setup_test_environment()
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, {args.runs} runs")
    worst_cold = worst_cached = 0.0
    first = True
    for la in LocalAuthority.objects.filter(code__in=["873", "874"]).order_by("code"):
        snapshots = [s for s in snapshots_current(la=la) if not s.month_to_date]
        if not snapshots:
            continue
        months = args.months or [f"{snapshots[0].month:%Y-%m}", f"{snapshots[6].month:%Y-%m}"]
        for month in months:
            url = f"/la/{la.code}/scorecard/{month}/scorecard-draft.pdf"
            colds = []
            for _ in range(args.runs + (1 if first else 0)):
                drafts_forget(la)
                wall, cpu, content = download(client, url)
                if first:
                    print(f"{la.code} {month} first render in the process (stylesheets parsed): "
                          f"{wall:.2f} s wall, {cpu:.2f} s CPU")  # fmt: skip
                    first = False
                    continue
                colds.append((wall, cpu))
            rendered = RenderedPdf.objects.filter(snapshot__la=la, kind="draft").latest("id")
            cold_wall = statistics.median(w for w, _ in colds)
            cold_cpu = statistics.median(c for _, c in colds)
            worst_cold = max(worst_cold, cold_wall)
            print(
                f"{la.code} {month} cold render:     median {cold_wall:5.2f} s wall "
                f"({min(w for w, _ in colds):.2f}–{max(w for w, _ in colds):.2f}), "
                f"{cold_cpu:.2f} s CPU; {rendered.pages} pages, {len(content):,} bytes, "
                f"WeasyPrint {rendered.render_seconds:.2f} s"
            )
            cached = [download(client, url) for _ in range(args.runs * 5)]
            cached_ms = statistics.median(w for w, _, _ in cached) * 1000
            cached_cpu_ms = statistics.median(c for _, c, _ in cached) * 1000
            worst_cached = max(worst_cached, cached_ms)
            assert all(c == cached[0][2] for _, _, c in cached)
            print(
                f"{la.code} {month} cached download: median {cached_ms:5.1f} ms "
                f"(max {max(w for w, _, _ in cached) * 1000:.1f} ms), {cached_cpu_ms:.1f} ms CPU"
            )
            if args.no_publish:
                continue
            publish_url = f"/la/{la.code}/scorecard/{month}/publish/"
            version = next(s.version for s in snapshots if f"{s.month:%Y-%m}" == month)
            t0 = time.perf_counter()
            response = client.post(publish_url, {"version": str(version)})
            publish_s = time.perf_counter() - t0
            if response.status_code != 302:
                raise SystemExit(f"{publish_url}: HTTP {response.status_code}")
            published_url = f"/la/{la.code}/scorecard/{month}/scorecard.pdf"
            times = [download(client, published_url)[0] * 1000 for _ in range(args.runs * 5)]
            print(
                f"{la.code} {month} publish:         {publish_s:5.2f} s; published PDF "
                f"download median {statistics.median(times):.1f} ms"
            )
    print(
        f"slowest cold render median {worst_cold:.2f} s (goal < 3 s); "
        f"slowest cached download median {worst_cached:.1f} ms (goal < 100 ms)"
    )


if __name__ == "__main__":
    main()
