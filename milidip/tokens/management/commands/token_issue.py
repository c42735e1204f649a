"""Issue an API token: `manage.py token_issue USER --name NAME --scope read|write --days N`.

The key alone goes to stdout (so `TOKEN=$(manage.py token_issue ...)` works); what it is goes to
stderr. The key is shown this once: only its digest is stored.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError

from milidip.tokens.models import ApiToken
from milidip.tokens.services import token_issue


class Command(BaseCommand):
    help = "Issue a named, scoped, expiring API token for a user; print its key once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help='The consumer, e.g. "newsroom-frontend".')
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ,
            help="read (default): GET, HEAD, OPTIONS only; write: writes too.",
        )
        parser.add_argument(
            "--days", type=int, help="Days until it expires (default: API_TOKEN_DAYS, 90)."
        )

    def handle(self, *args, username, name, scope, days, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f'No user "{username}".') from None
        try:
            token, key = token_issue(user=user, name=name, scope=scope, days=days)
        except ValidationError as error:
            raise CommandError(
                " ".join(
                    f"{field}: {' '.join(messages)}"
                    if field != NON_FIELD_ERRORS
                    else " ".join(messages)
                    for field, messages in error.message_dict.items()
                )
            ) from None
        self.stdout.write(key)
        self.stderr.write(
            f'Issued token "{token.name}" for {user} (scope {token.scope}, prefix {token.prefix}, '
            f"expires {token.expires:%Y-%m-%d %H:%M} UTC). Send it as `Authorization: Token "
            "<key>`. The key is shown only this once; it is not stored."
        )
