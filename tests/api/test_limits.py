"""Throttling of anonymous clients, and cross-origin reads."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_throttle_history():
    cache.clear()
    yield
    cache.clear()


def test_anonymous_clients_over_the_rate_get_429_with_retry_after(settings):
    settings.API_ANON_RATE = "3/minute"
    client = APIClient()
    statuses = [client.get("/api/v1/countries/KOR/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/countries/KOR/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"


def test_the_rate_can_be_switched_off(settings):
    settings.API_ANON_RATE = None
    client = APIClient()
    assert {client.get("/api/v1/").status_code for _ in range(20)} == {200}


def test_reads_are_open_to_every_origin():
    response = APIClient().get("/api/v1/countries/KOR/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_cross_origin_preflight_allows_reads_only():
    response = APIClient().options(
        "/api/v1/countries/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    allowed = response["Access-Control-Allow-Methods"]
    assert "GET" in allowed
    assert "POST" not in allowed
