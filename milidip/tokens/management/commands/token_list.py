"""List API tokens (never their keys): `manage.py token_list [USER] [--all]`."""

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from milidip.tokens.models import ApiToken

COLUMNS = ("user", "name", "scope", "prefix", "created", "expires", "last used", "state")


def when(moment):
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


class Command(BaseCommand):
    help = "List API tokens: user, name, scope, prefix, dates and state. Keys are never shown."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="Only this user's tokens.")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="include_all",
            help="Include revoked and expired tokens.",
        )

    def handle(self, *args, username, include_all, **options):
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user__username=username)
        if not include_all:
            tokens = tokens.filter(Q(revoked__isnull=True) & Q(expires__gt=timezone.now()))
        rows = [
            (
                str(token.user),
                token.name,
                token.scope,
                token.prefix,
                when(token.created),
                when(token.expires),
                when(token.last_used),
                token.state,
            )
            for token in tokens
        ]
        widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        for row in [COLUMNS, *rows]:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )
