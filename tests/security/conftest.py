"""The fixed cast of the security tests (``style.md`` §2: alice, bob and charlie).

One authority (873) with two teams under a service, a child in each team, the hand-checked
March 2024 snapshot of the page tests, an import batch with a row error, and one user per
row of the access matrix:

- ``manager``: team manager of Team 1 (the child ``C-OWN`` is theirs);
- ``manager2``: team manager of Team 2 of the same authority ("another team");
- ``admin``: admin (performance / data) of 873, staff for the Django admin;
- ``committee``: committee lead of 873;
- ``outsider``: admin of 874 only ("a user of the other authority");
- ``mixed``: admin of 874 (staff) and committee lead of 873 — roles differ by authority;
- ``mixedmanager``: team manager of Team 1 in 873 and committee lead of 874;
- ``root``: superuser.

874 has a team of its own with one child (``C-PBORO``), an import batch and a snapshot, so
every route can be asked of either authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from imports.models import ImportBatch, ImportIssue
from organisations.models import LocalAuthority, Team, Worker
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from tests.access_helpers import roles_give
from tests.pages.conftest import FEBRUARY, FEBRUARY_CELLS, MARCH, MARCH_CELLS, snapshot_make
from tests.worklists.conftest import allocate, child_make, episode_make

ANONYMOUS = "anonymous"
MANAGER = "team manager, own team"
MANAGER_OTHER_TEAM = "team manager, other team"
ADMIN_ROLE = "admin"
COMMITTEE = "committee lead"
OUTSIDER = "user of the other authority"
MIXED = "admin of 874, committee lead of 873"
MIXED_MANAGER = "team manager in 873, committee lead of 874"
SUPERUSER = "superuser"
#: The cast, one user each (anonymous: none).
ROLES = (
    ANONYMOUS, MANAGER, MANAGER_OTHER_TEAM, ADMIN_ROLE, COMMITTEE, OUTSIDER, MIXED,
    MIXED_MANAGER, SUPERUSER,
)  # fmt: skip

PASSWORD = "Security-Test-Pass-2024!"


@dataclass
class Cast:
    la: LocalAuthority
    other_la: LocalAuthority
    team1: Team
    team2: Team
    child_own: Any
    child_other: Any
    other_team: Team
    child_874: Any
    batch: ImportBatch
    other_batch: ImportBatch
    users: dict[str, Any]


def _user(username: str, role: str | None, scope: list[tuple[LocalAuthority, list[Team]]], **kw):
    """A user holding ``role`` in each authority of ``scope`` (a team manager: those teams)."""
    return _user_roles(username, [(la, role, teams) for la, teams in scope], **kw)


def _user_roles(username: str, roles: list[tuple[LocalAuthority, str | None, list[Team]]], **kw):
    """A user holding, in each authority named, the role named there (roles differ)."""
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.invalid", **kw
    )
    for la, role, teams in roles:
        roles_give(user, la, role, teams=teams)
    return user


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Throttle counters and worklists live in the cache: start every test empty. Passwords
    are hashed with a fast hasher: the cast has six of them per test."""
    settings.WORKLIST_CACHE_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def cast(db) -> Cast:
    la = LocalAuthority.objects.get(code="873")
    other = LocalAuthority.objects.get(code="874")
    snapshot_make(la, FEBRUARY, FEBRUARY_CELLS)
    snapshot_make(la, MARCH, MARCH_CELLS)
    snapshot_make(other, MARCH, {"cla_count": {"at_e": {"value": 351}}})
    service = Team.objects.create(la=la, team_id="T00", name="Corporate Parenting Service")
    team1 = Team.objects.create(
        la=la, team_id="T10", name="Children in Care Team 1", parent=service
    )
    team2 = Team.objects.create(
        la=la, team_id="T11", name="Children in Care Team 2", parent=service
    )
    worker = Worker.objects.create(la=la, professional_id="W1", name="Ada Worker")
    child_own = child_make(la, "C-OWN", forename="Aurelia", surname="Quennell", dob="2011-02-03")
    episode_make(child_own, "2023-05-01")
    allocate(child_own, team1, worker, "2023-05-01")
    child_other = child_make(la, "C-OTHER", forename="Bartholomew", surname="Ixworth")
    episode_make(child_other, "2023-06-01")
    allocate(child_other, team2, worker, "2023-06-01")
    batch = ImportBatch.objects.create(
        la=la, format="ssda903", collection_year=2024, status=ImportBatch.Status.DONE
    )
    ImportIssue.objects.create(
        batch=batch, severity="error", kind="bad_date", message="DECOM is not a date."
    )
    other_batch = ImportBatch.objects.create(
        la=other, format="ssda903", collection_year=2024, status=ImportBatch.Status.DONE
    )
    other_team = Team.objects.create(la=other, team_id="P10", name="Peterborough Children in Care")
    other_worker = Worker.objects.create(la=other, professional_id="P1", name="Cy Worker")
    child_874 = child_make(other, "C-PBORO", forename="Cressida", surname="Yaxley")
    episode_make(child_874, "2023-07-01")
    allocate(child_874, other_team, other_worker, "2023-07-01")
    users = {
        ANONYMOUS: None,
        MANAGER: _user("manager", TEAM_MANAGER, [(la, [team1])]),
        MANAGER_OTHER_TEAM: _user("manager2", TEAM_MANAGER, [(la, [team2])]),
        ADMIN_ROLE: _user("admin", ADMIN, [(la, [])], is_staff=True),
        COMMITTEE: _user("committee", COMMITTEE_LEAD, [(la, [])]),
        OUTSIDER: _user("outsider", ADMIN, [(other, [])]),
        MIXED: _user_roles("mixed", [(other, ADMIN, []), (la, COMMITTEE_LEAD, [])], is_staff=True),
        MIXED_MANAGER: _user_roles(
            "mixedmanager", [(la, TEAM_MANAGER, [team1]), (other, COMMITTEE_LEAD, [])]
        ),
        SUPERUSER: get_user_model().objects.create_superuser(
            "root", "root@example.invalid", PASSWORD
        ),
    }
    return Cast(
        la=la,
        other_la=other,
        team1=team1,
        team2=team2,
        child_own=child_own,
        child_other=child_other,
        other_team=other_team,
        child_874=child_874,
        batch=batch,
        other_batch=other_batch,
        users=users,
    )
