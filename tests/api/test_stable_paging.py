"""Stable paging: every list, in every allowed order (ascending and descending, and the
default), shows each record exactly once across its pages, even when names and dates repeat.

Every ordering ends with a unique key (code or slug), so records that tie on the sort field keep
one order from one page to the next. The same is checked against the real datasets in
test_datasets_in_the_api.py.
"""

import pytest

from alliances.models import Alliance, Country
from missions.models import MissionStrength
from tests.api.helpers import RESOURCES, DatasetSourceFactory, MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unthrottled(settings):
    """Paging through every order makes hundreds of requests."""
    settings.API_ANON_BUDGET = settings.API_ANON_HEAVY_BUDGET = None
    settings.API_ANON_HEAVY_CONCURRENCY = None


TWINS = 29  # records sharing one name and one date, more than a few pages' worth
PAGE_SIZE = 4


def orderings(resource):
    """Every value of the resource's `ordering` whitelist, ascending and descending, and none."""
    return [None] + [prefix + field for field in resource.orderings for prefix in ("", "-")]


def page_through(client, url, key, page_size=PAGE_SIZE, **params):
    """The identifiers of every page of a list, in order, and the count the list states."""
    seen, page, count = [], 1, None
    while True:
        response = client.get(url, {**params, "page": page, "page_size": page_size})
        assert response.status_code == 200, response.content[:500]
        data = response.json()
        count = data["count"]
        seen += [item[key] for item in data["results"]]
        if data["next"] is None:
            return seen, count
        page += 1


def assert_each_exactly_once(seen, count, label):
    repeated = sorted({ident for ident in seen if seen.count(ident) > 1})
    assert not repeated, f"{label}: on two pages: {repeated}"
    assert len(seen) == count, f"{label}: {count - len(seen)} record(s) on no page"


def make_twins(name):
    """TWINS published records of the resource with the same name and the same dates."""
    resource = RESOURCES[name]
    fields = {resource.title_field: "Twin"}
    for field in ("start", "signed", "in_force", "published"):
        if field in resource.orderings:
            fields[field] = "1953"
    for _ in range(TWINS):
        resource.make(**fields)


@pytest.mark.parametrize("name", list(RESOURCES))
def test_every_ordering_pages_through_each_record_exactly_once(api, name):
    resource = RESOURCES[name]
    make_twins(name)
    for ordering in orderings(resource):
        params = {"ordering": ordering} if ordering else {}
        seen, count = page_through(api, resource.url, resource.key, **params)
        assert count >= TWINS
        assert_each_exactly_once(seen, count, f"{name} ordering={ordering}")


def test_a_search_pages_through_each_record_exactly_once(api):
    make_twins("alliances")
    seen, count = page_through(api, RESOURCES["alliances"].url, "slug", search="Twin")
    assert count == TWINS
    assert_each_exactly_once(seen, count, "alliances search=Twin")


def test_a_missions_monthly_strengths_page_through_each_month_exactly_once(api):
    mission = MissionFactory()
    source = DatasetSourceFactory()
    for month in range(1, 13):
        MissionStrength.objects.create(
            mission=mission, month=f"2001-{month:02}", total=month, source=source, locator="x"
        )
    seen, count = page_through(
        api, f"{RESOURCES['missions'].url}{mission.slug}/strengths/", "month"
    )
    assert count == 12
    assert_each_exactly_once(seen, count, "strengths")


def test_default_orderings_end_with_a_unique_key():
    """The models' own orderings (the admin's lists, embedded rows) are total too."""
    assert Country._meta.ordering[-1] == "code"
    assert Alliance._meta.ordering[-1] == "slug"
    for resource in RESOURCES.values():
        last = resource.model._meta.ordering[-1]
        assert resource.model._meta.get_field(last).unique, resource.name


@pytest.mark.parametrize("name", ["countries", "alliances", "treaties", "exercises"])
def test_the_admin_lists_order_twins_by_a_unique_key(admin_client, name):
    resource = RESOURCES[name]
    make_twins(name)
    model = resource.model
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = admin_client.get(url)
    assert response.status_code == 200
    order = response.context["cl"].queryset.query.order_by
    last = order[-1].lstrip("-")
    assert last in ("pk", resource.key) or model._meta.get_field(last).unique, order
