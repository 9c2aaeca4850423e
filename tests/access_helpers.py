"""Roles for test users, as ``manage.py user_role`` gives them: per authority.

``roles_give(user, la, ADMIN)`` makes ``user`` an admin of ``la`` and of nothing else;
``roles_give(user, la, TEAM_MANAGER, teams=[team])`` a team manager of that team (no team:
the whole authority). Roles add up on the user's one membership of each authority.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from organisations.models import LocalAuthority, Membership, Team
from organisations.permissions import access_cache_clear


def roles_give(
    user: Any, la: LocalAuthority, *roles: str | None, teams: Iterable[Team] = ()
) -> Membership:
    """The user's membership of ``la`` with ``roles`` added (``None`` entries ignored: a
    member with no role) and ``teams`` added to those they manage."""
    membership, _ = Membership.objects.get_or_create(user=user, la=la)
    for role in roles:
        if role:
            setattr(membership, role, True)
    membership.save()
    membership.teams.add(*teams)
    access_cache_clear(user=user)
    return membership
