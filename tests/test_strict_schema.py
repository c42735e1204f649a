"""The strict response check (tests/strict_schema.py) fails on what the schema does not say."""

import json

import pytest

from tests.strict_schema import check_response


@pytest.fixture
def country(client, db):
    response = client.get("/api/v1/countries/KOR/")
    assert response.status_code == 200
    return response


def test_a_real_response_passes(country):
    check_response(country)


def test_an_undeclared_property_fails(country):
    body = json.loads(country.content)
    body["visibility_path"] = "country"
    country.content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="visibility_path"):
        check_response(country)


def test_a_missing_required_property_fails(country):
    body = json.loads(country.content)
    del body["name"]
    country.content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="name"):
        check_response(country)


def test_a_null_where_the_schema_allows_none_fails(country):
    body = json.loads(country.content)
    body["name"] = None
    country.content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="None is not of type"):
        check_response(country)


def test_an_undocumented_status_fails(country):
    country.status_code = 418
    with pytest.raises(AssertionError, match="418"):
        check_response(country)
