"""Health and readiness probes, the metrics page and the per-request JSON log."""

import ipaddress
import json
import logging

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from milidip.ops.logs import JsonFormatter
from milidip.ops.middleware import LoggedRefusals
from tests.wsgi import wsgi_get

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "a-metrics-token-of-forty-characters-xxxx"
# Nothing listens on the discard port: a cache there fails as a stopped Redis does.
UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"


def test_liveness_needs_nothing_and_is_never_cached(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_reports_each_component(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["cache"]["status"] == "ok"
    # The test settings have no replica.
    assert body["components"]["replica"] == {"status": "off", "detail": None, "seconds": None}
    assert response["Cache-Control"] == "no-store"


def test_a_failing_cache_makes_the_server_not_ready(client, settings):
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
        for alias in ("default", "throttle")
    }
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["components"]["cache"]["status"] == "failing"
    assert "ConnectionError" in body["components"]["cache"]["detail"]
    assert body["components"]["database"]["status"] == "ok"


def test_probes_answer_a_client_over_its_api_budget(client, settings):
    settings.API_ANON_BUDGET = (1, 60)
    statuses = [client.get("/api/v1/alliances/nato/").status_code for _ in range(3)]
    assert statuses[-1] == 429
    for _ in range(3):
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready").status_code == 200


def test_metrics_are_refused_without_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_metrics_count_requests_latency_errors_database_and_cache_time(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    client.get("/api/v1/alliances/nato/")
    client.get("/api/v1/alliances/no-such-alliance/")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    page = response.content.decode()
    for name in (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="404",'
        'view="alliance-detail"}',
        "django_http_requests_latency_seconds_by_view_method_bucket",
        'milidip_db_query_duration_seconds_count{alias="default"}',
        'milidip_cache_operation_duration_seconds_count{alias="throttle",operation="get_many"}',
    ):
        assert name in page, name


def test_metrics_answer_an_allowed_address(client, settings):
    settings.METRICS_ALLOWED_ADDRESSES = [ipaddress.ip_network("127.0.0.0/8")]
    assert client.get("/metrics").status_code == 200
    response = Client(REMOTE_ADDR="192.0.2.7").get("/metrics")
    assert response.status_code == 403


def test_a_well_formed_request_id_is_kept_and_another_replaced(client):
    given = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    assert client.get("/health/live", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for bad in ("short", "has spaces in it!", "x" * 200, "<script>alert(1)</script>"):
        made = client.get("/health/live", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert made != bad
        assert len(made) == 32 and int(made, 16) >= 0


def test_each_request_is_one_json_line_with_its_id(client, caplog):
    # The logger writes to its own handler only (propagate off); the test listens to it too.
    request_log = logging.getLogger("milidip.requests")
    request_log.addHandler(caplog.handler)
    try:
        response = client.get("/api/v1/alliances/nato/", HTTP_X_REQUEST_ID="trace-0123456789")
    finally:
        request_log.removeHandler(caplog.handler)
    (record,) = [record for record in caplog.records if record.name == "milidip.requests"]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == response["X-Request-ID"] == "trace-0123456789"
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/v1/alliances/nato/"
    assert entry["status"] == 200
    assert entry["duration_ms"] > 0
    assert entry["client"] == "127.0.0.1"
    assert entry["level"] == "INFO"


def test_a_refusal_before_django_is_one_json_line_with_its_id(settings, caplog):
    """The throttle's refusals answered before Django (milidip.wsgi) are logged as Django's
    answers are, and carry their request id, so every request has its line."""
    settings.API_ANON_BUDGET = (1, 86400)
    application = LoggedRefusals(WSGIHandler())
    url = "/api/v1/alliances/nato/"
    assert wsgi_get(application, url, "10.4.0.1")[0] == 200
    request_log = logging.getLogger("milidip.requests")
    request_log.addHandler(caplog.handler)
    try:
        status, headers, body = wsgi_get(
            application, url, "10.4.0.1", HTTP_X_REQUEST_ID="refused-0123456789"
        )
    finally:
        request_log.removeHandler(caplog.handler)
    assert status == 429
    assert headers["X-Request-ID"] == "refused-0123456789"
    (record,) = [record for record in caplog.records if record.name == "milidip.requests"]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "refused-0123456789"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", url, 429)
    assert (entry["client"], entry["bytes"]) == ("10.4.0.1", len(body))
