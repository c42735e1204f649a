"""/api/v1/search/?q=...: typed hits across every resource; bad input is a 400 naming the
parameter."""

import pytest

from tests.api.helpers import API, ON_POSTGRESQL, assert_error
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

SEARCH = f"{API}search/"
TYPES = ["country", "alliance", "treaty", "exercise", "mission", "challenge", "source"]


def hits(response):
    assert response.status_code == 200, response.json()
    return {(hit["type"], hit["id"]) for hit in response.json()["results"]}


def test_search_gives_typed_hits_with_expected_records(api):
    response = api.get(SEARCH, {"q": "Foal Eagle"})
    data = response.json()
    assert set(data) == {"query", "count", "results"}
    assert data["query"] == "Foal Eagle"
    assert data["count"] == len(data["results"])
    found = hits(response)
    assert ("exercise", "foal-eagle") in found
    assert ("challenge", "north-korean-aggression-and-provocations") in found
    for hit in data["results"]:
        assert set(hit) == {"type", "id", "name", "url", "rank"}
        assert hit["type"] in TYPES


def test_search_finds_countries_by_code_alliances_and_treaties(api):
    assert ("country", "KOR") in hits(api.get(SEARCH, {"q": "Korea"}))
    found = hits(api.get(SEARCH, {"q": "Japan"}))
    assert ("country", "JPN") in found
    assert ("alliance", "us-japan-alliance") in found
    assert ("treaty", "us-japan-security-treaty") in found
    assert ("mission", "rok-peacekeeping-lebanon") in hits(api.get(SEARCH, {"q": "Lebanon"}))
    assert ("source", "us-south-korea-military-alliance") in hits(
        api.get(SEARCH, {"q": "Alliance"})
    )


def test_search_finds_a_word_written_next_to_a_slash(api):
    # "Dokdo/Takeshima territorial dispute": each name is a word of its own.
    assert ("challenge", "dokdo-takeshima-dispute") in hits(api.get(SEARCH, {"q": "Dokdo"}))
    assert ("challenge", "dokdo-takeshima-dispute") in hits(api.get(SEARCH, {"q": "Takeshima"}))


def test_search_hit_urls_lead_to_the_records(api):
    results = api.get(SEARCH, {"q": "Foal Eagle"}).json()["results"]
    assert len(results) >= 2
    for hit in results:
        response = api.get(hit["url"])
        assert response.status_code == 200
        record = response.json()
        assert record.get("slug", record.get("code")) == hit["id"]
        assert record.get("name", record.get("title")) == hit["name"]


def test_search_type_limits_the_resources_searched(api):
    found = hits(api.get(SEARCH, {"q": "Japan", "type": "treaty"}))
    assert found == {("treaty", "us-japan-security-treaty")}
    found = hits(api.get(SEARCH, {"q": "Japan", "type": "alliance,country"}))
    assert {kind for kind, _ in found} == {"alliance", "country"}
    assert ("country", "JPN") in found


def test_search_with_an_unknown_type_is_a_400_naming_type(api):
    assert_error(api.get(SEARCH, {"q": "Japan", "type": "planet"}), 400, "type")
    assert_error(api.get(SEARCH, {"q": "Japan", "type": "treaty,planet"}), 400, "type")
    assert_error(api.get(SEARCH, {"q": "Japan", "type": ","}), 400, "type")


def test_search_without_q_is_a_400_naming_q(api):
    assert_error(api.get(SEARCH), 400, "q")
    assert_error(api.get(SEARCH, {"q": ""}), 400, "q")
    assert_error(api.get(SEARCH, {"q": "   "}), 400, "q")


def test_search_longer_than_200_characters_is_a_400_naming_q(api):
    assert_error(api.get(SEARCH, {"q": "korea " * 34}), 400, "q")
    assert api.get(SEARCH, {"q": "k" * 200}).status_code == 200


def test_search_limit_caps_the_hits_per_resource(api):
    unlimited = api.get(SEARCH, {"q": "Korea", "limit": 100}).json()["results"]
    per_type = {}
    for hit in unlimited:
        per_type[hit["type"]] = per_type.get(hit["type"], 0) + 1
    assert max(per_type.values()) > 1
    limited = api.get(SEARCH, {"q": "Korea", "limit": 1}).json()["results"]
    limited_types = [hit["type"] for hit in limited]
    assert len(limited_types) == len(set(limited_types))
    assert set(limited_types) == set(per_type)


def test_search_limit_defaults_to_20_per_resource(api):
    for index in range(25):
        ExerciseFactory(name=f"Xylophone drill {index}")
    results = api.get(SEARCH, {"q": "Xylophone"}).json()["results"]
    assert len(results) == 20
    assert len(api.get(SEARCH, {"q": "Xylophone", "limit": 100}).json()["results"]) == 25


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5"])
def test_search_limit_out_of_bounds_is_a_400_naming_limit(api, limit):
    assert_error(api.get(SEARCH, {"q": "Korea", "limit": limit}), 400, "limit")


def test_search_limit_100_is_the_largest_allowed(api):
    assert api.get(SEARCH, {"q": "Korea", "limit": 100}).status_code == 200


def test_search_with_an_unknown_parameter_is_a_400_naming_it(api):
    assert_error(api.get(SEARCH, {"q": "Korea", "page": 2}), 400, "page")


def test_search_with_a_nul_byte_is_a_400(api):
    assert_error(api.get(f"{SEARCH}?q=Korea%00"), 400, "q")


def test_search_with_an_unknown_format_is_a_406(api):
    assert_error(api.get(SEARCH, {"q": "Korea", "format": "xml"}), 406)


def test_search_as_csv_gives_one_row_per_hit(api):
    count = api.get(SEARCH, {"q": "Foal Eagle"}).json()["count"]
    assert count >= 2
    response = api.get(SEARCH, {"q": "Foal Eagle", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].split(",") == ["type", "id", "name", "url", "rank"]
    assert len(lines) == count + 1


def test_search_hides_drafts_from_anonymous_callers(api, curator):
    ExerciseFactory(slug="secret-drill", name="Zanzibar secret drill", status="draft")
    assert hits(api.get(SEARCH, {"q": "Zanzibar"})) == set()
    assert hits(curator.get(SEARCH, {"q": "Zanzibar"})) == {("exercise", "secret-drill")}


@pytest.mark.parametrize("q", ["'", '"', "!", "&", "|", "(", ":*", "-", "a & | b", "%", "_"])
def test_search_with_query_syntax_characters_is_not_a_500(api, q):
    assert api.get(SEARCH, {"q": q}).status_code == 200


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite has no rank")
def test_search_on_sqlite_gives_no_rank(api):
    results = api.get(SEARCH, {"q": "Korea"}).json()["results"]
    assert results
    assert all(hit["rank"] is None for hit in results)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="ranking is PostgreSQL's")
def test_search_on_postgresql_ranks_hits_best_first(api):
    weak = ExerciseFactory(name="A long name about many things and Zanzibar once")
    strong = ExerciseFactory(name="Zanzibar Zanzibar Zanzibar")
    results = api.get(SEARCH, {"q": "Zanzibar"}).json()["results"]
    assert [hit["id"] for hit in results] == [strong.slug, weak.slug]
    ranks = [hit["rank"] for hit in api.get(SEARCH, {"q": "Korea"}).json()["results"]]
    assert all(rank is not None for rank in ranks)
    assert ranks == sorted(ranks, reverse=True)
