"""A repeated query parameter is never silently cut to its last value (issue 13, point 1).

Generated clients send a comma list (`explode: false`) as a repeated parameter. A comma-list
parameter given more than once reads exactly as its comma form; `country` repeats by design (all
of them); any other parameter given more than once is a 400 naming it. Checked over every list
endpoint and every one of its parameters.
"""

from urllib.parse import urlencode

import pytest
from django.urls import resolve
from django_filters.filters import BaseCSVFilter, MultipleChoiceFilter, OrderingFilter

from milidip.api.views import LIST_PARAMETERS
from tests.api.helpers import ALL, API, RESOURCES, assert_error
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db


def filters_of(name):
    return resolve(RESOURCES[name].url).func.cls.filterset_class.base_filters


def choices_of(list_filter):
    """Two valid values of a comma-list filter (orderings: two different fields)."""
    if isinstance(list_filter, OrderingFilter):
        values = [value for value, _ in list_filter.extra["choices"] if not value.startswith("-")]
        return ["-" + values[1], values[0]]
    return [value for value, _ in list_filter.extra["choices"]][:2]


def list_cases():
    for name in ALL:
        for parameter, list_filter in filters_of(name).items():
            if isinstance(list_filter, BaseCSVFilter):
                yield name, parameter, choices_of(list_filter)


def single_cases():
    for name in ALL:
        filters = filters_of(name)
        for parameter in sorted(LIST_PARAMETERS | set(filters)):
            candidate = filters.get(parameter)
            if not isinstance(candidate, (BaseCSVFilter, MultipleChoiceFilter)):
                yield name, parameter


def get(client, url, pairs):
    return client.get(f"{url}?{urlencode(pairs)}")


def keys(response):
    assert response.status_code == 200, response.content[:500]
    return [item.get("slug") or item.get("code") for item in response.json()["results"]]


@pytest.mark.parametrize(("name", "parameter", "values"), list(list_cases()))
def test_a_repeated_comma_list_parameter_reads_as_its_comma_form(
    api, curator, name, parameter, values
):
    url = RESOURCES[name].url
    extra = [("page_size", "500")]
    repeated = get(curator, url, [(parameter, value) for value in values] + extra)
    joined = get(curator, url, [(parameter, ",".join(values)), *extra])
    assert keys(repeated) == keys(joined)
    assert repeated.json()["count"] == joined.json()["count"]


def test_the_list_endpoints_have_comma_list_parameters_to_check():
    """The parametrised test above covers kind, collection, domain, purpose, role, ordering ..."""
    names = {parameter for _, parameter, _ in list_cases()}
    assert {"kind", "collection", "domain", "purpose", "role", "ordering", "region"} <= names


@pytest.mark.parametrize(("name", "parameter"), list(single_cases()))
def test_any_other_repeated_parameter_is_a_400_naming_it(api, name, parameter):
    value = "json" if parameter == "format" else "1"
    response = get(api, RESOURCES[name].url, [(parameter, value), (parameter, value)])
    data = assert_error(response, 400, parameter)
    assert "2 times" in data["errors"][parameter][0]


def test_repeated_kinds_count_every_kind_not_only_the_last(api):
    """The issue's case: `kind=series&kind=exercise` counted only exercises."""
    ExerciseFactory(kind="exercise", name="Aardvark drill")
    url = f"{API}exercises/"
    both = get(api, url, [("kind", "series"), ("kind", "exercise")]).json()["count"]
    series = get(api, url, [("kind", "series")]).json()["count"]
    exercises = get(api, url, [("kind", "exercise")]).json()["count"]
    assert series and exercises
    assert both == series + exercises


def test_a_repeated_ordering_sorts_by_every_field_in_turn(api):
    """`ordering=-start&ordering=name`: by start descending, then by name (not by name alone)."""
    ExerciseFactory(name="Aardvark drill", start="1950")
    ExerciseFactory(name="Zebra drill", start="2030")
    url = f"{API}exercises/"
    repeated = get(api, url, [("ordering", "-start"), ("ordering", "name"), ("page_size", "500")])
    by_name = get(api, url, [("ordering", "name"), ("page_size", "500")])
    assert keys(repeated) == keys(
        get(api, url, [("ordering", "-start,name"), ("page_size", "500")])
    )
    assert keys(repeated) != keys(by_name)


def test_a_repeated_list_still_has_at_most_twenty_items(api):
    pairs = [("kind", "series,exercise")] * 11
    assert_error(get(api, f"{API}exercises/", pairs), 400, "kind")


def test_an_empty_item_in_a_repeated_list_is_a_400(api):
    assert_error(
        get(api, f"{API}exercises/", [("kind", "series"), ("kind", "exercise,")]), 400, "kind"
    )


def test_a_repeated_country_requires_all_of_them(api):
    both = get(api, f"{API}alliances/", [("country", "KOR"), ("country", "USA")])
    korea = get(api, f"{API}alliances/", [("country", "KOR")])
    assert set(keys(both)) <= set(keys(korea))


def test_search_reads_a_repeated_type_as_its_comma_form(api):
    url = f"{API}search/"
    repeated = get(api, url, [("q", "korea"), ("type", "alliance"), ("type", "treaty")]).json()
    joined = get(api, url, [("q", "korea"), ("type", "alliance,treaty")]).json()
    assert repeated == joined
    assert {hit["type"] for hit in repeated["results"]} == {"alliance", "treaty"}


@pytest.mark.parametrize("parameter", ["q", "limit", "format"])
def test_search_refuses_any_other_repeated_parameter(api, parameter):
    values = {"q": ("korea", "alliance"), "limit": ("1", "2"), "format": ("json", "json")}
    pairs = [(parameter, value) for value in values[parameter]]
    if parameter != "q":
        pairs.append(("q", "korea"))
    assert_error(get(api, f"{API}search/", pairs), 400, parameter)


@pytest.mark.parametrize("url", [f"{API}exercises/foal-eagle/", f"{API}countries/KOR/dossier/"])
def test_a_repeated_parameter_of_a_detail_is_a_400(api, url):
    assert_error(get(api, url, [("format", "json"), ("format", "json")]), 400, "format")
