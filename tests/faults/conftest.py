"""Shared by the fault tests: short leases, a 903 return big enough to kill a worker in the
middle of writing it, and a poll that waits for the moment to strike.

The fault tests kill real processes (Celery workers, ``import_extract``, a private
``redis-server``; see ``tests/conftest.py``) and check what is left: the batch's or run's
status, the lock, and that the retry or the sweep finishes the work. Leases are six
seconds here (``WORK_LEASE_SECONDS``) so a dead holder is told from a live one in seconds;
the test process judges leases with the same setting as the workers it starts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from tests.pages.conftest import (  # noqa: F401  (the hand-checked month and its readers)
    client_for,
    committee_lead,
    la,
    team_manager,
)

LEASE_SECONDS = 6
HEARTBEAT_SECONDS = 1
#: The environment of the workers and commands a fault test starts.
FAULT_ENV = {
    "WORK_LEASE_SECONDS": str(LEASE_SECONDS),
    "WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    "TASK_MAX_ATTEMPTS": "2",
    "LOG_LEVEL": "INFO",
}
YEAR = 2025

T = TypeVar("T")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    """Stored uploads and PDFs go to a temporary folder (workers read the stored paths)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def admin_of(authority, username: str = "admin"):
    """An admin of ``authority`` (imports, recomputes)."""
    from django.contrib.auth.models import User

    from organisations.roles import ADMIN
    from tests.access_helpers import roles_give

    user = User.objects.create_user(username, password="x")
    roles_give(user, authority, ADMIN)
    return user


@pytest.fixture
def short_leases(settings) -> None:
    settings.WORK_LEASE_SECONDS = LEASE_SECONDS
    settings.WORKER_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    settings.TASK_MAX_ATTEMPTS = 2


def wait_until(probe: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def return_903_write(folder: Path, *, children: int, seed: int = 21) -> list[Path]:
    """A synthetic SSDA903 return for 2024-25: Header and Episodes, two episodes a child
    (a first placement from spring 2024, then a move that is still open)."""
    rng = random.Random(seed)
    header = ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"]
    episodes = [
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN"
    ]
    for n in range(children):
        child = f"F{n:07d}"
        sex = rng.choice("MF")
        dob = date(2008, 4, 1) + timedelta(days=rng.randrange(0, 365 * 12))
        upn = f"A{rng.randrange(10**11, 10**12):012d}"
        header.append(f"{child},{sex},{dob:%d/%m/%Y},WBRI,{upn},{'0' if sex == 'F' else ''},")
        start = date(2024, 4, 1) + timedelta(days=rng.randrange(0, 200))
        move = start + timedelta(days=rng.randrange(20, 120))
        episodes.append(
            f"{child},{start:%d/%m/%Y},S,C2,N1,U1,PR1,{move:%d/%m/%Y},X1,CARPL,CB1 1AB,"
            f"PE1 1XY,SC{rng.randrange(100000, 999999)}"
        )
        episodes.append(
            f"{child},{move:%d/%m/%Y},P,C2,N1,U4,PR4,,,,CB1 1AB,PE2 2XY,"
            f"SC{rng.randrange(100000, 999999)}"
        )
    paths = [folder / f"SSDA903_{YEAR}_Header.csv", folder / f"SSDA903_{YEAR}_Episodes.csv"]
    paths[0].write_text("\n".join(header) + "\n")
    paths[1].write_text("\n".join(episodes) + "\n")
    return paths
