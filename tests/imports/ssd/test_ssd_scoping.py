"""A team's allocations decide which team manager sees which child (``roles.md`` "Scope"),
tested through ``Child.objects.visible_to`` with the §5 worked example."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser, User

from children.models import Child
from organisations.models import Allocation, AllocationRole, Team, Worker
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from organisations.selectors import child_team_on
from tests.access_helpers import roles_give
from tests.imports.ssd.conftest import issues_text, ssd_import

ON = date(2025, 3, 31)


def _user(name: str, role: str | None, la, *team_ids: str) -> User:
    user = User.objects.create_user(name, password="x")
    roles_give(user, la, role, teams=Team.objects.filter(la=la, team_id__in=team_ids))
    return user


def _visible(user, on=ON) -> list[str]:
    return sorted(Child.objects.visible_to(user, on=on).values_list("child_id", flat=True))


@pytest.fixture
def example(la, example_folder):
    batch = ssd_import(la, example_folder)
    assert batch.status == "done", issues_text(batch)
    return la


def test_a_team_manager_sees_the_children_allocated_to_their_team(example):
    t10 = _user("t10", TEAM_MANAGER, example, "T10")
    t30 = _user("t30", TEAM_MANAGER, example, "T30")

    assert _visible(t10) == ["C1001"]
    assert _visible(t30) == ["C1002"]  # a care leaver with a PA only: the PA's team


def test_the_child_team_follows_the_allocation_open_on_the_day(example):
    girl = Child.objects.get(child_id="C1001")
    t30 = Team.objects.get(team_id="T30")
    worker = Worker.objects.get(professional_id="PR204")
    Allocation.objects.filter(involvement_id="I1").update(end_date=date(2025, 2, 1))
    Allocation.objects.create(la=example, involvement_id="I3", child=girl, worker=worker,
                              team=t30, role=AllocationRole.ALLOCATED_SW,
                              start_date=date(2025, 2, 1))  # fmt: skip
    t10 = _user("t10", TEAM_MANAGER, example, "T10")

    assert _visible(t10, on=date(2025, 1, 31)) == ["C1001"]
    assert _visible(t10, on=date(2025, 2, 1)) == []  # ended on D: no longer open
    assert child_team_on(child=girl, on=date(2025, 2, 1)) == t30
    assert child_team_on(child=girl, on=date(2024, 1, 7)) is None


def test_a_later_starting_social_worker_allocation_wins(example):
    girl = Child.objects.get(child_id="C1001")
    Allocation.objects.create(la=example, involvement_id="I4", child=girl,
                              team=Team.objects.get(team_id="T30"),
                              role=AllocationRole.ALLOCATED_SW,
                              start_date=date(2024, 6, 1))  # fmt: skip

    assert _visible(_user("t30", TEAM_MANAGER, example, "T30")) == ["C1001", "C1002"]
    assert _visible(_user("t10", TEAM_MANAGER, example, "T10")) == []


def test_a_social_worker_means_the_personal_advisers_team_does_not_count(example):
    boy = Child.objects.get(child_id="C1002")
    Allocation.objects.create(la=example, involvement_id="I5", child=boy,
                              team=Team.objects.get(team_id="T10"),
                              role=AllocationRole.ALLOCATED_SW,
                              start_date=date(2025, 1, 1))  # fmt: skip

    assert _visible(_user("t30", TEAM_MANAGER, example, "T30")) == []


def test_a_service_scope_covers_its_teams(example):
    assert _visible(_user("t01", TEAM_MANAGER, example, "T01")) == ["C1001", "C1002"]


def test_whole_authority_roles_and_the_rest(example, other_la):
    admin = _user("admin", ADMIN, example, "T10")  # admins see the whole authority
    lead = _user("lead", COMMITTEE_LEAD, example)
    nobody = _user("nobody", None, example)
    head = _user("head", TEAM_MANAGER, example)  # no team named: the whole authority
    elsewhere = _user("elsewhere", ADMIN, other_la)
    root = User.objects.create_superuser("root", password="x")

    assert _visible(admin) == ["C1001", "C1002"]
    assert _visible(head) == ["C1001", "C1002"]
    assert _visible(lead) == []
    assert _visible(nobody) == []
    assert _visible(elsewhere) == []
    assert _visible(AnonymousUser()) == []
    assert _visible(root) == ["C1001", "C1002"]
