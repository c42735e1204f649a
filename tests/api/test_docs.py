"""The API documentation is served from this server alone: no CDN, no web fonts."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_page_loads_nothing_from_other_hosts(url):
    response = Client().get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert not EXTERNAL.findall(page), EXTERNAL.findall(page)
    assert "googleapis" not in page


def test_the_schema_is_served_as_openapi_3():
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_head_carries_the_same_validators_as_get_and_answers_304():
    client = Client()
    get = client.get("/api/v1/countries/KOR/")
    head = client.head("/api/v1/countries/KOR/")
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
    assert head["Last-Modified"] == get["Last-Modified"]
    again = client.head("/api/v1/countries/KOR/", HTTP_IF_NONE_MATCH=get["ETag"])
    assert again.status_code == 304
