"""``organisations.permissions``: the matrix of ``roles.md`` as one table, read the same way
by pages and API (``user_can``), with the one refusal rule (404 outside the user's
authorities, 403 for a role without the capability)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from children.models import Child
from organisations.permissions import (
    AGGREGATES,
    AUDIT_LOG,
    CAPABILITIES,
    CASE_LEVEL,
    CASE_LEVEL_WHOLE_AUTHORITY,
    COMMENTARY,
    IMPORTS,
    MANAGE_USERS,
    PDF_DOWNLOAD,
    PUBLISH,
    RECOMPUTE,
    REFERENCE_DATA,
    NotFound,
    NotPermitted,
    case_scope,
    la_get_for_capability,
    las_for_capability,
    user_can,
    user_capabilities_in,
)
from tests.security.conftest import (
    ADMIN_ROLE,
    COMMITTEE,
    MANAGER,
    MANAGER_OTHER_TEAM,
    MIXED,
    MIXED_MANAGER,
    OUTSIDER,
    SUPERUSER,
)

pytestmark = pytest.mark.django_db

# roles.md "Roles", row by row: (capability, team manager, admin, committee lead, superuser)
MATRIX = [
    (AGGREGATES, True, True, True, True),
    (PDF_DOWNLOAD, True, True, True, True),
    (COMMENTARY, False, True, True, True),
    (PUBLISH, False, False, True, True),
    (CASE_LEVEL, True, True, False, True),
    (CASE_LEVEL_WHOLE_AUTHORITY, False, True, False, True),  # "own teams" / "whole LA"
    (IMPORTS, False, True, False, True),
    (REFERENCE_DATA, False, True, False, True),
    (RECOMPUTE, False, True, False, True),
    (MANAGE_USERS, False, False, False, True),
    (AUDIT_LOG, False, False, False, True),
]


def test_the_matrix_lists_every_capability():
    assert {row[0] for row in MATRIX} == set(CAPABILITIES)


@pytest.mark.parametrize("capability, manager, admin, lead, superuser", MATRIX)
def test_each_role_in_its_own_authority(cast, capability, manager, admin, lead, superuser):
    la = cast.la
    got = {
        MANAGER: user_can(user=cast.users[MANAGER], capability=capability, la=la),
        ADMIN_ROLE: user_can(user=cast.users[ADMIN_ROLE], capability=capability, la=la),
        COMMITTEE: user_can(user=cast.users[COMMITTEE], capability=capability, la=la),
        SUPERUSER: user_can(user=cast.users[SUPERUSER], capability=capability, la=la),
    }
    assert got == {MANAGER: manager, ADMIN_ROLE: admin, COMMITTEE: lead, SUPERUSER: superuser}


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_nobody_holds_a_capability_in_an_authority_they_are_not_a_member_of(cast, capability):
    assert not user_can(user=cast.users[OUTSIDER], capability=capability, la=cast.la)


def test_anonymous_and_inactive_users_hold_nothing(cast):
    lead = cast.users[COMMITTEE]
    lead.is_active = False
    assert not user_can(user=AnonymousUser(), capability=AGGREGATES)
    assert not user_can(user=lead, capability=AGGREGATES, la=cast.la)


def test_an_unknown_capability_is_a_programming_error(cast):
    with pytest.raises(ValueError, match="unknown capability"):
        user_can(user=cast.users[SUPERUSER], capability="fly")


def test_authorities_per_capability(cast):
    assert list(las_for_capability(user=cast.users[OUTSIDER], capability=IMPORTS)) == [
        cast.other_la
    ]
    assert not las_for_capability(user=cast.users[COMMITTEE], capability=IMPORTS).exists()
    assert las_for_capability(user=cast.users[SUPERUSER], capability=IMPORTS).count() > 100


def test_refusals_hide_other_authorities_and_name_missing_rights(cast):
    assert la_get_for_capability(user=cast.users[MANAGER_OTHER_TEAM], code="873",
                                 capability=CASE_LEVEL) == cast.la  # fmt: skip
    with pytest.raises(NotFound):
        la_get_for_capability(user=cast.users[OUTSIDER], code="873", capability=AGGREGATES)
    with pytest.raises(NotFound):
        la_get_for_capability(user=cast.users[SUPERUSER], code="999", capability=AGGREGATES)
    with pytest.raises(NotPermitted):
        la_get_for_capability(user=cast.users[COMMITTEE], code="873", capability=CASE_LEVEL)


# --- roles are per authority (issue #21) -------------------------------------------------------

#: (user, authority, the column of MATRIX that user is in that authority)
MIXED_CELLS = [
    (MIXED, "873", "lead"),
    (MIXED, "874", "admin"),
    (MIXED_MANAGER, "873", "manager"),
    (MIXED_MANAGER, "874", "lead"),
    (OUTSIDER, "874", "admin"),
]


@pytest.mark.parametrize("user, code, column", MIXED_CELLS)
@pytest.mark.parametrize("capability, manager, admin, lead, superuser", MATRIX)
def test_a_user_holds_in_each_authority_exactly_the_role_held_there(
    cast, user, code, column, capability, manager, admin, lead, superuser
):
    la = cast.la if code == "873" else cast.other_la
    expected = {"manager": manager, "admin": admin, "lead": lead}[column]
    assert user_can(user=cast.users[user], capability=capability, la=la) is expected


def test_authorities_per_capability_follow_the_role_held_in_each(cast):
    mixed, manager = cast.users[MIXED], cast.users[MIXED_MANAGER]
    assert list(las_for_capability(user=mixed, capability=IMPORTS)) == [cast.other_la]
    assert list(las_for_capability(user=mixed, capability=CASE_LEVEL)) == [cast.other_la]
    assert list(las_for_capability(user=mixed, capability=PUBLISH)) == [cast.la]
    assert list(las_for_capability(user=mixed, capability=AGGREGATES)) == [cast.la, cast.other_la]
    assert list(las_for_capability(user=manager, capability=CASE_LEVEL)) == [cast.la]
    assert list(las_for_capability(user=manager, capability=PUBLISH)) == [cast.other_la]
    assert user_capabilities_in(user=mixed, la=cast.la) == [
        AGGREGATES, PDF_DOWNLOAD, COMMENTARY, PUBLISH
    ]  # fmt: skip


def test_case_scope_is_per_authority_whole_own_teams_or_none(cast):
    mixed, manager = cast.users[MIXED], cast.users[MIXED_MANAGER]
    assert case_scope(user=mixed, la=cast.la).none
    assert case_scope(user=mixed, la=cast.other_la).whole_authority
    assert case_scope(user=manager, la=cast.la).team_ids == {cast.team1.pk}
    assert case_scope(user=manager, la=cast.other_la).none
    assert case_scope(user=cast.users[SUPERUSER], la=cast.la).whole_authority
    assert not user_can(user=manager, capability=CASE_LEVEL_WHOLE_AUTHORITY, la=cast.la)
    assert user_can(user=mixed, capability=CASE_LEVEL_WHOLE_AUTHORITY, la=cast.other_la)


def test_children_visible_are_those_of_the_authorities_where_the_role_reads_them(cast):
    def visible(role):
        return sorted(Child.objects.visible_to(cast.users[role]).values_list("child_id", flat=True))

    assert visible(MIXED) == ["C-PBORO"]  # admin of 874; committee lead of 873 sees no child
    assert visible(MIXED_MANAGER) == ["C-OWN"]  # Team 1 of 873; nothing of 874
    assert visible(OUTSIDER) == ["C-PBORO"]
    assert visible(ADMIN_ROLE) == ["C-OTHER", "C-OWN"]


def test_refusals_name_the_role_held_in_that_authority(cast):
    mixed = cast.users[MIXED]
    assert la_get_for_capability(user=mixed, code="874", capability=IMPORTS) == cast.other_la
    with pytest.raises(NotPermitted):
        la_get_for_capability(user=mixed, code="873", capability=CASE_LEVEL)
    with pytest.raises(NotPermitted):
        la_get_for_capability(user=mixed, code="874", capability=PUBLISH)
