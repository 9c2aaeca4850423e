"""One demo user per role of ``roles.md``, and one holding different roles in the two demo
authorities, with fixed passwords documented in the README.

The passwords are public by design (they are printed and in the README): the demo data
are synthetic, and a real deployment creates its own users.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from organisations.models import LocalAuthority, Membership, Team, Worker
from organisations.roles import ADMIN, COMMITTEE_LEAD, ROLES, TEAM_MANAGER

#: The demo authorities (a superuser is a member of both, with no role needed, so their home
#: page lists them).
DEMO_LAS = ("873", "874")


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    roles: tuple[tuple[str, str], ...] = ()  # (authority code, role) pairs
    team_ids: tuple[str, ...] = ()  # a team manager's teams; empty: the whole authority
    superuser: bool = False
    description: str = ""

    @property
    def las(self) -> tuple[str, ...]:
        if self.superuser:
            return DEMO_LAS
        return tuple(dict.fromkeys(code for code, _ in self.roles))

    @property
    def is_staff(self) -> bool:
        """Superusers, and admins of any authority (the Django admin's reference data)."""
        return self.superuser or any(role == ADMIN for _, role in self.roles)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "admin",
        "Demo-Admin-Pass-2024!",
        (("873", ADMIN), ("874", ADMIN)),
        description="Performance and data admin of 873 and 874 (whole authorities); "
        "Django admin for reference data",
    ),  # fmt: skip
    DemoUser(
        "committee",
        "Demo-Committee-Pass-2024!",
        (("873", COMMITTEE_LEAD), ("874", COMMITTEE_LEAD)),
        description="Committee lead of 873 and 874: aggregates only",
    ),  # fmt: skip
    DemoUser(
        "manager",
        "Demo-Manager-Pass-2024!",
        (("873", TEAM_MANAGER),),
        ("873T10",),
        description="Team manager of 873 Children in Care Team 1",
    ),  # fmt: skip
    DemoUser(
        "manager2",
        "Demo-Manager2-Pass-2024!",
        (("873", TEAM_MANAGER),),
        ("873T11",),
        description="Team manager of 873 Children in Care Team 2",
    ),  # fmt: skip
    DemoUser(
        "mixed",
        "Demo-Mixed-Pass-2024!",
        (("873", COMMITTEE_LEAD), ("874", ADMIN)),
        description="Committee lead of 873 (aggregates only there), admin of 874",
    ),  # fmt: skip
    DemoUser(
        "superuser",
        "Demo-Superuser-Pass-2024!",
        superuser=True,
        description="Superuser: everything, including users and roles",
    ),  # fmt: skip
)


def demo_users_ensure() -> list[DemoUser]:
    """Create or reset the demo users and their roles in each authority.

    Idempotent: passwords and roles are set to the table above each run. Team managers are
    linked to the manager worker of their team when that exists.
    """
    User = get_user_model()
    las = {la.code: la for la in LocalAuthority.objects.filter(code__in=DEMO_LAS)}
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        validate_password(spec.password, user)
        user.set_password(spec.password)
        user.is_active = True
        user.is_superuser = spec.superuser
        user.is_staff = spec.is_staff
        user.email = f"{spec.username}@demo.invalid"
        user.save()
        Membership.objects.filter(user=user).exclude(la__code__in=spec.las).delete()
        for code in spec.las:
            la = las.get(code)
            if la is None:
                continue
            held = {role for la_code, role in spec.roles if la_code == code}
            membership, _ = Membership.objects.update_or_create(
                user=user, la=la, defaults={role: role in held for role in ROLES}
            )
            teams = list(Team.objects.filter(la=la, team_id__in=spec.team_ids))
            membership.teams.set(teams if TEAM_MANAGER in held else [])
            for team in teams:
                _manager_worker_link(user=user, la=la, team=team)
    return list(DEMO_USERS)


def _manager_worker_link(*, user, la: LocalAuthority, team: Team) -> None:
    """Link the demo team manager to the worker who manages ``team`` in the staff data."""
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
