"""``manage.py user_role --user NAME [--grant ROLE | --revoke ROLE] --la CODE [--team ID ...]
| --remove-la CODE] [--deactivate | --reactivate] [--by SUPERUSER]``: a user's roles per
authority, and whether they may sign in, audited.

Roles (``team_manager``, ``admin``, ``committee_lead``) are held in one authority each:
``--grant admin --la 874`` makes the user an admin of 874 and of nothing else. A team manager
manages the teams named with ``--team`` (extract team ids, repeatable; the teams below them
are included), or the whole authority when none is named. ``--revoke`` takes a role away
(with ``--team``, only those teams); ``--remove-la`` takes every role in that authority.
``--deactivate`` stops the user signing in (how someone leaves: a user with audit history
cannot be deleted); ``--reactivate`` lets them back. Without an action the command lists the
user's roles per authority. Every change leaves an access event (``ROLE_CHANGE`` of the
authority, ``USER_DEACTIVATE`` / ``USER_REACTIVATE``); ``--by`` names the superuser doing it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from organisations.models import LocalAuthority
from organisations.roles import ROLES, TEAM_MANAGER, role_label
from organisations.selectors import user_roles_by_authority
from organisations.services import (
    RoleChangeRefused,
    user_active_set,
    user_authority_remove,
    user_role_grant,
    user_role_revoke,
)


class Command(BaseCommand):
    help = "List, grant or revoke a user's roles in an authority; every change is audited."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--grant", choices=ROLES, help="give this role in --la")
        action.add_argument("--revoke", choices=ROLES, help="take this role in --la away")
        action.add_argument("--remove-la", metavar="CODE", help="take every role in CODE away")
        parser.add_argument("--la", metavar="CODE", help="the authority (DfE code)")
        parser.add_argument(
            "--team", action="append", default=[], help="a team manager's team (extract id)"
        )
        active = parser.add_mutually_exclusive_group()
        active.add_argument("--deactivate", action="store_true", help="stop them signing in")
        active.add_argument("--reactivate", action="store_true", help="let them sign in again")
        parser.add_argument("--by", help="the superuser doing this (recorded in the audit log)")

    def handle(self, *args, **options):
        User = get_user_model()
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        acting = None
        if options["by"]:
            acting = User.objects.filter(username=options["by"], is_superuser=True).first()
            if acting is None:
                raise CommandError(f"--by {options['by']!r} is not a superuser")
        role = options["grant"] or options["revoke"]
        if options["team"] and role != TEAM_MANAGER:
            raise CommandError("--team is for --grant or --revoke team_manager")
        if options["remove_la"]:
            if options["la"]:
                raise CommandError("--remove-la names the authority itself: leave out --la")
            la = self._la(options["remove_la"])
            changed = user_authority_remove(acting_user=acting, user=user, la=la)
            done = f"every role in {la.code} taken away" if changed else f"no role in {la.code}"
        elif role:
            if not options["la"]:
                raise CommandError("roles are held per authority: give --la CODE")
            la = self._la(options["la"])
            service = user_role_grant if options["grant"] else user_role_revoke
            try:
                changed = service(
                    acting_user=acting, user=user, la=la, role=role, team_ids=options["team"]
                )
            except RoleChangeRefused as exc:
                raise CommandError(str(exc)) from exc
            verb = "grant" if options["grant"] else "revoke"
            teams = f" ({', '.join(options['team'])})" if options["team"] else ""
            done = f"{verb} {role_label(role)} in {la.code}{teams}"
            done += "" if changed else " (no change)"
        elif options["la"] or options["team"]:
            raise CommandError("--la names where to --grant or --revoke a role: give one")
        else:
            done = ""
        if done:
            self.stdout.write(f"{user.get_username()}: {done}")
        if options["deactivate"] or options["reactivate"]:
            active = bool(options["reactivate"])
            changed = user_active_set(acting_user=acting, user=user, active=active)
            state = "reactivated" if active else "deactivated"
            state += "" if changed else " (no change)"
            self.stdout.write(f"{user.get_username()}: {state}")
        self._list(user)

    def _la(self, code: str) -> LocalAuthority:
        la = LocalAuthority.objects.filter(code=code).first()
        if la is None:
            raise CommandError(f"no local authority with code {code!r}")
        return la

    def _list(self, user) -> None:
        """The user's roles now, one line per authority."""
        if user.is_superuser:
            self.stdout.write(f"{user.get_username()} is a superuser: every role everywhere")
        rows = user_roles_by_authority(user=user)
        if not rows and not user.is_superuser:
            self.stdout.write(f"{user.get_username()} holds no role in any authority")
        for row in rows:
            self.stdout.write(f"  {row.la.code} {row.la.name}: {row.text}")
