"""Request bodies the API refuses before they can cost much: JSON nested too deep (400), a body
over DATA_UPLOAD_MAX_MEMORY_SIZE (413), lists with too many items (400 naming the field and the
limit). Each is the API's JSON error shape, never a 500 or an HTML page."""

import json
import time
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Permission, User
from django.test import Client
from rest_framework.test import APIClient

from alliances.models import Treaty
from milidip.api.fields import MAX_INPUT_ITEMS
from milidip.api.parsers import MAX_JSON_DEPTH
from tests.api.helpers import assert_error
from tests.factories import QUOTE_004

pytestmark = pytest.mark.django_db

ARTICLE = "us-south-korea-military-alliance"
CITATIONS = [{"source": ARTICLE, "quote": QUOTE_004}]


@pytest.fixture
def writer():
    """A client allowed to add treaties."""
    user = User.objects.create_user("writer")
    user.user_permissions.add(Permission.objects.get(codename="add_treaty"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, body, url="/api/v1/treaties/"):
    return client.post(url, body, content_type="application/json")


def treaty(**fields):
    return {
        "slug": "example-pact",
        "name": "Example Pact",
        "kind": "security-treaty",
        "citations": CITATIONS,
        **fields,
    }


def test_json_nested_50000_deep_is_a_400_not_a_recursion_error(writer):
    before = Treaty.objects.count()
    response = post(writer, "[" * 50_000 + "]" * 50_000)
    data = assert_error(response, 400)
    assert data["code"] == "parse_error"
    assert f"nested deeper than {MAX_JSON_DEPTH}" in data["detail"]
    assert Treaty.objects.count() == before


def test_json_one_level_too_deep_is_refused_and_the_limit_itself_is_parsed(writer):
    too_deep = {"name": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)}
    assert_error(post(writer, json.dumps(too_deep)), 400)
    assert "nested deeper" in post(writer, json.dumps(too_deep)).json()["detail"]
    at_limit = {"name": json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1))}
    data = assert_error(post(writer, json.dumps(at_limit)), 400, "name")
    assert data["code"] == "invalid", "parsed, then refused by the serializer for its field"


def test_brackets_inside_strings_do_not_count_as_nesting(writer):
    description = '[[[[{{{{"\\' * 100
    response = post(writer, json.dumps(treaty(description=description)))
    assert response.status_code == 201, response.content[:500]
    assert Treaty.objects.get(slug="example-pact").description == description


def test_malformed_json_is_still_a_parse_error(writer):
    data = assert_error(post(writer, '{"name": "unterminated'), 400)
    assert data["code"] == "parse_error"


def test_a_10_mb_body_is_a_json_413_in_the_error_shape(writer, settings):
    body = json.dumps(treaty(description="x" * 10_000_000))
    data = assert_error(post(writer, body), 413)
    assert data["code"] == "too_large"
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in data["detail"]


def test_an_oversize_admin_form_is_a_plain_413_page(admin_client):
    response = admin_client.post("/admin/alliances/treaty/add/", {"name": "x" * 3_000_000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"larger than the limit" in response.content


def test_deep_json_is_refused_quickly():
    """Even the largest body allowed is scanned in well under a second."""
    from milidip.api.parsers import nesting_depth_exceeds

    body = b"[" + b"[1,2,{},[]]," * 230_000 + b"[]]"
    started = time.perf_counter()
    assert not nesting_depth_exceeds(body, MAX_JSON_DEPTH)
    assert time.perf_counter() - started < 1


def test_an_anonymous_oversize_body_is_also_json():
    response = Client().post("/api/v1/treaties/", "x" * 3_000_000, content_type="application/json")
    assert response.status_code in (401, 413)
    assert response["Content-Type"].startswith("application/json")


# Every list a written record takes, with an item of the right shape.
LIST_FIELDS = {
    "countries": {"aliases": "Korea", "citations": CITATIONS[0]},
    "alliances": {"memberships": {"country": "KOR"}, "citations": CITATIONS[0]},
    "treaties": {"parties": "KOR", "citations": CITATIONS[0]},
    "exercises": {
        "participants": {"country": "KOR"},
        "domains": "land",
        "purposes": "deterrence",
        "citations": CITATIONS[0],
    },
    "missions": {
        "hosts": "KOR",
        "contributions": {"country": "KOR"},
        "locations": {"name": "Seoul"},
        "citations": CITATIONS[0],
    },
    "challenges": {
        "countries": "KOR",
        "alliances": "nato",
        "treaties": "rok-us-mutual-defense-treaty",
        "missions": "rok-peacekeeping-lebanon",
        "exercises": "foal-eagle",
        "citations": CITATIONS[0],
    },
}
CASES = [(name, field) for name, fields in LIST_FIELDS.items() for field in fields]
INPUT_COMPONENTS = {
    "countries": "CountryInputRequest",
    "alliances": "AllianceInputRequest",
    "treaties": "TreatyInputRequest",
    "exercises": "ExerciseInputRequest",
    "missions": "MissionInputRequest",
    "challenges": "ChallengeInputRequest",
}


@pytest.fixture
def superuser_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def limit_of(field):
    return 50 if field == "aliases" else MAX_INPUT_ITEMS


@pytest.mark.parametrize(("name", "field"), CASES)
def test_a_list_over_its_limit_is_a_400_naming_the_field_and_the_limit(superuser_api, name, field):
    item = LIST_FIELDS[name][field]
    body = {"slug": "too-many", "name": "Too Many", "code": "XZZ", field: [item] * 5_000}
    started = time.perf_counter()
    response = superuser_api.post(f"/api/v1/{name}/", body, format="json")
    elapsed = time.perf_counter() - started
    data = assert_error(response, 400, field)
    assert str(limit_of(field)) in " ".join(data["errors"][field]), data
    assert elapsed < 2, f"refused after {elapsed:.1f} s: the items were checked one by one"
    assert not Treaty.objects.filter(slug="too-many").exists()


@pytest.mark.parametrize(("name", "field"), CASES)
def test_the_schema_states_each_lists_limit_as_max_items(name, field):
    schema = yaml.safe_load((Path(__file__).parents[2] / "milidip/api/openapi.yaml").read_text())
    properties = schema["components"]["schemas"][INPUT_COMPONENTS[name]]["properties"]
    assert properties[field].get("maxItems") == limit_of(field), properties[field]


def test_parties_with_5000_items_are_refused_at_once(writer):
    started = time.perf_counter()
    response = post(writer, json.dumps(treaty(parties=["KOR"] * 5_000)))
    assert_error(response, 400, "parties")
    assert time.perf_counter() - started < 1
