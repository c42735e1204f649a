"""Bad input is a 4xx in the API's error shape whose `errors` names the parameter; never a 500."""

import pytest

from tests.api.helpers import (
    ALL,
    API,
    DATED,
    KNOWN,
    RESOURCES,
    WITH_COUNTRY,
    WITH_KIND,
    assert_error,
)

pytestmark = pytest.mark.django_db

# A parameter each resource takes as a comma-separated choice list.
CHOICE_LIST = {
    "countries": ("region", "east-asia"),
    "alliances": ("kind", "defence-pact"),
    "treaties": ("kind", "security-treaty"),
    "exercises": ("kind", "series"),
    "missions": ("kind", "peacekeeping"),
    "challenges": ("kind", "cyber"),
    "sources": ("kind", "article"),
}


def query(name, raw):
    """GET the list with a raw query string."""
    return f"{RESOURCES[name].url}?{raw}"


@pytest.mark.parametrize("name", WITH_KIND)
def test_an_unknown_kind_is_a_400_naming_kind(api, name):
    assert_error(api.get(RESOURCES[name].url, {"kind": "nope"}), 400, "kind")


@pytest.mark.parametrize("name", WITH_KIND)
def test_an_unknown_kind_among_known_ones_is_a_400(api, name):
    _, good = CHOICE_LIST[name]
    assert_error(api.get(RESOURCES[name].url, {"kind": f"{good},nope"}), 400, "kind")


@pytest.mark.parametrize("name", WITH_COUNTRY)
def test_an_unknown_country_is_a_400_naming_country(api, name):
    assert_error(api.get(RESOURCES[name].url, {"country": "ZZZ"}), 400, "country")
    assert_error(api.get(RESOURCES[name].url, {"country": ["KOR", "ZZZ"]}), 400, "country")


@pytest.mark.parametrize("name", WITH_COUNTRY)
def test_a_comma_list_of_countries_is_not_accepted_silently(api, name):
    # Countries are repeated, not comma-separated: "KOR,USA" is no country code.
    assert_error(api.get(RESOURCES[name].url, {"country": "KOR,USA"}), 400, "country")


@pytest.mark.parametrize("value", ["abc", "0", "99999", "-5", "2000.5", "1e3"])
@pytest.mark.parametrize("parameter", ["year_from", "year_to"])
@pytest.mark.parametrize("name", DATED)
def test_a_malformed_year_is_a_400_naming_it(api, name, parameter, value):
    assert_error(api.get(RESOURCES[name].url, {parameter: value}), 400, parameter)


@pytest.mark.parametrize("name", DATED)
def test_year_from_after_year_to_is_a_400_naming_a_year(api, name):
    response = api.get(RESOURCES[name].url, {"year_from": 2000, "year_to": 1990})
    data = assert_error(response, 400)
    assert {"year_from", "year_to"} & set(data["errors"]), data


@pytest.mark.parametrize("name", DATED)
def test_year_from_equal_to_year_to_is_fine(api, name):
    assert api.get(RESOURCES[name].url, {"year_from": 1953, "year_to": 1953}).status_code == 200


@pytest.mark.parametrize("parameter", ["in_force_from", "in_force_to"])
@pytest.mark.parametrize("value", ["abc", "0", "99999"])
def test_a_malformed_in_force_year_is_a_400(api, parameter, value):
    assert_error(api.get(f"{API}treaties/", {parameter: value}), 400, parameter)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("ordering", ["nope", "status", "-slug", "name;drop", "updated,nope"])
def test_an_ordering_outside_the_whitelist_is_a_400(api, name, ordering):
    assert_error(api.get(RESOURCES[name].url, {"ordering": ordering}), 400, "ordering")


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", "1.5"),
        ("page", ""),
        ("page_size", "0"),
        ("page_size", "501"),
        ("page_size", "abc"),
        ("page_size", "-1"),
        ("page_size", "99999999999999999999999"),
    ],
)
@pytest.mark.parametrize("name", ALL)
def test_a_bad_page_or_page_size_is_a_400_naming_it(api, name, parameter, value):
    assert_error(api.get(RESOURCES[name].url, {parameter: value}), 400, parameter)


@pytest.mark.parametrize("name", ALL)
def test_page_size_500_is_the_largest_allowed(api, name):
    assert api.get(RESOURCES[name].url, {"page_size": 500}).status_code == 200


@pytest.mark.parametrize("name", ALL)
def test_an_unknown_parameter_is_a_400_naming_it(api, name):
    data = assert_error(api.get(RESOURCES[name].url, {"colour": "red"}), 400, "colour")
    assert data["code"] == "invalid"


@pytest.mark.parametrize("name", ALL)
def test_an_unknown_parameter_on_a_record_is_a_400_naming_it(api, name):
    resource = RESOURCES[name]
    assert_error(api.get(resource.detail_url(KNOWN[name]), {"colour": "red"}), 400, "colour")


@pytest.mark.parametrize("name", ALL)
def test_a_nul_byte_in_a_value_is_a_400_naming_the_parameter(api, name):
    assert_error(api.get(query(name, "search=Korea%00")), 400, "search")


@pytest.mark.parametrize("name", ALL)
def test_a_nul_byte_in_a_parameter_name_is_a_400(api, name):
    data = assert_error(api.get(query(name, "sea%00rch=Korea")), 400)
    assert data["errors"], data


@pytest.mark.parametrize("name", ALL)
def test_a_nul_byte_in_a_record_identifier_is_a_404_not_a_500(api, name):
    assert_error(api.get(RESOURCES[name].url + "KOR%00/"), 404)


