"""Fixtures shared by the whole suite.

Celery in tests
===============
Tests run Celery tasks eagerly (in the test process), whatever the environment says:
with ``REDIS_URL`` set the settings turn eager mode off, so the autouse fixture
``_celery_execution_mode`` turns it back on for every test that is not marked
``celery_worker``.

A test marked ``@pytest.mark.celery_worker`` runs against a real worker instead. The marker
alone starts it (once per session, on first use) through the ``celery_worker_process``
fixture; request that fixture by name when the test needs its details (queue, node name,
log)::

    @pytest.mark.celery_worker
    @pytest.mark.django_db(transaction=True)
    def test_recompute_runs_on_a_worker(celery_worker_process):
        result = snapshots_recompute_task.delay(la_id=la.pk)
        assert result.get(timeout=60) == ...

- The worker is ``celery -A config worker --pool=solo`` on the settings' broker, consuming a
  queue of its own (``cps-test-<random>``) so that concurrent test runs and any other worker
  on the same Redis never take each other's tasks. During a worker test the Celery app's
  default queue is that queue; tasks routed elsewhere by ``task_routes`` would not be
  consumed.
- It uses the test database (pytest-django's ``test_<NAME>``). Rows are visible to it only
  once committed, so worker tests need ``django_db(transaction=True)``. A transactional test
  empties every table when it ends, rows loaded by data migrations (the local authorities)
  included; add ``serialized_rollback=True`` when a transactional test needs those rows.
- Without a broker URL (plain SQLite demo settings) worker tests are skipped; with
  ``CI=true`` they fail instead, because CI must prove the real stack.
- When ``DATABASE_URL`` is unset but a broker is configured, the SQLite test database is a
  file (``var/test-<pid>.sqlite3``) rather than memory, so that the worker can open it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlunsplit

import pytest
from django.conf import settings as django_settings

from config.celery import app as celery_app

BASE_DIR = Path(django_settings.BASE_DIR)
WORKER_START_TIMEOUT_SECONDS = 90
WORKER_STOP_TIMEOUT_SECONDS = 15


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


IN_CI = _truthy(os.environ.get("CI"))
BROKER_URL = django_settings.CELERY_BROKER_URL

# WhiteNoise warns on every request when STATIC_ROOT is missing (a fresh clone before
# collectstatic); tests do not need collected files, only the directory.
Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

_default_db = django_settings.DATABASES["default"]
if BROKER_URL and _default_db["ENGINE"] == "django.db.backends.sqlite3":
    # An in-memory SQLite test database is invisible to another process: use a file.
    _test_db = _default_db.setdefault("TEST", {})
    if not _test_db.get("NAME"):
        _test_db["NAME"] = str(Path(django_settings.DATA_DIR) / f"test-{os.getpid()}.sqlite3")


@dataclass(frozen=True)
class CeleryWorkerProcess:
    """A running ``celery worker`` subprocess bound to the test database."""

    process: subprocess.Popen
    queue: str
    nodename: str
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no worker log)"
        return "\n".join(text.splitlines()[-lines:])


def _worker_database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the test database the test process is connected to."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("an in-memory SQLite test database cannot be shared with a worker")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or ""
        port = settings_dict.get("PORT") or ""
        netloc = f"{auth}{host}" + (f":{port}" if port else "")
        return urlunsplit(("postgres", netloc, f"/{quote(name)}", "", ""))
    raise RuntimeError(f"no worker DATABASE_URL for database engine {engine}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the worker's process group (a warm shutdown), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)
    except ProcessLookupError:
        process.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)


def _wait_for_other_sessions_to_leave(django_db_blocker) -> None:
    """PostgreSQL refuses to drop a database with sessions open: wait for the worker's."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + WORKER_STOP_TIMEOUT_SECONDS
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[CeleryWorkerProcess]:
    """Start a real Celery worker on the settings' broker and the test database.

    Skips when no broker URL is configured, except in CI (``CI=true``), where it fails.
    """
    if not BROKER_URL:
        message = "no CELERY_BROKER_URL/REDIS_URL: real-worker tests need a broker"
        if IN_CI:
            pytest.fail(f"{message} (CI must run them)", pytrace=False)
        pytest.skip(message)

    from django.db import connection

    token = uuid.uuid4().hex[:10]
    queue = f"cps-test-{token}"
    nodename = f"cps-test-{token}@localhost"
    log_path = tmp_path_factory.mktemp("celery-worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _worker_database_url(connection.settings_dict),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND or BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "config",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "--queues",
        queue,
        "--hostname",
        nodename,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = CeleryWorkerProcess(process=process, queue=queue, nodename=nodename, log_path=log_path)
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"Celery worker exited with {process.returncode}:\n{worker.log_tail()}",
                    pytrace=False,
                )
            if celery_app.control.ping(destination=[nodename], timeout=1.0):
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Celery worker did not answer a ping in {WORKER_START_TIMEOUT_SECONDS}s:\n"
                    f"{worker.log_tail()}",
                    pytrace=False,
                )
        yield worker
    finally:
        _stop(process)
        _wait_for_other_sessions_to_leave(django_db_blocker)


@pytest.fixture(autouse=True)
def _celery_execution_mode(request, settings) -> Iterator[None]:
    """Eager Celery for ordinary tests; a real worker for tests marked ``celery_worker``."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_eager_propagates, conf.task_default_queue)
    use_worker = request.node.get_closest_marker("celery_worker") is not None
    if use_worker:
        worker: CeleryWorkerProcess = request.getfixturevalue("celery_worker_process")
        conf.task_default_queue = worker.queue
    settings.CELERY_TASK_ALWAYS_EAGER = not use_worker
    conf.task_always_eager = not use_worker
    conf.task_eager_propagates = True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates, conf.task_default_queue = saved


@pytest.fixture(autouse=True)
def _scorecard_page_cache_off(settings) -> None:
    """Pages built afresh in every test: the cache outlives a test's rolled-back rows (Redis
    across runs too), and a frozen clock can give two tests' snapshots the same key.
    ``tests/pages/test_page_cache.py`` turns it on to prove what the keys name."""
    settings.SCORECARD_PAGE_CACHE_SECONDS = 0
