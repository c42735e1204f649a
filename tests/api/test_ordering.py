"""`ordering`: every value of each resource's whitelist, ascending and descending, orders the
results by that field."""

import datetime

import pytest

from tests.api.helpers import RESOURCES, assert_error

pytestmark = pytest.mark.django_db

CASES = [(name, field) for name, resource in RESOURCES.items() for field in resource.orderings]

# Values for the date fields, so that ordering by them has something to sort.
DATES = ["2017-03-01", "195", "1990", "2005-03", "1953-10-01", "2001"]


def sort_key(field, value):
    if field == "updated":
        return datetime.datetime.fromisoformat(value)
    return value or ""  # a blank partial date (null in the API) sorts first


@pytest.fixture
def varied():
    """Records of a resource with distinct names and dates, made out of order."""

    def make(name):
        resource = RESOURCES[name]
        date_fields = [
            field
            for field in resource.orderings
            if field not in ("name", "title", "code", "updated")
        ]
        for index, date in enumerate(DATES):
            fields = {resource.title_field: f"{'MZBQAK'[index]} ordering sample"}
            for field in date_fields:
                fields[field] = date
            if name == "treaties":
                fields["signed"] = "195"  # in force is never before signing
            resource.make(**fields)

    return make


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize(("name", "field"), CASES)
def test_ordering_sorts_the_results_by_the_field(api, varied, name, field, descending):
    resource = RESOURCES[name]
    varied(name)
    response = api.get(
        resource.url, {"ordering": f"-{field}" if descending else field, "page_size": 500}
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert len(results) == response.json()["count"]
    keys = [sort_key(field, item[field]) for item in results]
    assert len(set(keys)) > 2, "the data must have distinct values to order"
    assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("name", list(RESOURCES))
def test_ordering_outside_the_whitelist_is_a_400(api, name):
    assert_error(api.get(RESOURCES[name].url, {"ordering": "status"}), 400, "ordering")
    assert_error(api.get(RESOURCES[name].url, {"ordering": "-created"}), 400, "ordering")
