"""/health/: the database, the broker and a worker heartbeat, 503 naming what is missing.

The broker is a private ``redis-server`` that the test kills, the worker a real one that it
stops or kills; the database check runs in a process whose database does not answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from operations.models import WorkerHeartbeat
from tests.conftest import BASE_DIR, _free_port, celery_on
from tests.faults.conftest import FAULT_ENV, HEARTBEAT_SECONDS, wait_until

HEALTH = "/health/"


def health(client) -> tuple[int, dict]:
    response = client.get(HEALTH)
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_without_a_broker_the_health_check_is_the_database_and_reveals_nothing_else(client):
    response = client.get(HEALTH)

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "not used", "worker": "not used"},
    }
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_plain_http_health_is_not_sent_to_https_though_every_other_page_is(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(HEALTH).status_code == 200
    login = client.get("/login/")
    assert login.status_code == 301 and login["Location"] == "https://testserver/login/"
    assert client.get(HEALTH, secure=True).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_broker_check_fails_when_redis_is_killed(
    client, private_redis, worker_factory, short_leases
):
    worker = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)

    with celery_on(private_redis.url(), queue=worker.queue):
        assert health(client) == (
            200,
            {"status": "ok", "checks": {"database": "ok", "broker": "ok", "worker": "ok"}},
        )
        private_redis.kill()
        assert health(client) == (
            503,
            {
                "status": "unavailable",
                "checks": {"database": "ok", "broker": "unreachable", "worker": "ok"},
            },
        )
        private_redis.start()
        assert health(client)[0] == 200


@pytest.mark.django_db(transaction=True)
def test_the_worker_check_fails_at_once_when_the_worker_stops_and_soon_after_it_is_killed(
    client, private_redis, worker_factory, short_leases
):
    checks = {"database": "ok", "broker": "ok", "worker": "missing"}
    missing = (503, {"status": "unavailable", "checks": checks})
    with celery_on(private_redis.url()):
        assert health(client) == missing  # no worker has ever started

        stopped = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)
        assert health(client)[0] == 200
        stopped.stop()  # a warm shutdown removes its heartbeat
        assert health(client) == missing
        assert not WorkerHeartbeat.objects.exists()

        killed = worker_factory.start(broker_url=private_redis.url(), env=FAULT_ENV)
        assert health(client)[0] == 200
        killed.kill()  # no goodbye: its heartbeat goes stale after three intervals
        assert WorkerHeartbeat.objects.filter(worker=killed.nodename).exists()
        wait_until(
            lambda: health(client) == missing,
            timeout=HEARTBEAT_SECONDS * 3 + 3,
            what="the killed worker's heartbeat to go stale",
        )


def test_the_database_check_fails_when_the_database_does_not_answer():
    """A process of its own, whose database is a port nobody listens on."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "from config.celery import app\n"
        "app.conf.task_always_eager = True\n"
        "r = Client().get('/health/')\n"
        "print(json.dumps([r.status_code, json.loads(r.content)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{_free_port()}/cps",
            "LOG_LEVEL": "CRITICAL",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [
        503,
        {
            "status": "unavailable",
            "checks": {"database": "unreachable", "broker": "not used", "worker": "not used"},
        },
    ]