@pytest.mark.parametrize("name", ALL)
def test_a_parameter_repeated_21_times_is_a_400_naming_it(api, name):
    parameter, value = ("country", "KOR") if name in WITH_COUNTRY else CHOICE_LIST[name]
    raw = "&".join([f"{parameter}={value}"] * 21)
    assert_error(api.get(query(name, raw)), 400, parameter)


@pytest.mark.parametrize("name", ALL)
def test_a_parameter_repeated_10000_times_is_a_400(api, name):
    parameter, value = ("country", "KOR") if name in WITH_COUNTRY else CHOICE_LIST[name]
    raw = "&".join([f"{parameter}={value}"] * 10_000)
    data = assert_error(api.get(query(name, raw)), 400)
    # So long a query string is refused for its length, before its values are read.
    assert {parameter, "query string"} & set(data["errors"]), data


@pytest.mark.parametrize("name", ALL)
def test_a_1001_parameter_query_string_within_the_length_limit_is_a_json_400(api, name):
    # 2,002 characters: under the length limit, over Django's 1,000 fields.
    raw = "&".join(["a"] * 1001)
    data = assert_error(api.get(query(name, raw)), 400)
    assert data["errors"], data


@pytest.mark.parametrize("name", ALL)
def test_a_comma_list_of_21_items_is_a_400_naming_the_parameter(api, name):
    parameter, value = CHOICE_LIST[name]
    assert_error(api.get(RESOURCES[name].url, {parameter: ",".join([value] * 21)}), 400, parameter)


@pytest.mark.parametrize("name", ALL)
def test_a_comma_list_of_20_items_is_accepted(api, name):
    parameter, value = CHOICE_LIST[name]
    response = api.get(RESOURCES[name].url, {parameter: ",".join([value] * 20)})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ALL)
def test_a_comma_list_of_10000_items_is_a_400(api, name):
    parameter, value = CHOICE_LIST[name]
    response = api.get(RESOURCES[name].url, {parameter: ",".join([value] * 10_000)})
    data = assert_error(response, 400)
    assert {parameter, "query string"} & set(data["errors"]), data


@pytest.mark.parametrize("name", ALL)
def test_a_100_kb_query_string_is_a_400(api, name):
    data = assert_error(api.get(RESOURCES[name].url, {"search": "a" * 100_000}), 400)
    assert data["errors"], data


@pytest.mark.parametrize("name", ALL)
def test_a_search_longer_than_200_characters_is_a_400_naming_search(api, name):
    assert_error(api.get(RESOURCES[name].url, {"search": "korea " * 34}), 400, "search")


@pytest.mark.parametrize("name", ALL)
def test_a_search_of_200_characters_is_accepted(api, name):
    assert api.get(RESOURCES[name].url, {"search": "k" * 200}).status_code == 200


@pytest.mark.parametrize(
    "search", ["'", '"', "!", "&", "|", "(", ")", ":*", "-", "a & | b", '"unclosed', "%", "_"]
)
@pytest.mark.parametrize("name", ALL)
def test_search_with_query_syntax_characters_is_not_a_500(api, name, search):
    response = api.get(RESOURCES[name].url, {"search": search})
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("name", ALL)
def test_an_unknown_format_is_a_406_in_the_error_shape(api, name):
    data = assert_error(api.get(RESOURCES[name].url, {"format": "xml"}), 406)
    assert "format" in data["detail"]
    data = assert_error(api.get(RESOURCES[name].detail_url(KNOWN[name]), {"format": "xml"}), 406)
    assert "format" in data["detail"]


@pytest.mark.parametrize("name", ALL)
def test_an_accept_header_the_api_cannot_give_is_a_406(api, name):
    assert_error(api.get(RESOURCES[name].url, HTTP_ACCEPT="application/xml"), 406)


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        (f"{API}alliances/", {"role": "ally"}, "role"),
        (f"{API}alliances/", {"defence": "maybe"}, "defence"),
        (f"{API}alliances/", {"non_aggression": "yes please"}, "non_aggression"),
        (f"{API}exercises/", {"role": "spectator"}, "role"),
        (f"{API}exercises/", {"host": "kor"}, "host"),
        (f"{API}exercises/", {"series": "nope"}, "series"),
        (f"{API}missions/", {"active": "maybe"}, "active"),
        (f"{API}missions/", {"personnel_min": "-1"}, "personnel_min"),
        (f"{API}missions/", {"personnel_min": "abc"}, "personnel_min"),
        (f"{API}missions/", {"personnel_max": "3000000000"}, "personnel_max"),
        (f"{API}missions/", {"contributor": "ZZZ"}, "contributor"),
        (f"{API}missions/", {"host": "ZZZ"}, "host"),
        (f"{API}challenges/", {"exercise": "nope"}, "exercise"),
        (f"{API}countries/", {"alliance": "nope"}, "alliance"),
        (f"{API}countries/", {"region": "nope"}, "region"),
        (f"{API}treaties/", {"source": "nope"}, "source"),
    ],
)
def test_a_bad_value_of_a_resource_filter_is_a_400_naming_it(api, url, params, parameter):
    assert_error(api.get(url, params), 400, parameter)


def test_the_api_root_lists_the_resources_and_refuses_parameters(api):
    data = api.get(API).json()
    assert {
        "countries",
        "alliances",
        "treaties",
        "exercises",
        "missions",
        "challenges",
        "sources",
        "search",
    } <= set(data)
    assert_error(api.get(API, {"colour": "red"}), 400)
