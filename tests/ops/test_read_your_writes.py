"""Through the whole stack: anonymous reads take the replica; a write, and its writer's reads for
READ_YOUR_WRITES_SECONDS after it, take the primary (a token holder on any server, through the
shared cache; a browser through a cookie); a read the replica fails is answered from the primary.

Transactional tests: the replica is a second connection, which sees committed rows only."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from milidip.datasets.management.commands.load_records import fixture_files
from milidip.ops import replica
from milidip.ops.middleware import PRIMARY_COOKIE, token_pin_key
from tests.api.tokens import token_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="module", autouse=True)
def _replica(replica_connection):
    """The alias exists before each test's database access is set up."""


@pytest.fixture(autouse=True)
def pages_not_kept(settings):
    """PAGE stands for an anonymous read that is not kept: the read cache keeps the pages too
    (READ_CACHE_PATHS), and what it keeps is read from the primary
    (test_an_answer_the_read_cache_keeps_is_read_from_the_primary), so here it keeps the API's
    answers only."""
    settings.READ_CACHE_PATHS = r"^/api/(?!v1/downloads/)"


SLUG = "rok-us-mutual-defense-treaty"
RECORD = f"/api/v1/treaties/{SLUG}/"
PAGE = f"/treaties/{SLUG}/"


vocabularies = importlib.import_module("missions.migrations.0002_vocabularies")


@pytest.fixture
def records():
    # A transactional test starts from an empty database, the data migrations' rows gone too.
    vocabularies.create_vocabularies(django_apps, None)
    call_command("loaddata", *fixture_files(), verbosity=0)


def selects(captured):
    return [
        query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")
    ]


class Queries:
    """The queries each alias ran while the block ran."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections[replica.PRIMARY])
        self.replica = CaptureQueriesContext(connections[replica.REPLICA])
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)


def test_an_anonymous_read_goes_to_the_replica(replica_fit, records, client):
    with Queries() as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert len(queries.replica) > 0
    assert not selects(queries.primary)


def test_an_answer_the_read_cache_keeps_is_read_from_the_primary(replica_fit, records, client):
    # It is kept under the data version now current, which a replica may not have reached yet.
    with Queries() as filling:
        response = client.get(RECORD)
    assert response.status_code == 200
    assert selects(filling.primary) and not filling.replica.captured_queries
    # The next anonymous reader gets the kept answer: no record read, the data version only
    # (from the primary, where writes move it; with Redis, not even that).
    with Queries() as cached:
        again = client.get(RECORD)
    assert again.content == response.content
    assert not cached.replica.captured_queries
    assert all("sources_dataversion" in sql for sql in selects(cached.primary))


def test_a_token_holder_reads_its_own_write_from_the_primary(replica_fit, records, client):
    editor = User.objects.create_user("edna")
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_treaty", "publish_treaty", "view_treaty"])
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {token_for(editor)}"}
    with Queries() as before:
        etag = client.get(RECORD, **auth)["ETag"]
    # Its reads take the replica (the token's last use is written to the primary).
    assert len(before.replica) > 0
    assert not selects(before.primary)

    with Queries() as writing:
        response = client.patch(
            RECORD, {"name": "Renamed"}, content_type="application/json", HTTP_IF_MATCH=etag, **auth
        )
    assert response.status_code == 200
    assert len(writing.primary) > 0 and len(writing.replica) == 0
    assert cache.get(token_pin_key(response.wsgi_request)) is not None

    with Queries() as after:
        response = client.get(RECORD, **auth)
    assert response.json()["name"] == "Renamed"
    assert len(after.primary) > 0 and len(after.replica) == 0
    # Other callers still read the replica.
    with Queries() as anonymous:
        client.get(PAGE)
    assert len(anonymous.replica) > 0 and not selects(anonymous.primary)


def test_a_curator_who_just_logged_in_reads_from_the_primary(replica_fit, records, client):
    User.objects.create_superuser("cora", password="a long curator passphrase")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "cora", "password": "a long curator passphrase"},
    )
    assert response.status_code == 302
    assert response.cookies[PRIMARY_COOKIE]["max-age"] > 0
    with Queries() as queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    assert len(queries.primary) > 0 and len(queries.replica) == 0


def test_a_read_the_replica_fails_is_answered_from_the_primary(replica_fit, records):
    broken = connections[replica.REPLICA]
    working = dict(broken.settings_dict)
    if broken.vendor == "postgresql":
        broken.settings_dict["PORT"] = "9"  # nothing listens there: the connection is refused
    else:
        broken.settings_dict["NAME"] = "/nonexistent/milidip-replica.sqlite3"
    broken.close()
    try:
        response = Client(raise_request_exception=False).get(PAGE)
        assert response.status_code == 200
        assert SLUG in response.content.decode()
        assert "failed a read" in replica.replica_state().problem
    finally:
        broken.close()
        broken.settings_dict.update(working)
