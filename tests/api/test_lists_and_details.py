"""Every resource lists in pages of {count, next, previous, results} and shows one record by its
identifier; an unknown identifier is a 404 in the API's error shape."""

import pytest

from tests.api.helpers import (
    ALL,
    API,
    KNOWN,
    PAGE_KEYS,
    RESOURCES,
    assert_error,
    ids,
)

pytestmark = pytest.mark.django_db


def make_many(resource, number):
    return [resource.make() for _ in range(number)]


@pytest.mark.parametrize("name", ALL)
def test_list_is_paginated_with_count_next_previous_and_results(api, name):
    resource = RESOURCES[name]
    response = api.get(resource.url)
    assert response.status_code == 200
    data = response.json()
    assert list(data) == PAGE_KEYS
    published = resource.model.objects.filter(status="published").count()
    assert data["count"] == published
    assert len(data["results"]) == min(published, 50)
    assert data["previous"] is None
    assert KNOWN[name] in {item[resource.key] for item in data["results"]}


@pytest.mark.parametrize("name", ALL)
def test_default_page_size_is_50_and_next_and_previous_link_the_pages(api, name):
    resource = RESOURCES[name]
    existing = resource.model.objects.filter(status="published").count()
    make_many(resource, max(0, 60 - existing))
    total = resource.model.objects.filter(status="published").count()
    assert total >= 60

    first = api.get(resource.url)
    data = first.json()
    assert data["count"] == total
    assert len(data["results"]) == 50
    assert data["previous"] is None
    assert "page=2" in data["next"]

    second = api.get(data["next"])
    assert second.status_code == 200
    data2 = second.json()
    assert data2["count"] == total
    assert len(data2["results"]) == total - 50
    assert data2["next"] is None
    assert data2["previous"] is not None
    first_ids = {item[resource.key] for item in data["results"]}
    second_ids = {item[resource.key] for item in data2["results"]}
    assert not first_ids & second_ids
    assert len(first_ids | second_ids) == total


@pytest.mark.parametrize("name", ALL)
def test_page_size_sets_the_number_of_results(api, name):
    resource = RESOURCES[name]
    response = api.get(resource.url, {"page_size": 2})
    data = response.json()
    assert len(data["results"]) == 2
    assert "page_size=2" in data["next"]
    everything = api.get(resource.url, {"page_size": 500}).json()
    assert len(everything["results"]) == everything["count"]
    assert everything["next"] is None


@pytest.mark.parametrize("name", ALL)
def test_a_page_past_the_end_is_a_404_in_the_error_shape(api, name):
    # Page 150 of 50 is within the first 10,000 rows that page numbers reach, past these lists.
    response = api.get(RESOURCES[name].url, {"page": 150})
    data = assert_error(response, 404)
    assert "page" in data["detail"]
    # Deeper page numbers are refused, naming the cursor that reaches any depth.
    deep = assert_error(api.get(RESOURCES[name].url, {"page": 999}), 400)
    assert "cursor" in deep["detail"]


@pytest.mark.parametrize("name", ALL)
def test_detail_shows_the_record_by_its_identifier(api, name):
    resource = RESOURCES[name]
    record = resource.model.objects.get(**{resource.key: KNOWN[name]})
    response = api.get(resource.detail_url(KNOWN[name]))
    assert response.status_code == 200
    data = response.json()
    assert data[resource.key] == KNOWN[name]
    assert data[resource.title_field] == getattr(record, resource.title_field)
    assert data["status"] == "published"
    if name != "sources":
        # Every record carries its citations, each naming its source.
        assert data["citations"], data
        cited = {citation["source"]["slug"] for citation in data["citations"]}
        expected = set(record.citations.values_list("source__slug", flat=True))
        assert cited == expected


@pytest.mark.parametrize(
    ("name", "unknown"),
    [
        ("countries", "ZZZ"),
        ("alliances", "no-such-alliance"),
        ("treaties", "no-such-treaty"),
        ("exercises", "no-such-exercise"),
        ("missions", "no-such-mission"),
        ("challenges", "no-such-challenge"),
        ("sources", "no-such-source"),
    ],
)
def test_unknown_identifier_is_a_404_in_the_error_shape(api, name, unknown):
    response = api.get(RESOURCES[name].detail_url(unknown))
    data = assert_error(response, 404)
    assert data["code"] == "not_found"
    assert data["errors"] == {}


def test_a_country_identifier_that_is_not_three_letters_is_a_json_404(api):
    assert_error(api.get(f"{API}countries/KOREA/"), 404)


def test_an_unknown_api_path_is_a_json_404(api):
    assert_error(api.get(f"{API}no-such-resource/"), 404)


def test_treaty_detail_embeds_parties_with_code_and_name_and_its_alliance(api):
    data = api.get(f"{API}treaties/rok-us-mutual-defense-treaty/").json()
    assert data["signed"] == "1953"
    assert {(party["code"], party["name"]) for party in data["parties"]} == {
        ("KOR", "South Korea"),
        ("USA", "United States"),
    }
    assert data["alliance"]["slug"] == "rok-us-alliance"


def test_country_detail_is_found_by_its_code(api):
    data = api.get(f"{API}countries/KOR/").json()
    assert data["code"] == "KOR"
    assert data["name"] == "South Korea"
    assert data["official_name"] == "Republic of Korea"
    assert data["region"] == "east-asia"


def test_alliance_detail_lists_memberships_with_roles(api):
    data = api.get(f"{API}alliances/nato/").json()
    assert [(m["country"]["code"], m["role"]) for m in data["memberships"]] == [("KOR", "partner")]
    data = api.get(f"{API}alliances/rok-us-alliance/").json()
    assert {(m["country"]["code"], m["role"]) for m in data["memberships"]} == {
        ("KOR", "founding-member"),
        ("USA", "founding-member"),
    }
    assert data["obligations"]["defence"] is True


def test_mission_detail_shows_contributions_with_personnel(api):
    data = api.get(f"{API}missions/us-military-presence-south-korea/").json()
    assert [(c["country"]["code"], c["personnel"]) for c in data["contributions"]] == [
        ("USA", 28500)
    ]
    assert [host["code"] for host in data["hosts"]] == ["KOR"]
    assert data["active"] is True
    assert {location["name"] for location in data["locations"]} == {
        "Osan",
        "Kunsan",
        "Camp Humphreys",
    }


def test_list_results_are_in_the_default_order_for_treaties(api):
    # Default: signed, then name.
    response = api.get(f"{API}treaties/")
    results = response.json()["results"]
    keys = [(item["signed"] or "", item["name"]) for item in results]
    assert keys == sorted(keys)
    assert ids(response)
