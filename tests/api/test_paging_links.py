"""Every list page, JSON or CSV, links the others (RFC 8288 `Link`) and says how many rows there are
in all (`X-Total-Count`), so a CSV client can walk a whole list (issue 13, point 10)."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.api.helpers import ALL, API, RESOURCES, csv_rows

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<([^>]*)>; rel="([a-z]+)"')


def links(response):
    return {rel: url for url, rel in LINK.findall(response["Link"])}


def parts(url):
    """A URL as its path and its query parameters (their order does not matter)."""
    split = urlsplit(url)
    return split.path, dict(parse_qsl(split.query))


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("name", ALL)
def test_a_middle_page_links_first_prev_next_and_last(api, name, fmt):
    resource = RESOURCES[name]
    for _ in range(5):
        resource.make()
    total = api.get(resource.url).json()["count"]
    response = api.get(resource.url, {"page": 2, "page_size": 2, "format": fmt})
    assert response.status_code == 200
    assert response["X-Total-Count"] == str(total)
    found = links(response)
    last = (total + 1) // 2
    kept = {"page_size": "2", "format": fmt}
    assert parts(found["first"]) == (resource.url, kept)
    assert found["prev"] == found["first"]
    assert parts(found["next"]) == (resource.url, {**kept, "page": "3"})
    assert parts(found["last"]) == (resource.url, {**kept, "page": str(last)})
    assert all(url.startswith("http://testserver/") for url in found.values())


def test_walking_the_next_links_of_a_csv_list_reads_every_row_once(api):
    url = f"{API}countries/?page_size=7&format=csv"
    rows, pages = [], 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        total = int(response["X-Total-Count"])
        rows += csv_rows(response)[1:]
        pages += 1
        url = links(response).get("next")
    codes = [row[0] for row in rows]
    assert len(codes) == total == len(set(codes))
    assert pages == -(-total // 7)


def test_the_last_page_has_no_next_and_the_first_no_prev(api):
    first = api.get(f"{API}countries/", {"page_size": 5})
    last_url = links(first)["last"]
    assert "prev" not in links(first) and "next" in links(first)
    last = api.get(last_url)
    assert last.status_code == 200
    assert "next" not in links(last) and "prev" in links(last)
    assert links(last)["last"] == last_url


def test_a_single_page_links_only_itself_as_first_and_last(api):
    response = api.get(f"{API}exercises/", {"kind": "series", "search": "nothing-matches-this"})
    assert response["X-Total-Count"] == "0"
    found = links(response)
    assert set(found) == {"first", "last"}
    assert found["first"] == found["last"]
    assert parts(found["first"]) == (
        f"{API}exercises/",
        {"kind": "series", "search": "nothing-matches-this"},
    )


def test_a_missions_strengths_are_paged_with_the_same_headers(api):
    response = api.get(f"{API}missions/us-military-presence-south-korea/strengths/")
    assert response.status_code == 200
    assert response["X-Total-Count"] == str(response.json()["count"])
    assert "first" in links(response)
