"""``manage.py create_api_token --user NAME [--revoke] [--by SUPERUSER]``.

Issues (or replaces) a user's API token and prints the key once, or revokes it. Whoever
runs ``manage.py`` on the server is in effect a superuser; ``--by`` names the superuser
for the audit row.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.services import TokenRefused, api_token_issue, api_token_revoke


class Command(BaseCommand):
    help = "Issue (or with --revoke, delete) a user's API token; audited."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="user name the token is for")
        parser.add_argument("--revoke", action="store_true", help="delete the user's token")
        parser.add_argument("--by", help="the superuser doing this (recorded in the audit log)")

    def handle(self, *args, user: str, revoke: bool, by: str | None, **options):
        User = get_user_model()
        owner = User.objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"no user {user!r}")
        acting = None
        if by:
            acting = User.objects.filter(username=by, is_superuser=True, is_active=True).first()
            if acting is None:
                raise CommandError(f"--by {by!r} is not an active superuser")
        if revoke:
            if api_token_revoke(user=owner, acting_user=acting):
                self.stdout.write(f"Revoked the API token of {user}.")
            else:
                self.stdout.write(f"{user} had no API token.")
            return
        try:
            token = api_token_issue(user=owner, acting_user=acting)
        except TokenRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(token.key)
