"""``organisations.permissions``: the matrix of ``roles.md`` as one table, read the same way
by pages and API (``user_can``), with the one refusal rule (404 outside the user's
authorities, 403 for a role without the capability)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

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
    la_get_for_capability,
    las_for_capability,
    user_can,
)
from tests.security.conftest import (
    ADMIN_ROLE,
    COMMITTEE,
    MANAGER,
    MANAGER_OTHER_TEAM,
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
    with pytest.raises(Http404):
        la_get_for_capability(user=cast.users[OUTSIDER], code="873", capability=AGGREGATES)
    with pytest.raises(Http404):
        la_get_for_capability(user=cast.users[SUPERUSER], code="999", capability=AGGREGATES)
    with pytest.raises(PermissionDenied):
        la_get_for_capability(user=cast.users[COMMITTEE], code="873", capability=CASE_LEVEL)
