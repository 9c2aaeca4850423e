"""A small authority for the worklist tests: two teams under a service, their managers, an
admin, a committee lead and a user of another authority; builders for looked-after children.

Dates are written out in each test. The cache is off (``WORKLIST_CACHE_SECONDS=0``) except
where a test turns it on, so every request reads the records.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches

from children.models import CareLeaverObservation, Child, Episode, MissingEpisode
from children.models import PersonalEducationPlan as Pep
from health.models import HealthAssessment
from organisations.models import (
    Allocation,
    AllocationRole,
    LocalAuthority,
    Team,
    Worker,
)
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from reviews.models import Review, StatutoryVisit
from tests.access_helpers import roles_give

_ids = itertools.count(1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def la_get(code: str) -> LocalAuthority:
    la = LocalAuthority.objects.filter(code=code).first()
    if la is None:
        la = LocalAuthority.objects.create(code=code, ons_code=f"E99{code}", name=f"Test {code}")
    return la


@dataclass
class World:
    la: LocalAuthority
    other_la: LocalAuthority
    service: Team
    team1: Team
    team2: Team
    worker1: Worker
    worker2: Worker
    manager1: object
    manager2: object
    service_manager: object
    admin: object
    committee: object
    outsider: object


def _user(username: str, role: str | None, memberships: list[tuple[LocalAuthority, list[Team]]]):
    """A user holding ``role`` in each authority of ``memberships`` (with those teams)."""
    user = get_user_model().objects.create_user(
        username=username, password=None, email=f"{username}@example.invalid"
    )
    for la, teams in memberships:
        roles_give(user, la, role, teams=teams)
    return user


@pytest.fixture(autouse=True)
def _no_worklist_cache(settings):
    settings.WORKLIST_CACHE_SECONDS = 0
    cache.clear()
    caches["local"].clear()


@pytest.fixture
def world(db) -> World:
    la = la_get("873")
    other = la_get("874")
    service = Team.objects.create(la=la, team_id="T00", name="Corporate Parenting Service")
    team1 = Team.objects.create(
        la=la, team_id="T10", name="Children in Care Team 1", parent=service
    )
    team2 = Team.objects.create(
        la=la, team_id="T11", name="Children in Care Team 2", parent=service
    )
    worker1 = Worker.objects.create(la=la, professional_id="W1", name="Ada Worker")
    worker2 = Worker.objects.create(la=la, professional_id="W2", name="Bo Worker")
    return World(
        la=la,
        other_la=other,
        service=service,
        team1=team1,
        team2=team2,
        worker1=worker1,
        worker2=worker2,
        manager1=_user("manager1", TEAM_MANAGER, [(la, [team1])]),
        manager2=_user("manager2", TEAM_MANAGER, [(la, [team2])]),
        service_manager=_user("servicemanager", TEAM_MANAGER, [(la, [service])]),
        admin=_user("admin1", ADMIN, [(la, [])]),
        committee=_user("committee1", COMMITTEE_LEAD, [(la, [])]),
        outsider=_user("outsider", ADMIN, [(other, [])]),
    )


def child_make(
    la: LocalAuthority,
    child_id: str,
    *,
    dob: str = "2012-06-14",
    forename: str = "Sam",
    surname: str = "Example",
) -> Child:
    return Child.objects.create(
        la=la, child_id=child_id, dob=d(dob), sex="M", forename=forename, surname=surname
    )


def episode_make(child: Child, decom: str, rne: str = "S", place: str = "U4", **fields) -> Episode:
    dec = fields.pop("dec", None)
    return Episode.objects.create(
        la=child.la,
        child=child,
        decom=d(decom),
        dec=d(dec) if dec else None,
        rne=rne,
        ls=fields.pop("ls", "C2"),
        place=place,
        cin="N1",
        **fields,
    )


def allocate(child: Child, team: Team, worker: Worker | None, start: str, **fields) -> Allocation:
    end = fields.pop("end", None)
    return Allocation.objects.create(
        la=child.la,
        involvement_id=f"I{next(_ids)}",
        child=child,
        worker=worker,
        team=team,
        role=fields.pop("role", AllocationRole.ALLOCATED_SW),
        start_date=d(start),
        end_date=d(end) if end else None,
    )


def looked_after_child(
    world: World,
    child_id: str,
    *,
    start: str,
    team: Team | None = None,
    worker: Worker | None = None,
    place: str = "U4",
    **child_fields,
) -> Child:
    """A child looked after from ``start`` (one open episode), allocated to a team from then."""
    child = child_make(world.la, child_id, **child_fields)
    episode_make(child, start, "S", place)
    allocate(child, team or world.team1, worker or world.worker1, start)
    return child


def visit(child: Child, when: str, *, seen: bool = True) -> StatutoryVisit:
    return StatutoryVisit.objects.create(
        la=child.la, visit_id=f"V{next(_ids)}", child=child, visit_date=d(when), seen=seen
    )


def review(child: Child, when: str, *, cancelled: bool = False) -> Review:
    return Review.objects.create(la=child.la, child=child, review_date=d(when), cancelled=cancelled)


def health(child: Child, when: str, kind: str = "RHA", status: str = "COMPLETED") -> None:
    HealthAssessment.objects.create(
        la=child.la, check_id=f"H{next(_ids)}", child=child, kind=kind, check_date=d(when),
        status=status,
    )  # fmt: skip


def pep(child: Child, when: str, status: str = "COMPLETE") -> None:
    Pep.objects.create(
        la=child.la, record_id=f"P{next(_ids)}", child=child, pep_date=d(when), status=status
    )


def missing(child: Child, start: str, end: str | None = None, **fields) -> None:
    completed = fields.pop("rhi_completed_date", None)
    MissingEpisode.objects.create(
        la=child.la,
        child=child,
        missing_type=fields.pop("missing_type", "M"),
        start_date=d(start),
        end_date=d(end) if end else None,
        rhi_completed_date=d(completed) if completed else None,
        source="ssd",
        **fields,
    )


def care_leaver(child: Child, as_at: str, *, reviewed: str | None, status: str = "FORMER RELEVANT"):
    CareLeaverObservation.objects.create(
        la=child.la,
        child=child,
        as_at=d(as_at),
        eligibility=status,
        pathway_plan_review_date=d(reviewed) if reviewed else None,
    )
