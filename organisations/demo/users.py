"""One demo user per role of ``roles.md``, with fixed passwords documented in the README.

The passwords are public by design (they are printed and in the README): the demo data
are synthetic, and a real deployment creates its own users.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from organisations.models import LocalAuthority, Membership, Team, Worker
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER, role_groups_ensure


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # group name, or "superuser"
    las: tuple[str, ...]
    team_ids: tuple[str, ...] = ()  # empty: the whole authority
    description: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin",
        "Demo-Admin-Pass-2024!",
        ADMIN,
        ("873", "874"),
        description="Performance and data admin of 873 and 874 (whole authorities); "
        "Django admin for reference data",
    ),  # fmt: skip
    DemoUser(
        "committee",
        "Demo-Committee-Pass-2024!",
        COMMITTEE_LEAD,
        ("873", "874"),
        description="Committee lead of 873 and 874: aggregates only",
    ),  # fmt: skip
    DemoUser(
        "manager",
        "Demo-Manager-Pass-2024!",
        TEAM_MANAGER,
        ("873",),
        ("873T10",),
        description="Team manager of 873 Children in Care Team 1",
    ),  # fmt: skip
    DemoUser(
        "manager2",
        "Demo-Manager2-Pass-2024!",
        TEAM_MANAGER,
        ("873",),
        ("873T11",),
        description="Team manager of 873 Children in Care Team 2",
    ),  # fmt: skip
    DemoUser(
        "superuser",
        "Demo-Superuser-Pass-2024!",
        "superuser",
        ("873", "874"),
        description="Superuser: everything, including users and roles",
    ),  # fmt: skip
)


def demo_users_ensure() -> list[DemoUser]:
    """Create or reset the demo users, their groups, memberships and team scopes.

    Idempotent: passwords, groups and memberships are set to the table above each run.
    Team managers are linked to the manager worker of their team when that exists.
    """
    groups = role_groups_ensure()
    User = get_user_model()
    las = {la.code: la for la in LocalAuthority.objects.filter(code__in=["873", "874"])}
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        validate_password(spec.password, user)
        user.set_password(spec.password)
        user.is_active = True
        user.is_superuser = spec.role == "superuser"
        user.is_staff = spec.role in ("superuser", ADMIN)
        user.email = f"{spec.username}@demo.invalid"
        user.save()
        user.groups.set([groups[spec.role]] if spec.role in groups else [])
        Membership.objects.filter(user=user).exclude(la__code__in=spec.las).delete()
        for code in spec.las:
            la = las.get(code)
            if la is None:
                continue
            membership, _ = Membership.objects.get_or_create(user=user, la=la)
            teams = list(Team.objects.filter(la=la, team_id__in=spec.team_ids))
            membership.teams.set(teams)
            for team in teams:
                manager = (
                    Worker.objects.filter(
                        la=la,
                        memberships__team=team,
                        memberships__role="team_manager",
                        memberships__end_date__isnull=True,
                    )
                    .order_by("professional_id")
                    .first()
                )
                if manager is not None and manager.user_id != user.pk:
                    Worker.objects.filter(user=user).update(user=None)
                    manager.user = user
                    manager.save(update_fields=["user"])
    return list(DEMO_USERS)
