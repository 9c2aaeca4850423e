"""``manage.py user_role``: roles granted, revoked and listed per authority (issue #21).

``--grant ROLE --la CODE [--team ID ...]`` gives a role in one authority; ``--revoke`` takes
it (with ``--team``, those teams only; the last team takes the role with it, never leaving
"no team named", which would mean the whole authority); ``--remove-la`` takes every role of
an authority; without an action the user's roles are listed per authority.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from organisations.models import AuditEvent, LocalAuthority, Membership, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    cambs = LocalAuthority.objects.get(code="873")
    for team_id, name in (("T10", "Team 1"), ("T11", "Team 2")):
        Team.objects.create(la=cambs, team_id=team_id, name=name)
    Team.objects.create(la=LocalAuthority.objects.get(code="874"), team_id="P10", name="P")
    User = get_user_model()
    User.objects.create_superuser("root", "root@example.invalid", "x")
    return User.objects.create_user("jo", password="x")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("user_role", "--user", "jo", *args, stdout=out)
    return out.getvalue()


def held() -> dict[str, tuple[list[str], list[str]]]:
    """authority code → (roles held, a team manager's teams)."""
    return {
        m.la.code: (sorted(m.roles), sorted(m.teams.values_list("team_id", flat=True)))
        for m in Membership.objects.filter(user__username="jo").select_related("la")
    }


def test_roles_are_granted_in_one_authority_each_and_listed(world):
    run("--grant", "admin", "--la", "874", "--by", "root")
    out = run("--grant", "committee_lead", "--la", "873")

    assert held() == {"873": (["committee_lead"], []), "874": (["admin"], [])}
    assert out.splitlines() == [
        "jo: grant Committee lead in 873",
        "  873 Cambridgeshire: Committee lead",
        "  874 Peterborough: Admin (performance / data)",
    ]
    assert list(AuditEvent.objects.order_by("pk").values_list("la__code", "detail__role")) == [
        ("874", "admin"),
        ("873", "committee_lead"),
    ]


def test_listing_alone_changes_nothing(world):
    run("--grant", "team_manager", "--la", "873", "--team", "T10")
    before = AuditEvent.objects.count()

    assert run().splitlines() == ["  873 Cambridgeshire: Team manager (T10)"]
    assert AuditEvent.objects.count() == before


def test_a_user_without_roles_is_listed_as_such(world):
    assert run().splitlines() == ["jo holds no role in any authority"]


def test_team_manager_teams_add_up_and_the_last_one_revoked_takes_the_role(world):
    run("--grant", "team_manager", "--la", "873", "--team", "T10")
    run("--grant", "team_manager", "--la", "873", "--team", "T11")
    assert held() == {"873": (["team_manager"], ["T10", "T11"])}

    run("--revoke", "team_manager", "--la", "873", "--team", "T10")
    assert held() == {"873": (["team_manager"], ["T11"])}

    run("--revoke", "team_manager", "--la", "873", "--team", "T11")
    assert held() == {}  # not "no team named": that would be the whole authority


def test_revoking_one_role_keeps_the_others_of_that_authority(world):
    run("--grant", "team_manager", "--la", "873", "--team", "T10")
    run("--grant", "committee_lead", "--la", "873")

    out = run("--revoke", "team_manager", "--la", "873")

    assert held() == {"873": (["committee_lead"], [])}
    assert out.startswith("jo: revoke Team manager in 873\n")


def test_granting_again_is_no_change_and_leaves_no_event(world):
    run("--grant", "admin", "--la", "873")
    out = run("--grant", "admin", "--la", "873")

    assert "grant Admin (performance / data) in 873 (no change)" in out
    assert AuditEvent.objects.count() == 1


def test_remove_la_takes_every_role_in_that_authority(world):
    run("--grant", "admin", "--la", "873")
    run("--grant", "committee_lead", "--la", "873")
    run("--grant", "admin", "--la", "874")

    out = run("--remove-la", "873")

    assert held() == {"874": (["admin"], [])}
    assert out.startswith("jo: every role in 873 taken away")
    removed = AuditEvent.objects.filter(detail__change="revoked", la__code="873")
    assert sorted(removed.values_list("detail__role", flat=True)) == ["admin", "committee_lead"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("--grant", "admin"), "roles are held per authority: give --la CODE"),
        (("--la", "873"), "--la names where to --grant or --revoke a role"),
        (("--grant", "admin", "--la", "873", "--team", "T10"), "--team is for"),
        (("--grant", "team_manager", "--la", "873", "--team", "P10"), "no team P10 in 873"),
        (("--grant", "admin", "--la", "999"), "no local authority with code '999'"),
        (("--grant", "admin", "--la", "873", "--by", "jo"), "--by 'jo' is not a superuser"),
        (("--remove-la", "873", "--la", "873"), "leave out --la"),
    ],
)
def test_refusals_name_the_problem_and_change_nothing(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert held() == {} and not AuditEvent.objects.exists()


def test_an_unknown_role_is_refused_by_the_parser(world):
    with pytest.raises(CommandError, match="invalid choice: 'Admin'"):
        run("--grant", "Admin", "--la", "873")


def test_a_whole_authority_team_manager_is_not_narrowed_or_widened_as_a_side_effect(world):
    run("--grant", "team_manager", "--la", "873")  # no team: the whole authority
    with pytest.raises(CommandError, match="team manager of the whole of 873: revoke"):
        run("--grant", "team_manager", "--la", "873", "--team", "T10")
    with pytest.raises(CommandError, match="without --team"):
        run("--revoke", "team_manager", "--la", "873", "--team", "T10")
    run("--revoke", "team_manager", "--la", "873")
    run("--grant", "team_manager", "--la", "873", "--team", "T10")
    with pytest.raises(CommandError, match="team manager of T10 in 873: revoke"):
        run("--grant", "team_manager", "--la", "873")

    assert held() == {"873": (["team_manager"], ["T10"])}
