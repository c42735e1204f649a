"""API tokens: named per consumer, scoped (read or write), expiring, and stored only as a hash.

The key a client sends (`Authorization: Token <key>`) is 256 random bits, shown once when the
token is issued (see services.token_issue) and never stored: the table keeps its SHA-256 digest,
by which a presented key is looked up, and its first characters (`prefix`), by which people tell
tokens apart. A fast digest is enough for a random key of this length (it cannot be guessed
from its digest, unlike a password); it is what GitHub and django-rest-knox do too.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

PREFIX_LENGTH = 8


def key_digest(key):
    """The SHA-256 hex digest under which a key is stored and looked up."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "read (GET, HEAD, OPTIONS only)"
        WRITE = "write", "write (reads and writes, within the user's model permissions)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Whose permissions the token carries.",
    )
    name = models.CharField(
        max_length=100,
        help_text='The consumer that holds the token, e.g. "newsroom-frontend" or "import-bot".',
    )
    scope = models.CharField(
        max_length=5,
        choices=Scope.choices,
        default=Scope.READ,
        help_text="A read token may only read; a write token may also write.",
    )
    prefix = models.CharField(
        max_length=PREFIX_LENGTH,
        help_text="The key's first characters, to tell tokens apart (not enough to use one).",
    )
    digest = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the key."
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires = models.DateTimeField(help_text="After this, the token is refused (401).")
    last_used = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Last authenticated request (±1 minute)."
    )
    revoked = models.DateTimeField(
        null=True, blank=True, help_text="When the token was revoked; refused (401) from then on."
    )

    class Meta:
        verbose_name = "API token"
        ordering = ["user__username", "name", "-created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked__isnull=True),
                name="tokens_one_active_token_per_user_and_name",
                violation_error_message=(
                    "This user already holds a token of this name that is not revoked; revoke "
                    "it first or choose another name."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.user}, {self.scope}, {self.prefix}…)"

    @property
    def is_expired(self):
        return self.expires <= timezone.now()

    @property
    def state(self):
        """ "revoked", "expired" or "active"."""
        if self.revoked:
            return "revoked"
        return "expired" if self.is_expired else "active"

    def allows(self, method):
        """Whether this token's scope allows a request with this HTTP method."""
        return self.scope == self.Scope.WRITE or method in ("GET", "HEAD", "OPTIONS")
