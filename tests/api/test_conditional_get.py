"""Conditional GET: lists and records carry ETag and Last-Modified; a matching If-None-Match or
If-Modified-Since is a 304; once the record changes, the old ETag no longer matches."""

import hashlib

import pytest
from django.utils.http import http_date

from tests.api.helpers import ALL, KNOWN, RESOURCES

pytestmark = pytest.mark.django_db


def urls(resource, kind):
    if kind == "detail":
        return resource.detail_url(KNOWN[resource.name]), {}
    return resource.url, {"page_size": 500}


def change(resource):
    record = resource.model.objects.get(**{resource.key: KNOWN[resource.name]})
    setattr(record, resource.title_field, getattr(record, resource.title_field) + " (revised)")
    record.save()
    record.refresh_from_db()
    return record


@pytest.mark.parametrize("kind", ["detail", "list"])
@pytest.mark.parametrize("name", ALL)
def test_get_carries_etag_and_last_modified(api, name, kind):
    resource = RESOURCES[name]
    url, params = urls(resource, kind)
    response = api.get(url, params)
    assert response.status_code == 200
    assert response.has_header("ETag")
    assert response.has_header("Last-Modified")
    if kind == "detail":
        record = resource.model.objects.get(**{resource.key: KNOWN[name]})
        assert response["Last-Modified"] == http_date(record.updated.timestamp())
    else:
        newest = resource.model.objects.filter(status="published").order_by("-updated")[0]
        assert response["Last-Modified"] == http_date(newest.updated.timestamp())


@pytest.mark.parametrize("kind", ["detail", "list"])
@pytest.mark.parametrize("name", ALL)
def test_if_none_match_with_the_etag_is_a_304(api, name, kind):
    url, params = urls(RESOURCES[name], kind)
    etag = api.get(url, params)["ETag"]
    response = api.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


@pytest.mark.parametrize("kind", ["detail", "list"])
@pytest.mark.parametrize("name", ALL)
def test_if_modified_since_equal_to_last_modified_is_a_304(api, name, kind):
    url, params = urls(RESOURCES[name], kind)
    last_modified = api.get(url, params)["Last-Modified"]
    response = api.get(url, params, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304


@pytest.mark.parametrize("kind", ["detail", "list"])
@pytest.mark.parametrize("name", ALL)
def test_after_the_record_changes_the_old_etag_gives_a_200(api, name, kind):
    resource = RESOURCES[name]
    url, params = urls(resource, kind)
    etag = api.get(url, params)["ETag"]
    record = change(resource)
    response = api.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["Last-Modified"] == http_date(record.updated.timestamp())
    if kind == "detail":
        assert response.json()[resource.title_field].endswith("(revised)")


@pytest.mark.parametrize("name", ALL)
def test_an_etag_that_does_not_match_gives_a_200(api, name):
    url, params = urls(RESOURCES[name], "detail")
    response = api.get(url, params, HTTP_IF_NONE_MATCH='"not-the-etag"')
    assert response.status_code == 200


def test_the_dossier_carries_an_etag_and_answers_304(api):
    url = "/api/v1/countries/KOR/dossier/"
    first = api.get(url)
    assert first.status_code == 200
    assert first.has_header("ETag")
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("name", ["treaties", "exercises"])
def test_one_body_has_one_etag_whoever_reads_it(api, reader, name):
    """The ETag a list or page lacks is a digest of its body (SHA-256, cut to 128 bits), made
    the same way for an anonymous read (the read cache), a signed-in one (the conditional GET
    middleware) and a HEAD: a reader who signs in revalidates what it already holds."""
    url, params = urls(RESOURCES[name], "list")
    anonymous, signed_in = api.get(url, params), reader.get(url, params)
    head = api.head(url, params)
    assert anonymous.content == signed_in.content
    digest = hashlib.sha256(anonymous.content).hexdigest()[:32]
    assert anonymous["ETag"] == signed_in["ETag"] == head["ETag"] == f'"{digest}"'
    assert reader.get(url, params, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 304
    page = api.get("/exercises/?country=KOR")
    assert page["ETag"] == f'"{hashlib.sha256(page.content).hexdigest()[:32]}"'
