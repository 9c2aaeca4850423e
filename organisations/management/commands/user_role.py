"""``manage.py user_role --user NAME [--grant ROLE | --revoke ROLE] [--la CODE [--team ID ...]
| --remove-la CODE] [--deactivate | --reactivate] [--by SUPERUSER]``: a user's roles, scope
and whether they may sign in, audited.

Roles are ``team_manager``, ``admin`` and ``committee_lead`` (the Django groups of
``organisations.roles``). ``--la`` makes the user a member of an authority: of the whole
authority, or with ``--team`` (repeatable, extract team ids) of those teams only.
``--deactivate`` stops the user signing in (how someone leaves: a user with audit history
cannot be deleted). Every change leaves an access event; ``--by`` names the superuser.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from organisations.models import LocalAuthority
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from organisations.services import user_active_set, user_role_change, user_scope_set

ROLE_NAMES = {"team_manager": TEAM_MANAGER, "admin": ADMIN, "committee_lead": COMMITTEE_LEAD}


class Command(BaseCommand):
    help = "Grant or revoke a user's role, or set their authority and teams; audited."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--grant", choices=sorted(ROLE_NAMES))
        parser.add_argument("--revoke", choices=sorted(ROLE_NAMES))
        parser.add_argument("--la", help="make the user a member of this authority (DfE code)")
        parser.add_argument("--team", action="append", default=[], help="extract team id")
        parser.add_argument("--remove-la", help="remove the user's membership of this authority")
        parser.add_argument("--deactivate", action="store_true", help="stop them signing in")
        parser.add_argument("--reactivate", action="store_true", help="let them sign in again")
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
        if options["team"] and not options["la"]:
            raise CommandError("--team needs --la")
        if options["deactivate"] and options["reactivate"]:
            raise CommandError("give --deactivate or --reactivate, not both")
        done = []
        for flag, grant in (("grant", True), ("revoke", False)):
            if options[flag]:
                role = ROLE_NAMES[options[flag]]
                changed = user_role_change(acting_user=acting, user=user, role=role, grant=grant)
                done.append(f"{flag} {role}" + ("" if changed else " (no change)"))
        for flag, remove in (("la", False), ("remove_la", True)):
            code = options[flag]
            if not code:
                continue
            la = LocalAuthority.objects.filter(code=code).first()
            if la is None:
                raise CommandError(f"no local authority with code {code!r}")
            try:
                changed = user_scope_set(
                    acting_user=acting, user=user, la=la, team_ids=options["team"], remove=remove
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            what = f"removed from {code}" if remove else f"member of {code}"
            if not remove:
                what += f" ({', '.join(options['team'])})" if options["team"] else " (whole)"
            done.append(what + ("" if changed else " (no change)"))
        for flag, active in (("deactivate", False), ("reactivate", True)):
            if options[flag]:
                changed = user_active_set(acting_user=acting, user=user, active=active)
                done.append(f"{flag}d" + ("" if changed else " (no change)"))
        if not done:
            raise CommandError(
                "nothing to do: give --grant, --revoke, --la, --remove-la, --deactivate or "
                "--reactivate"
            )
        self.stdout.write(f"{user.get_username()}: " + "; ".join(done))
