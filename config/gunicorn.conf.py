"""gunicorn settings of the README's "Running in production".

    .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi:application

Why processes rather than threads: a page is CPU work in Python (building its blocks,
rendering templates, a PDF on its first download). The threads of one process share the
GIL, so one heavy request stalls every sibling thread of its worker; separate processes
let the kernel share the cores between requests and keep a slow one to its own worker.
Two threads per worker still let a request waiting on the database or a lock overlap
with another. ``2 × cores + 1`` workers is gunicorn's own rule of thumb.

Command-line flags override these (``--bind``, ``--workers`` …).
"""

from __future__ import annotations

import multiprocessing
import os

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "gthread"
threads = 2
timeout = 120
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then, so that memory a big page left behind goes back.
max_requests = 2000
max_requests_jitter = 200
# Web requests only: a query that runs longer than this is cancelled and the request fails,
# instead of holding a connection and a worker (imports and recomputes run elsewhere and
# keep the default, no limit). Set DATABASE_STATEMENT_TIMEOUT_MS yourself to change it.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "30000")
