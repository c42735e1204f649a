"""Deep pages by cursor (keyset pagination) and bounded counts (issue 12, point 5).

`page` reaches the first MAX_OFFSET rows; the `next` links then carry an opaque `cursor`, and a
`page` beyond is a 400 naming the cursor. Here MAX_OFFSET is made small so a few records cross
it: walking the `next` links, from page numbers into cursors, shows every record exactly once,
in every ordering, twins included. `count` is exact up to COUNT_EXACT_UP_TO, then estimated.
"""

import base64
import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from milidip.api import pagination
from tests.api.helpers import RESOURCES, assert_error
from tests.api.test_stable_paging import (
    assert_each_exactly_once,
    make_twins,
    orderings,
)

pytestmark = pytest.mark.django_db

PAGE_SIZE = 4


@pytest.fixture(autouse=True)
def small_offsets(monkeypatch, settings):
    settings.API_ANON_BUDGET = settings.API_ANON_HEAVY_BUDGET = None
    settings.API_ANON_HEAVY_CONCURRENCY = None
    monkeypatch.setattr(pagination, "MAX_OFFSET", 8)


def walk(client, url, **params):
    """Every identifier met following `next` from the first page, and the pages' modes."""
    response = client.get(url, {**params, "page_size": PAGE_SIZE})
    pages = []
    seen = []
    while True:
        assert response.status_code == 200, response.content[:500]
        data = response.json()
        seen += data["results"]
        query = dict(parse_qsl(urlsplit(response.wsgi_request.get_full_path()).query))
        pages.append("cursor" if "cursor" in query else "page")
        if data["next"] is None:
            return seen, data["count"], pages
        response = client.get(data["next"])


@pytest.mark.parametrize("name", list(RESOURCES))
def test_walking_next_links_past_the_offset_limit_shows_each_record_once(api, name):
    resource = RESOURCES[name]
    make_twins(name)
    for ordering in orderings(resource):
        params = {"ordering": ordering} if ordering else {}
        records, count, pages = walk(api, resource.url, **params)
        seen = [record[resource.key] for record in records]
        assert_each_exactly_once(seen, count, f"{name} ordering={ordering}")
        assert pages[:3] == ["page", "page", "page"]
        assert pages[3:] and set(pages[3:]) == {"cursor"}, pages


def test_a_search_continues_by_cursor_in_rank_order(api):
    make_twins("alliances")
    records, count, pages = walk(api, RESOURCES["alliances"].url, search="Twin")
    assert count == len(records) >= 29
    assert "cursor" in pages
    assert_each_exactly_once([r["slug"] for r in records], count, "search=Twin")


def test_a_page_beyond_the_offset_limit_is_a_400_that_names_the_cursor(api):
    response = api.get(RESOURCES["countries"].url, {"page": 4, "page_size": PAGE_SIZE})
    assert_error(response, 400, "page")
    assert "cursor" in response.json()["errors"]["page"][0]


def test_a_cursor_page_has_no_previous_and_no_last_link(api):
    make_twins("countries")
    first = api.get(RESOURCES["countries"].url, {"page": 3, "page_size": PAGE_SIZE}).json()
    response = api.get(first["next"])
    assert response.status_code == 200
    assert response.json()["previous"] is None
    assert 'rel="last"' not in response["Link"] and 'rel="first"' in response["Link"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        base64.urlsafe_b64encode(b'{"o": ["name", "code"], "k": [1]}').decode(),
        base64.urlsafe_b64encode(json.dumps({"o": ["-name", "code"], "k": ["a", "b"]}).encode())
        .decode()
        .rstrip("="),
        "x" * 3000,
    ],
)
def test_a_cursor_that_is_not_ours_is_a_400_naming_it(api, cursor):
    assert_error(api.get(RESOURCES["countries"].url, {"cursor": cursor}), 400, "cursor")


def test_page_and_cursor_together_are_a_400(api):
    make_twins("countries")
    first = api.get(RESOURCES["countries"].url, {"page": 3, "page_size": PAGE_SIZE}).json()
    cursor = dict(parse_qsl(urlsplit(first["next"]).query))["cursor"]
    response = api.get(RESOURCES["countries"].url, {"cursor": cursor, "page": 1})
    assert_error(response, 400, "cursor")


def test_a_large_count_is_estimated_and_says_so(api, monkeypatch, django_db_blocker):
    from django.db import connection

    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 3)
    make_twins("countries")
    response = api.get(RESOURCES["countries"].url)
    data = response.json()
    if connection.vendor == "postgresql":
        assert data["count_estimated"] is True
        assert response["X-Total-Count-Estimated"] == "true"
        assert data["count"] > 3
    else:  # no planner estimate to use: counted
        assert data["count_estimated"] is False
        assert "X-Total-Count-Estimated" not in response


def test_a_small_count_is_exact(api):
    response = api.get(RESOURCES["treaties"].url)
    data = response.json()
    assert data["count_estimated"] is False
    assert data["count"] == len(data["results"])
