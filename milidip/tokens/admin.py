"""The admin shows tokens (never their keys) and revokes them; tokens are issued by command.

Issuing stays with `manage.py token_issue`, which prints the key once: the admin has no place
where a key could be shown and then never again.
"""

from django.contrib import admin, messages

from milidip.tokens.models import ApiToken
from milidip.tokens.services import tokens_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scope", "prefix", "expires", "last_used", "revoked", "state"]
    list_filter = ["scope", ("revoked", admin.EmptyFieldListFilter), "expires"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    fields = ["name", "user", "scope", "prefix", "created", "expires", "last_used", "revoked"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="state")
    def state(self, token):
        return token.state

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        count = tokens_revoke(tokens=queryset)
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay, as a record of who could do what until when.
        return False
