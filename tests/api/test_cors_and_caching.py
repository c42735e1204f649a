"""Reads are open to every origin (CORS) and cacheable: public for anonymous callers, private for
logged-in ones (who may see drafts)."""

import pytest

from tests.api.helpers import ALL, API, KNOWN, RESOURCES

pytestmark = pytest.mark.django_db

ORIGIN = "https://example.org"


def cache_directives(response):
    return {
        part.strip().split("=")[0]: part.strip() for part in response["Cache-Control"].split(",")
    }


@pytest.mark.parametrize("kind", ["list", "detail"])
@pytest.mark.parametrize("name", ALL)
def test_a_get_from_another_origin_is_allowed_for_any_origin(api, name, kind):
    resource = RESOURCES[name]
    url = resource.url if kind == "list" else resource.detail_url(KNOWN[name])
    response = api.get(url, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_cors_exposes_the_caching_headers(api):
    response = api.get(f"{API}countries/", HTTP_ORIGIN=ORIGIN)
    exposed = {
        name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")
    }
    assert {"etag", "last-modified", "link", "x-total-count", "content-disposition"} <= exposed


def test_a_preflight_allows_the_conditional_request_headers(api):
    """Page code can send If-None-Match and If-Modified-Since (issue 13, point 8)."""
    response = api.options(
        f"{API}countries/KOR/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-modified-since",
    )
    assert response.status_code == 200
    allowed = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert {"if-none-match", "if-modified-since"} <= allowed


@pytest.mark.parametrize("url", [f"{API}", f"{API}search/?q=Korea", f"{API}countries/KOR/dossier/"])
def test_the_root_search_and_dossier_allow_any_origin(api, url):
    response = api.get(url, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_error_response_allows_any_origin_so_browsers_can_read_it(api):
    response = api.get(f"{API}treaties/", {"kind": "nope"}, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_request_allows_get(api):
    response = api.options(
        f"{API}treaties/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("kind", ["list", "detail"])
@pytest.mark.parametrize("name", ALL)
def test_anonymous_get_responses_are_publicly_cacheable(api, name, kind):
    resource = RESOURCES[name]
    url = resource.url if kind == "list" else resource.detail_url(KNOWN[name])
    response = api.get(url)
    assert response.status_code == 200
    directives = cache_directives(response)
    assert "public" in directives
    assert directives["max-age"] == "max-age=60"
    assert "private" not in directives


def test_a_304_keeps_the_public_cache_control(api):
    first = api.get(f"{API}countries/KOR/")
    response = api.get(f"{API}countries/KOR/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert "public" in cache_directives(response)


def test_the_dossier_and_search_are_publicly_cacheable_for_anonymous_callers(api):
    for url in (f"{API}countries/KOR/dossier/", f"{API}search/?q=Korea"):
        assert "public" in cache_directives(api.get(url))


def test_logged_in_responses_are_private(curator):
    response = curator.get(f"{API}countries/")
    assert response.status_code == 200
    directives = cache_directives(response)
    assert "private" in directives
    assert "public" not in directives


def test_responses_vary_on_accept(api):
    response = api.get(f"{API}countries/")
    vary = {name.strip().lower() for name in response["Vary"].split(",")}
    assert "accept" in vary
