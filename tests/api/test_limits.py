"""Cross-origin reads (throttling is in test_throttling.py)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


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
