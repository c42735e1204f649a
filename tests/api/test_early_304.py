"""304s answered before Django (milidip.ops.early, issue 12): the read cache's first 304 for a
request goes through Django and its headers are kept; the next ones are answered from the WSGI
environ with the same headers, while the data version stands and nowhere else.

Requests go through the WSGI stack as gunicorn sends them (tests.wsgi); the read cache and the
data version are in Redis (tests/api/conftest.py, `shared_cache`).
"""

import logging

import pytest
from django.core.handlers.wsgi import WSGIHandler

from alliances.models import Treaty
from milidip import versions
from milidip.api.throttling import RefuseSpentClients
from milidip.ops.early import NotModifiedBeforeDjango
from tests.read_cache import redis_gone
from tests.wsgi import LEFT_TO_DJANGO, ORIGIN, Reached, wsgi_get

pytestmark = pytest.mark.django_db

TREATY = "rok-us-mutual-defense-treaty"
TREATY_URL = f"/api/v1/treaties/{TREATY}/"
LIST_URL = "/api/v1/exercises/?country=USA&page_size=50"
PAGE_URL = "/countries/KOR/"
ADDRESS = "10.9.0.1"


@pytest.fixture
def stack(shared_cache):
    """The WSGI application as milidip.wsgi composes it."""
    shared_cache.API_ANON_BUDGET = None
    return RefuseSpentClients(NotModifiedBeforeDjango(WSGIHandler()))


def without_request_id(headers):
    return {name.lower(): value for name, value in headers.items() if name != "X-Request-ID"}


@pytest.mark.parametrize("url", [TREATY_URL, LIST_URL, PAGE_URL])
@pytest.mark.parametrize("origin", [None, ORIGIN], ids=["same origin", "other origin"])
def test_the_second_304_is_answered_before_django_with_the_first_one_s_headers(stack, url, origin):
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    reached = Reached()
    status, headers, _ = wsgi_get(stack, url, ADDRESS, **extra)
    assert status == 200
    etag = headers["ETag"]
    conditional = {"HTTP_IF_NONE_MATCH": etag, **extra}
    first = wsgi_get(stack, url, ADDRESS, **conditional)
    assert first[0] == 304 and reached.count == 2, "the first 304 is Django's"
    second = wsgi_get(stack, url, ADDRESS, **conditional)
    assert second[0] == 304
    assert reached.count == 2, "the second one never reached Django"
    assert second[2] == b""
    assert without_request_id(second[1]) == without_request_id(first[1])
    assert second[1]["X-Request-ID"] != first[1]["X-Request-ID"]
    assert second[1]["ETag"] == etag
    if origin and url.startswith("/api/"):  # the API is read from any origin; pages are not
        assert without_request_id(second[1])["access-control-allow-origin"] == "*"
    # The kept headers are the 304's of this origin: the other kind is Django's again.
    other = (
        {"HTTP_IF_NONE_MATCH": etag}
        if origin
        else {"HTTP_IF_NONE_MATCH": etag, "HTTP_ORIGIN": ORIGIN}
    )
    assert wsgi_get(stack, url, ADDRESS, **other)[0] == 304
    assert reached.count == 3


def test_a_write_moves_the_version_and_the_early_304_steps_aside(stack, committed):
    reached = Reached()
    etag = wsgi_get(stack, TREATY_URL, ADDRESS)[1]["ETag"]
    for _ in range(2):
        assert wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)[0] == 304
    assert reached.count == 2
    with committed():
        treaty = Treaty.objects.get(slug=TREATY)
        treaty.description += " (amended)"
        treaty.save()
    status, headers, body = wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)
    assert status == 200, "no stale 304 after a write"
    assert reached.count == 3
    assert b"(amended)" in body
    assert headers["ETag"] != etag


