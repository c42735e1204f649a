"""Tokens for API tests that send real HTTP requests (one place that knows how to issue one)."""

from rest_framework.authtoken.models import Token


def token_for(user):
    """A working API token key for `user`."""
    return Token.objects.create(user=user).key
