"""Issuing and revoking API tokens: the one way the commands and the admin change tokens.

`token_issue` returns the key with the token: it is the only time the key exists outside the
client that receives it (the database keeps its digest).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from milidip.tokens.models import PREFIX_LENGTH, ApiToken, key_digest

MAX_DAYS = 3650


def token_issue(*, user, name, scope=ApiToken.Scope.READ, days=None):
    """Issue a token for `user` under `name`; return (token, key). The key is shown only here."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A token lasts 1 to {MAX_DAYS} days, not {days}."})
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        scope=scope,
        prefix=key[:PREFIX_LENGTH],
        digest=key_digest(key),
        created=now,
        expires=now + timedelta(days=days),
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
    return token, key


def tokens_revoke(*, tokens):
    """Revoke the given tokens (a queryset) that are not revoked yet; return how many."""
    return tokens.filter(revoked__isnull=True).update(revoked=timezone.now())
