"""Migration ``0006_membership_roles_per_authority``: role groups become roles per authority.

Faithful: each user's role groups are copied onto every membership they hold, so a user
with one role keeps exactly what they had; the groups are then deleted. Backwards, the
groups come back with everyone holding the role somewhere.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("organisations", "0005_audit_import_run_again")]
AFTER = [("organisations", "0006_membership_roles_per_authority")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_world(transactional_db):
    """Users as the old scheme held them, at migration 0005."""
    apps = _migrate(BEFORE)
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    LocalAuthority = apps.get_model("organisations", "LocalAuthority")
    Membership = apps.get_model("organisations", "Membership")
    Team = apps.get_model("organisations", "Team")
    # A transactional test before this one may have emptied the tables (rows loaded by
    # migration 0002 included): the two authorities are made here if missing.
    cambs, pboro = (
        LocalAuthority.objects.get_or_create(code=code, defaults={"ons_code": ons, "name": name})[0]
        for code, ons, name in (
            ("873", "E10000003", "Cambridgeshire"),
            ("874", "E06000031", "Peterborough"),
        )
    )
    team = Team.objects.create(la=cambs, team_id="T10", name="Team 1")
    groups = {name: Group.objects.get_or_create(name=name)[0]
              for name in ("Team manager", "Admin", "Committee lead", "Auditors")}  # fmt: skip

    def user(name, group_names, las, teams=()):
        made = User.objects.create(username=name)
        made.groups.set([groups[g] for g in group_names])
        for la in las:
            Membership.objects.create(user=made, la=la).teams.set(teams)
        return made

    user("manager", ["Team manager"], [cambs], [team])
    user("admin", ["Admin"], [cambs, pboro])
    user("lead", ["Committee lead"], [cambs])
    user("both", ["Admin", "Committee lead"], [pboro])
    user("norole", [], [cambs])
    user("nowhere", ["Admin", "Auditors"], [])
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_users_roles_are_applied_to_every_authority_they_belong_to(old_world):
    apps = _migrate(AFTER)
    Membership = apps.get_model("organisations", "Membership")
    Group = apps.get_model("auth", "Group")

    held = {
        (m.user.username, m.la.code): (
            m.team_manager,
            m.admin,
            m.committee_lead,
            sorted(m.teams.values_list("team_id", flat=True)),
        )
        for m in Membership.objects.select_related("user", "la")
    }

    #                              manager admin  lead
    assert held == {
        ("manager", "873"): (True, False, False, ["T10"]),
        ("admin", "873"): (False, True, False, []),
        ("admin", "874"): (False, True, False, []),
        ("lead", "873"): (False, False, True, []),
        ("both", "874"): (False, True, True, []),
        ("norole", "873"): (False, False, False, []),
    }
    # The role groups are gone (an admin with no authority had nothing to use it in); a
    # group that is not a role is left alone.
    assert list(Group.objects.values_list("name", flat=True)) == ["Auditors"]


@pytest.mark.django_db(transaction=True)
def test_backwards_the_groups_come_back_with_everyone_holding_the_role(old_world):
    _migrate(AFTER)
    apps = _migrate(BEFORE)
    Group = apps.get_model("auth", "Group")

    members = {
        g.name: sorted(g.user_set.values_list("username", flat=True)) for g in Group.objects.all()
    }

    assert members == {
        "Admin": ["admin", "both"],
        "Auditors": ["nowhere"],
        "Committee lead": ["both", "lead"],
        "Team manager": ["manager"],
    }
    admin_perms = Group.objects.get(name="Admin").permissions
    assert admin_perms.filter(codename="change_population").exists()
    assert not admin_perms.filter(codename="view_child").exists()
