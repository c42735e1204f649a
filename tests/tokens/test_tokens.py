"""API tokens: hashed at rest, named per consumer, scoped, expiring and revocable."""

import importlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.models import Treaty
from milidip.tokens.models import ApiToken

pytestmark = pytest.mark.django_db

TREATY = "/api/v1/treaties/rok-us-mutual-defense-treaty/"


def issue(username, *args):
    """Run `token_issue`; return (key, what it said on stderr)."""
    out, err = StringIO(), StringIO()
    call_command("token_issue", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def editor():
    """A user allowed to change treaties, published ones included (a reviewer's permissions)."""
    user = User.objects.create_user("editor")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_treaty", "publish_treaty"])
    )
    return user


def rename(client, name="Renamed"):
    etag = client.get(TREATY)["ETag"]
    return client.patch(TREATY, {"name": name}, format="json", HTTP_IF_MATCH=etag)


def every_stored_value():
    """Every value of every row of every table in the database, as text."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return values


def test_the_database_holds_no_issued_key_in_clear(editor):
    key, _ = issue("editor", "--name", "newsroom-frontend", "--scope", "write")
    assert len(key) >= 40
    assert client_with(key).get(TREATY).status_code == 200  # it works ...
    stored = every_stored_value()
    assert not [value for value in stored if key in value]  # ... and is stored nowhere
    token = ApiToken.objects.get(user=editor)
    assert key.startswith(token.prefix) and len(token.prefix) == 8


def test_an_expired_token_is_401_saying_it_expired(editor):
    key, _ = issue("editor", "--name", "import-bot", "--scope", "write")
    ApiToken.objects.filter(name="import-bot").update(expires=timezone.now() - timedelta(seconds=1))
    response = client_with(key).get(TREATY)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert 'The token "import-bot" expired on' in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_expires_after_the_days_it_was_issued_for(editor):
    issue("editor", "--name", "short", "--days", "3")
    token = ApiToken.objects.get(name="short")
    assert timedelta(days=3) - (token.expires - timezone.now()) < timedelta(minutes=1)
    issue("editor", "--name", "default")
    token = ApiToken.objects.get(name="default")
    assert timedelta(days=90) - (token.expires - timezone.now()) < timedelta(minutes=1)


def test_a_read_token_reads_but_its_writes_are_403_naming_the_scope(editor):
    key, _ = issue("editor", "--name", "newsroom-frontend", "--scope", "read")
    client = client_with(key)
    assert client.get(TREATY).status_code == 200
    assert client.head(TREATY).status_code == 200
    assert client.options(TREATY).status_code == 200
    response = rename(client)
    assert response.status_code == 403
    assert 'scope "read"' in response.json()["detail"]
    assert client.delete(TREATY, HTTP_IF_MATCH="x").status_code == 403
    assert client.post("/api/v1/treaties/", {}, format="json").status_code == 403
    assert Treaty.objects.get(slug="rok-us-mutual-defense-treaty").name == "Mutual Defense Treaty"


def test_a_write_token_writes_within_its_users_model_permissions(editor):
    key, _ = issue("editor", "--name", "import-bot", "--scope", "write")
    assert rename(client_with(key)).status_code == 200
    assert Treaty.objects.get(slug="rok-us-mutual-defense-treaty").name == "Renamed"
    User.objects.create_user("nobody")
    key, _ = issue("nobody", "--name", "import-bot", "--scope", "write")
    response = client_with(key).delete(TREATY, HTTP_IF_MATCH="x")
    assert response.status_code == 403  # the token carries only its user's permissions


def test_a_revoked_token_is_401_saying_it_was_revoked(editor):
    key, _ = issue("editor", "--name", "import-bot", "--scope", "write")
    assert client_with(key).get(TREATY).status_code == 200
    assert "Revoked 1 token of editor." in run("token_revoke", "editor", "import-bot")
    response = client_with(key).get(TREATY)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert 'The token "import-bot" was revoked on' in response.json()["detail"]


def test_an_unknown_key_is_401():
    response = client_with("not-a-token").get(TREATY)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_one_user_holds_several_named_tokens_and_the_list_shows_them_without_keys(editor):
    frontend, _ = issue("editor", "--name", "newsroom-frontend", "--scope", "read")
    bot, _ = issue("editor", "--name", "import-bot", "--scope", "write")
    assert client_with(frontend).get(TREATY).status_code == 200
    assert client_with(bot).get(TREATY).status_code == 200
    listed = run("token_list", "editor")
    lines = {line.split()[1]: line.split() for line in listed.splitlines()[1:]}
    assert set(lines) == {"newsroom-frontend", "import-bot"}
    assert lines["newsroom-frontend"][2:4] == ["read", frontend[:8]]
    assert lines["import-bot"][2:4] == ["write", bot[:8]]
    assert frontend not in listed and bot not in listed
    run("token_revoke", "editor", "import-bot")
    assert "import-bot" not in run("token_list")
    assert "revoked" in run("token_list", "--all")


def test_token_issue_prints_the_key_alone_and_says_it_is_shown_once(editor):
    key, said = issue("editor", "--name", "newsroom")
    assert len(key.split()) == 1
    assert "shown only this once" in said
    assert key not in said


def test_token_issue_refuses_a_second_active_token_of_the_same_name(editor):
    issue("editor", "--name", "newsroom")
    with pytest.raises(CommandError, match="already holds a token of this name"):
        issue("editor", "--name", "newsroom")
    run("token_revoke", "editor", "newsroom")
    issue("editor", "--name", "newsroom")  # the name is free again once revoked
    assert ApiToken.objects.filter(name="newsroom").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--name", "x"], 'No user "nobody"'),
        (["editor", "--name", "x", "--days", "0"], "1 to 3650 days"),
        (["editor", "--name", ""], "name"),
    ],
)
def test_token_issue_refuses_bad_input(editor, args, message):
    with pytest.raises(CommandError, match=message):
        issue(*args)
    assert not ApiToken.objects.exists()


def test_token_revoke_refuses_a_name_the_user_does_not_hold(editor):
    with pytest.raises(CommandError, match='no token named "ghost"'):
        run("token_revoke", "editor", "ghost")


def test_token_revoke_all_revokes_every_token_of_the_user(editor):
    keys = [issue("editor", "--name", name)[0] for name in ("a", "b")]
    assert "Revoked 2 tokens of editor." in run("token_revoke", "editor", "--all")
    assert all(client_with(key).get(TREATY).status_code == 401 for key in keys)


def test_use_is_recorded_as_last_used(editor):
    key, _ = issue("editor", "--name", "newsroom")
    assert ApiToken.objects.get().last_used is None
    client_with(key).get(TREATY)
    assert timezone.now() - ApiToken.objects.get().last_used < timedelta(minutes=1)


def test_the_admin_lists_tokens_without_their_secret_and_revokes_them(client, editor):
    key, _ = issue("editor", "--name", "newsroom-frontend", "--scope", "write")
    token = ApiToken.objects.get()
    client.force_login(User.objects.create_superuser("root", password=None))
    page = client.get("/admin/tokens/apitoken/").content.decode()
    for shown in ("newsroom-frontend", "editor", "write", token.prefix, "active"):
        assert shown in page
    assert key not in page and token.digest not in page
    detail = client.get(f"/admin/tokens/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail and token.digest not in detail
    assert client.get("/admin/tokens/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/tokens/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    assert client_with(key).get(TREATY).status_code == 401


def test_keys_of_drf_authtoken_move_into_hashed_tokens_and_the_clear_table_is_dropped(editor):
    migration = importlib.import_module("milidip.tokens.migrations.0002_hash_authtoken_keys")
    legacy_key = "5b167aeb5a87270e2a177d92c2193019d8ee80a3"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token "
            "(key varchar(40) PRIMARY KEY, created timestamp NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [legacy_key, timezone.now(), editor.pk],
        )
    migration.move_authtoken_keys(connection, ApiToken)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=editor)
    assert (token.name, token.scope) == ("authtoken", "write")
    assert rename(client_with(legacy_key)).status_code == 200
    assert not [value for value in every_stored_value() if legacy_key in value]


def test_a_token_of_an_inactive_user_is_401(editor):
    key, _ = issue("editor", "--name", "newsroom")
    User.objects.filter(pk=editor.pk).update(is_active=False)
    response = client_with(key).get(TREATY)
    assert response.status_code == 401
    assert response.json()["detail"] == "The token's user is inactive."
