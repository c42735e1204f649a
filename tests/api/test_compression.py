"""Compression (issue 12): JSON, CSV and the schema come gzip- or brotli-compressed when the client
asks; HTML (the admin's forms with their CSRF token) never does (BREACH); ETags still match."""

import gzip

import brotli
import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/exercises/?country=USA&page_size=50"
TREATY_URL = "/api/v1/treaties/rok-us-mutual-defense-treaty/"
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}


def vary(response):
    return {name.strip().lower() for name in response["Vary"].split(",")}


@pytest.mark.parametrize("coding", ["gzip", "br"])
@pytest.mark.parametrize(
    ("url", "accept"),
    [
        (LIST_URL, "application/json"),
        ("/api/v1/treaties/", "text/csv"),
        ("/api/v1/schema/", "application/vnd.oai.openapi"),
        ("/api/v1/countries/USA/dossier/", "application/json"),
    ],
)
def test_data_comes_compressed_when_the_client_asks(url, accept, coding):
    api = APIClient()
    plain = api.get(url, HTTP_ACCEPT=accept)
    packed = api.get(url, HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING=coding)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == coding
    assert DECODE[coding](packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert int(packed["Content-Length"]) == len(packed.content)
    assert "accept-encoding" in vary(packed)


def test_brotli_is_preferred_to_gzip_when_both_are_accepted():
    response = APIClient().get(LIST_URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "br"


def test_admin_pages_are_not_compressed_they_carry_a_csrf_token():
    response = APIClient().get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_a_compressed_response_s_etag_is_weak_and_still_gives_a_304():
    api = APIClient()
    strong = api.get(TREATY_URL)["ETag"]
    packed = api.get(TREATY_URL, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["ETag"] == f"W/{strong}"
    again = api.get(TREATY_URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304
    assert api.get(TREATY_URL, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304


def test_a_write_may_name_the_record_by_the_weak_etag_a_compressed_get_gave():
    user = User.objects.create_user("reviewer-gzip", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    client = APIClient()
    client.force_authenticate(user)
    weak = client.get(TREATY_URL, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    assert weak.startswith('W/"')
    body = {"description": "Written with the weak ETag."}
    response = client.patch(TREATY_URL, body, format="json", HTTP_IF_MATCH=weak)
    assert response.status_code == 200, response.content
    stale = client.patch(TREATY_URL, body, format="json", HTTP_IF_MATCH=weak)
    assert stale.status_code == 412
