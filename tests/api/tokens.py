"""Tokens for API tests that send real HTTP requests (one place that knows how to issue one)."""

from milidip.tokens.models import ApiToken
from milidip.tokens.services import token_issue


def token_for(user):
    """A working write-scoped API token key for `user`."""
    return token_issue(user=user, name="test", scope=ApiToken.Scope.WRITE)[1]
