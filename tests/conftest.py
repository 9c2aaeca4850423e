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

Fault tests (killing Redis and workers)
=======================================
Never kill the shared Redis. A test that needs to take Redis away asks for
``private_redis``: a ``redis-server`` of its own on a free port (no persistence), with
``kill()`` (SIGKILL, a crash) and ``start()`` (again, on the same port). With
``celery_on(private_redis.url())`` the test process's Celery app (and ``/health/``'s broker
check) uses it, not eagerly; ``worker_factory`` starts real workers on it that the test may
SIGKILL (``worker.kill()``, or ``worker.pool_child()`` for the prefork process running the
task). Like ``celery_worker``, a worker needs a test database another process can open
(PostgreSQL, or SQLite on a file when a broker is configured): without one, or without
``redis-server``, these tests are skipped (failed in CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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

    def kill(self) -> None:
        """SIGKILL the whole worker (its pool processes too), as a crash or OOM kill would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """SIGTERM: a warm shutdown, as ``systemctl stop`` sends."""
        _stop(self.process)

    def pool_child(self) -> int | None:
        """The pid of the prefork pool process (the one running tasks), if there is one."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            children = path.read_text().split()
        except FileNotFoundError:
            return None
        return int(children[0]) if children else None


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


def celery_worker_start(
    *,
    broker_url: str,
    log_path: Path,
    pool: str = "solo",
    env: dict[str, str] | None = None,
    queue: str | None = None,
) -> CeleryWorkerProcess:
    """Start ``celery worker`` on ``broker_url`` and the test database, consuming a queue of
    its own (or ``queue``: a worker restarted on a dead one's), and wait until it answers a
    ping (``pytest.fail`` if it never does)."""
    from django.db import connection

    token = uuid.uuid4().hex[:10]
    queue = queue or f"cps-test-{token}"
    nodename = f"cps-test-{token}@localhost"
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _worker_database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "--app", "config", "worker",
        "--pool", pool, "--concurrency", "1", "--queues", queue, "--hostname", nodename,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = CeleryWorkerProcess(process=process, queue=queue, nodename=nodename, log_path=log_path)
    deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
    # A ping goes out through the app's own producer pool, whatever connection it is given.
    with _celery_broker(broker_url):
        while not celery_app.control.ping(destination=[nodename], timeout=1.0):
            if process.poll() is not None:
                pytest.fail(
                    f"Celery worker exited with {process.returncode}:\n{worker.log_tail()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                _stop(process)
                pytest.fail(
                    f"Celery worker did not answer a ping in {WORKER_START_TIMEOUT_SECONDS}s:\n"
                    f"{worker.log_tail()}",
                    pytrace=False,
                )
    return worker


def skip_unless_database_shared(reason: str) -> None:
    """Skip (fail in CI) a test whose worker could not open the test database."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name == ":memory:" or name.startswith("file:")):
        message = f"{reason}: the in-memory SQLite test database cannot be shared with a worker"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


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

    with django_db_blocker.unblock():
        worker = celery_worker_start(
            broker_url=BROKER_URL,
            log_path=tmp_path_factory.mktemp("celery-worker") / "worker.log",
            env={"CELERY_RESULT_BACKEND": django_settings.CELERY_RESULT_BACKEND or BROKER_URL},
        )
    try:
        yield worker
    finally:
        _stop(worker.process)
        _wait_for_other_sessions_to_leave(django_db_blocker)


# --- fault tests: a private redis-server, workers that may be killed ------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PrivateRedis:
    """A ``redis-server`` of the test's own, which it may kill and start again."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start:\n{self.log_path.read_text()}")
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: its data (queued tasks) are gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed: the Redis fault tests need their own"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = PrivateRedis(port=_free_port(), log_path=tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _celery_connections_reset() -> None:
    """Drop the Celery app's pooled broker connections and its result backend, so the next
    send uses the broker URL in its configuration now."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@contextmanager
def _celery_broker(broker_url: str) -> Iterator[None]:
    conf = celery_app.conf
    saved = (conf.broker_url, conf.result_backend)
    if saved == (broker_url, broker_url):
        yield
        return
    conf.broker_url = conf.result_backend = broker_url
    _celery_connections_reset()
    try:
        yield
    finally:
        conf.broker_url, conf.result_backend = saved
        _celery_connections_reset()


@contextmanager
def celery_on(broker_url: str, *, queue: str | None = None) -> Iterator[None]:
    """The test process's Celery app on ``broker_url`` and not eager (the web side of a
    fault test: uploads, ``/health/``), put back afterwards."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue)
    conf.task_always_eager = False
    if queue:
        conf.task_default_queue = queue
    try:
        with _celery_broker(broker_url):
            yield
    finally:
        conf.task_always_eager, conf.task_default_queue = saved


@dataclass
class WorkerFactory:
    """Starts real workers for one test (``start``) and stops whatever is left after it."""

    log_dir: Path
    started: list[CeleryWorkerProcess] = field(default_factory=list)

    def start(
        self,
        *,
        broker_url: str,
        pool: str = "solo",
        env: dict[str, str] | None = None,
        queue: str | None = None,
    ) -> CeleryWorkerProcess:
        skip_unless_database_shared("a real worker")
        worker = celery_worker_start(
            broker_url=broker_url,
            log_path=self.log_dir / f"worker-{len(self.started) + 1}.log",
            pool=pool,
            env=env,
            queue=queue,
        )
        self.started.append(worker)
        return worker


@pytest.fixture
def worker_factory(tmp_path) -> Iterator[WorkerFactory]:
    factory = WorkerFactory(log_dir=tmp_path)
    try:
        yield factory
    finally:
        for worker in factory.started:
            _stop(worker.process)


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
