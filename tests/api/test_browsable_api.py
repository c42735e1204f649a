"""The browsable API (format=api, signed-in users) answers errors in the JSON error shape."""

from tests.api.helpers import API

ERROR_KEYS = {"status", "code", "detail", "errors"}


def test_an_error_asked_for_as_the_browsable_api_stays_json(curator):
    response = curator.get(f"{API}exercises/?format=api&page_size=0")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == ERROR_KEYS
    assert "page_size" in response.json()["errors"]
    missing = curator.get(f"{API}exercises/no-such-exercise/?format=api")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")


def test_an_anonymous_write_asking_for_the_browsable_api_is_a_401_in_json(api):
    response = api.delete(f"{API}treaties/rok-us-mutual-defense-treaty/?format=api")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == ERROR_KEYS
