"""Cached 200s answered before Django (milidip.ops.early.CachedBeforeDjango, issue 12): the read
cache's first cached 200 for a request goes through Django and is kept, headers and body; the
next ones are answered from the WSGI environ with the same bytes, while the data version stands
and nowhere else.

Requests go through the WSGI stack as milidip.wsgi composes it (tests.wsgi); the read cache and
the data version are in Redis (tests/api/conftest.py, `shared_cache`).
"""

import gzip
import logging

import pytest
from django.core.handlers.wsgi import WSGIHandler

from alliances.models import Treaty
from milidip import versions
from milidip.api.throttling import RefuseSpentClients
from milidip.ops.early import CachedBeforeDjango, NotModifiedBeforeDjango
from tests.read_cache import redis_gone
from tests.wsgi import LEFT_TO_DJANGO, ORIGIN, Reached, wsgi_get

pytestmark = pytest.mark.django_db

TREATY = "rok-us-mutual-defense-treaty"
TREATY_URL = f"/api/v1/treaties/{TREATY}/"
LIST_URL = "/api/v1/exercises/?country=USA&page_size=50"
PAGE_URL = "/countries/KOR/"
ADDRESS = "10.9.1.1"


@pytest.fixture
def stack(shared_cache):
    """The WSGI application as milidip.wsgi composes it."""
    shared_cache.API_ANON_BUDGET = None
    return RefuseSpentClients(NotModifiedBeforeDjango(CachedBeforeDjango(WSGIHandler())))


def without_request_id(headers):
    return {name.lower(): value for name, value in headers.items() if name != "X-Request-ID"}


@pytest.mark.parametrize("url", [TREATY_URL, LIST_URL, PAGE_URL])
@pytest.mark.parametrize("origin", [None, ORIGIN], ids=["same origin", "other origin"])
def test_the_third_read_is_answered_before_django_with_the_second_one_s_bytes(stack, url, origin):
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    reached = Reached()
    rendered = wsgi_get(stack, url, ADDRESS, **extra)
    cached = wsgi_get(stack, url, ADDRESS, **extra)
    assert rendered[0] == cached[0] == 200
    assert reached.count == 2, "the view's answer, then the read cache's, both Django's"
    early = wsgi_get(stack, url, ADDRESS, **extra)
    assert early[0] == 200
    assert reached.count == 2, "the third never reached Django"
    assert early[2] == cached[2] == rendered[2]
    assert without_request_id(early[1]) == without_request_id(cached[1])
    assert early[1]["X-Request-ID"] != cached[1]["X-Request-ID"]
    if origin and url.startswith("/api/"):
        assert without_request_id(early[1])["access-control-allow-origin"] == "*"


def test_each_encoding_is_kept_apart(stack):
    """Compression changes the body: a gzip reader and a plain one each get their own bytes."""
    reached = Reached()
    plain = [wsgi_get(stack, LIST_URL, ADDRESS) for _ in range(3)]
    zipped = [wsgi_get(stack, LIST_URL, ADDRESS, HTTP_ACCEPT_ENCODING="gzip") for _ in range(3)]
    assert reached.count == 3, "the first plain one rendered; each kind's first cached 200"
    assert without_request_id(zipped[2][1])["content-encoding"] == "gzip"
    assert "content-encoding" not in without_request_id(plain[2][1])
    assert gzip.decompress(zipped[2][2]) == plain[2][2] == plain[0][2]


def test_a_write_is_read_at_once(stack, committed):
    reached = Reached()
    for _ in range(3):
        assert wsgi_get(stack, TREATY_URL, ADDRESS)[0] == 200
    assert reached.count == 2
    with committed():
        treaty = Treaty.objects.get(slug=TREATY)
        treaty.description += " (amended)"
        treaty.save()
    status, _, body = wsgi_get(stack, TREATY_URL, ADDRESS)
    assert status == 200 and b"(amended)" in body, "no stale body after a write"
    assert reached.count == 3


def test_a_version_moved_by_anything_sends_the_next_read_to_django(stack):
    reached = Reached()
    for _ in range(3):
        wsgi_get(stack, TREATY_URL, ADDRESS)
    assert reached.count == 2
    versions.bump()
    # Rendered again at the new version, then the read cache's, then early again.
    statuses = [wsgi_get(stack, TREATY_URL, ADDRESS)[0] for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert reached.count == 4


@pytest.mark.parametrize(
    "extra, expected",
    [*LEFT_TO_DJANGO, pytest.param({"HTTP_CACHE_CONTROL": "no-cache"}, 200, id="no-cache")],
)
def test_anything_else_is_answered_by_django(stack, extra, expected):
    reached = Reached()
    for _ in range(3):
        assert wsgi_get(stack, TREATY_URL, ADDRESS)[0] == 200
    count = reached.count
    status, _, _ = wsgi_get(stack, TREATY_URL, ADDRESS, **extra)
    assert reached.count == count + 1, "Django answered"
    assert status == (200 if expected is None else expected)


def test_an_early_200_is_logged_and_spends_from_the_client_s_budget(
    stack, shared_cache, caplog, early_in_a_window
):
    shared_cache.API_ANON_BUDGET = (3, 86400)
    reached = Reached()
    request_log = logging.getLogger("milidip.requests")
    request_log.addHandler(caplog.handler)
    try:
        for _ in range(2):
            assert wsgi_get(stack, TREATY_URL, ADDRESS)[0] == 200
        early = wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_X_REQUEST_ID="early-200-0001")
    finally:
        request_log.removeHandler(caplog.handler)
    assert early[0] == 200 and reached.count == 2
    assert early[1]["X-Request-ID"] == "early-200-0001"
    logged = [r for r in caplog.records if getattr(r, "request_id", "") == "early-200-0001"]
    assert [(r.status, r.path, r.bytes) for r in logged] == [(200, TREATY_URL, len(early[2]))]
    # Three units spent (one a request): the next request is over the budget.
    assert wsgi_get(stack, TREATY_URL, ADDRESS)[0] == 429


def test_a_cache_that_cannot_be_read_leaves_the_answer_to_django(stack, shared_cache):
    reached = Reached()
    for _ in range(3):
        assert wsgi_get(stack, TREATY_URL, ADDRESS)[0] == 200
    assert reached.count == 2
    redis_gone(shared_cache)
    wsgi_get(stack, TREATY_URL, ADDRESS)
    assert reached.count == 3, "Django answered (as it would without this layer)"


def test_a_process_keeps_no_more_than_its_byte_budget(stack, shared_cache):
    shared_cache.EARLY_CACHE_MAX_BYTES = 1
    reached = Reached()
    for _ in range(4):
        assert wsgi_get(stack, TREATY_URL, ADDRESS)[0] == 200
    assert reached.count == 4, "nothing kept: each cached 200 is Django's"
