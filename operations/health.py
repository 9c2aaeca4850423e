"""The checks behind /health/: the database, the broker and a worker heartbeat.

Each check answers one word: ``ok``; ``not used`` (no broker configured: tasks run in the
web process, as in the demo); or what is wrong (``unreachable``, ``missing``,
``unknown``). Never an error text or a host name: ``roles.md`` allows one page without
sign-in, "a health endpoint that reveals nothing". Details go to the log. Cheap enough to
poll every few seconds: one query and one Redis PING with a one-second timeout.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import redis
from django.db import DatabaseError, connection
from django.utils import timezone

from config.celery import app as celery_app
from operations.heartbeat import heartbeat_stale_after_seconds
from operations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"
NOT_USED = "not used"
UNREACHABLE = "unreachable"
MISSING = "missing"
UNKNOWN = "unknown"
HEALTHY = frozenset({OK, NOT_USED})

#: Seconds the broker check waits to connect and for the PING's answer.
BROKER_TIMEOUT_SECONDS = 1.0
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})

_redis_clients: dict[str, redis.Redis] = {}


def tasks_run_in_process() -> bool:
    """No broker (the demo) or eager mode: there is no broker or worker to check."""
    return bool(celery_app.conf.task_always_eager) or not celery_app.conf.broker_url


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("health: the database is unreachable", exc_info=True)
        return UNREACHABLE
    return OK


def _redis_client(url: str) -> redis.Redis:
    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
        )
        _redis_clients[url] = client
    return client


def broker_check() -> str:
    if tasks_run_in_process():
        return NOT_USED
    url = celery_app.conf.broker_url
    try:
        if urlsplit(url).scheme in REDIS_SCHEMES:
            _redis_client(url).ping()
        else:
            with celery_app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - any failure to reach the broker is "unreachable"
        logger.warning("health: the broker is unreachable", exc_info=True)
        return UNREACHABLE
    return OK


def worker_check(*, database: str) -> str:
    """``ok`` while some worker's heartbeat is recent (``WORKER_HEARTBEAT_SECONDS`` × 3)."""
    if tasks_run_in_process():
        return NOT_USED
    if database != OK:
        return UNKNOWN
    since = timezone.now() - timedelta(seconds=heartbeat_stale_after_seconds())
    try:
        alive = WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()
    except DatabaseError:
        logger.warning("health: worker heartbeats unreadable", exc_info=True)
        return UNKNOWN
    return OK if alive else MISSING


def service_health() -> dict[str, str]:
    """Every check by name, in the order the JSON lists them."""
    database = database_check()
    return {
        "database": database,
        "broker": broker_check(),
        "worker": worker_check(database=database),
    }


def service_is_healthy(checks: dict[str, str]) -> bool:
    return all(state in HEALTHY for state in checks.values())
