"""Authentication by API token: `Authorization: Token <key>`, as clients have always sent it.

The key is looked up by its digest (see models). An unknown, expired or revoked token is a 401
whose message says which; a read-scoped token used for a write is a 403 naming the scope. The
scope is enforced here, at authentication, rather than in a permission class, so that it holds
on every view whatever permission classes the view sets (a view that does not take tokens does
not authenticate them at all). Token holders still need the model permissions for writes
(DjangoModelPermissionsOrAnonReadOnly).

It subclasses DRF's TokenAuthentication for the header parsing and the `WWW-Authenticate: Token`
challenge (and so drf-spectacular documents it as `tokenAuth`), but never touches DRF's
authtoken table.
"""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from milidip.tokens.models import ApiToken, key_digest

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            token = result[1]
            if not token.allows(request.method):
                raise exceptions.PermissionDenied(
                    f'The token "{token.name}" has scope "{token.scope}": it may only read '
                    f"(GET, HEAD, OPTIONS); a {request.method} needs a write token."
                )
        return result

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=key_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked:
            raise exceptions.AuthenticationFailed(
                f'The token "{token.name}" was revoked on {token.revoked:%Y-%m-%d %H:%M} UTC.',
                code="token_revoked",
            )
        now = timezone.now()
        if token.expires <= now:
            raise exceptions.AuthenticationFailed(
                f'The token "{token.name}" expired on {token.expires:%Y-%m-%d %H:%M} UTC; ask '
                "for a new one.",
                code="token_expired",
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            # At most one write a minute per token, not one per request.
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token.user, token