def test_a_version_moved_by_anything_is_seen_before_the_kept_headers_are_used(stack):
    """Whatever moved the version (a write in another process, a restore), what was kept is of
    the old one: Django answers until it has answered a 304 from validators of the new one."""
    reached = Reached()
    etag = wsgi_get(stack, TREATY_URL, ADDRESS)[1]["ETag"]
    conditional = {"HTTP_IF_NONE_MATCH": etag}
    for _ in range(2):
        assert wsgi_get(stack, TREATY_URL, ADDRESS, **conditional)[0] == 304
    assert reached.count == 2
    versions.bump()
    # The treaty did not change: Django renders it again (same ETag, so a 304) and keeps new
    # validators; the next 304 is Django's from them, and the one after is answered early.
    statuses = [wsgi_get(stack, TREATY_URL, ADDRESS, **conditional)[0] for _ in range(3)]
    assert statuses == [304, 304, 304]
    assert reached.count == 4


@pytest.mark.parametrize(
    "extra, expected",
    [
        *LEFT_TO_DJANGO,
        pytest.param({"HTTP_IF_MATCH": '"not-the-etag"'}, 412, id="If-Match not met"),
    ],
)
def test_anything_else_is_answered_by_django(stack, extra, expected):
    reached = Reached()
    etag = wsgi_get(stack, TREATY_URL, ADDRESS)[1]["ETag"]
    for _ in range(2):
        assert wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)[0] == 304
    count = reached.count
    status, _, _ = wsgi_get(stack, TREATY_URL, ADDRESS, **{"HTTP_IF_NONE_MATCH": etag, **extra})
    assert reached.count == count + 1, "Django answered"
    assert status == (304 if expected is None else expected)


def test_each_origin_and_each_spelling_of_a_query_is_first_answered_by_django(stack):
    """What is kept is found by the request's raw WSGI values: another origin, or the same query
    written in another order, is Django's once, then answered early with its own headers."""
    reached = Reached()
    etag = wsgi_get(stack, LIST_URL, ADDRESS)[1]["ETag"]
    conditional = {"HTTP_IF_NONE_MATCH": etag}
    reordered = "/api/v1/exercises/?page_size=50&country=USA"
    requests = [
        (LIST_URL, {"HTTP_ORIGIN": ORIGIN}),
        (LIST_URL, {"HTTP_ORIGIN": "https://another.example"}),
        (reordered, {}),
    ]
    for url, extra in requests:
        count = reached.count
        first = wsgi_get(stack, url, ADDRESS, **conditional, **extra)
        second = wsgi_get(stack, url, ADDRESS, **conditional, **extra)
        assert first[0] == second[0] == 304
        assert reached.count == count + 1, f"{url} {extra}: Django answered the first one only"
        assert without_request_id(second[1]) == without_request_id(first[1])


def test_an_early_304_is_logged_and_spends_from_the_client_s_budget(
    stack, shared_cache, caplog, early_in_a_window
):
    shared_cache.API_ANON_BUDGET = (3, 86400)
    reached = Reached()
    etag = wsgi_get(stack, TREATY_URL, ADDRESS)[1]["ETag"]
    request_log = logging.getLogger("milidip.requests")
    request_log.addHandler(caplog.handler)
    try:
        assert wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)[0] == 304
        early = wsgi_get(
            stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag, HTTP_X_REQUEST_ID="early-304-0001"
        )
    finally:
        request_log.removeHandler(caplog.handler)
    assert early[0] == 304 and reached.count == 2
    assert early[1]["X-Request-ID"] == "early-304-0001"
    logged = [r for r in caplog.records if getattr(r, "request_id", "") == "early-304-0001"]
    assert [(r.status, r.path, r.client) for r in logged] == [(304, TREATY_URL, ADDRESS)]
    # Three units spent (the 200 and two 304s): the next request is over the budget.
    refused = wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)
    assert refused[0] == 429


def test_a_cache_that_cannot_be_read_leaves_the_answer_to_django(stack, shared_cache):
    """Redis gone after a 304's headers were kept: the early layer answers nothing of its own
    (neither a 304 it cannot check nor an error); the request goes to Django."""
    reached = Reached()
    etag = wsgi_get(stack, TREATY_URL, ADDRESS)[1]["ETag"]
    for _ in range(2):
        assert wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)[0] == 304
    assert reached.count == 2
    redis_gone(shared_cache)
    status, _, _ = wsgi_get(stack, TREATY_URL, ADDRESS, HTTP_IF_NONE_MATCH=etag)
    assert reached.count == 3, "Django answered"
    assert status != 304
