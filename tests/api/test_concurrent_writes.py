"""Two writes sent at once with the same If-Match: one wins, the other gets 412; no change is
lost. Real concurrent HTTP requests against a live, threaded server on PostgreSQL."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection

from alliances.models import Treaty
from milidip.datasets.management.commands.load_records import fixture_files
from tests.api.tokens import token_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the live server shares one SQLite connection between its threads",
    ),
]

SLUG = "rok-us-mutual-defense-treaty"
RACES = 12


def request(method, url, token, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Token {token}")
    req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_of_two_simultaneous_patches_with_one_etag_exactly_one_lands(live_server):
    # A transactional test starts from an empty database (see tests/e2e/conftest.py).
    call_command("loaddata", *fixture_files(), verbosity=0)
    reviewer = User.objects.create_user("rita")
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_treaty", "publish_treaty", "view_treaty"])
    )
    token = token_for(reviewer)
    url = f"{live_server.url}/api/v1/treaties/{SLUG}/"
    outcomes = []
    for race in range(RACES):
        status, headers, _ = request("GET", url, token)
        assert status == 200
        etag = headers["ETag"]
        barrier = threading.Barrier(2)
        results = {}

        def write(name, race=race, etag=etag, barrier=barrier, results=results):
            barrier.wait()
            results[name] = request(
                "PATCH", url, token, {"name": f"{name} {race}"}, {"If-Match": etag}
            )[0]

        threads = [threading.Thread(target=write, args=(name,)) for name in ("First", "Second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results.values()) == [200, 412], results
        winner = next(name for name, status in results.items() if status == 200)
        assert Treaty.objects.get(slug=SLUG).name == f"{winner} {race}"
        outcomes.append(winner)
    assert len(outcomes) == RACES
