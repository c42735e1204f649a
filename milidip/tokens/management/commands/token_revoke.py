"""Revoke API tokens: `manage.py token_revoke USER NAME`, or `--all` of a user's tokens.

A revoked token is refused (401, saying it was revoked) and stays listed (`token_list --all`).
"""

from django.core.management.base import BaseCommand, CommandError

from milidip.tokens.models import ApiToken
from milidip.tokens.services import tokens_revoke


class Command(BaseCommand):
    help = "Revoke a user's token by name (or all of the user's tokens with --all)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", nargs="?", help="The token's name (see token_list).")
        parser.add_argument(
            "--all", action="store_true", dest="revoke_all", help="Revoke all the user's tokens."
        )

    def handle(self, *args, username, name, revoke_all, **options):
        if bool(name) == revoke_all:
            raise CommandError("Give either a token name or --all.")
        tokens = ApiToken.objects.filter(user__username=username, revoked__isnull=True)
        if name:
            tokens = tokens.filter(name=name)
        count = tokens_revoke(tokens=tokens)
        if name and not count:
            raise CommandError(f'{username} holds no token named "{name}" that is not revoked.')
        self.stdout.write(f"Revoked {count} token{'s' if count != 1 else ''} of {username}.")
