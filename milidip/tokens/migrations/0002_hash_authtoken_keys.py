"""Move DRF authtoken keys (stored in clear in authtoken_token) into hashed API tokens.

A database that had `rest_framework.authtoken` installed keeps its clients working: each key
becomes a write token named "authtoken" (its digest only), expiring API_TOKEN_DAYS after this
migration; then the clear-text table is dropped and authtoken's migration records removed, as
for an app that was never installed. A database without that table is left as it is.
"""

import hashlib
from datetime import UTC, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "authtoken_token"


def as_datetime(value, default):
    if isinstance(value, str):  # SQLite's raw cursor returns text
        value = parse_datetime(value)
    if value is None:
        return default
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def move_authtoken_keys(connection, api_token_model):
    """Hash every key of authtoken_token into `api_token_model`, then drop the table."""
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")
        rows = cursor.fetchall()
    now = timezone.now()
    expires = now + timedelta(days=settings.API_TOKEN_DAYS)
    api_token_model.objects.bulk_create(
        api_token_model(
            user_id=user_id,
            name="authtoken",
            scope="write",
            prefix=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created=as_datetime(created, now),
            expires=expires,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(LEGACY_TABLE)}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


def hash_authtoken_keys(apps, schema_editor):
    move_authtoken_keys(schema_editor.connection, apps.get_model("tokens", "ApiToken"))


class Migration(migrations.Migration):
    dependencies = [("tokens", "0001_initial")]

    operations = [migrations.RunPython(hash_authtoken_keys, migrations.RunPython.noop)]
