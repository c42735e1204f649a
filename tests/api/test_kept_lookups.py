"""A reference filter's lookups (a country code, an alliance's slug) are kept for the data version
an anonymous read began at (milidip.api.filters.KeptLookups): the next request with the same
codes asks the database nothing about them, a write moves the version and they are looked up
again, and a curator's are never kept."""

import uuid

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from alliances.models import Country
from milidip import versions
from milidip.records import Status
from missions.models import Exercise
from tests.api.helpers import assert_error

pytestmark = pytest.mark.django_db

EXERCISES = "/api/v1/exercises/"
FRESH = {"HTTP_CACHE_CONTROL": "no-cache"}  # the view renders (the read cache steps aside)


def country_lookups(queries):
    return [q["sql"] for q in queries.captured_queries if 'FROM "alliances_country"' in q["sql"]]


def alliance_lookups(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "alliances_alliance"."id"')
    ]


def test_a_country_code_is_looked_up_once_for_the_data_version(
    shared_cache, committed, django_assert_max_num_queries
):
    api = APIClient()
    for codes in (["USA"], ["USA", "KOR"]):
        with django_assert_max_num_queries(50) as queries:
            first = api.get(EXERCISES, {"country": codes}, **FRESH)
        assert first.status_code == 200
        assert len(country_lookups(queries)) == 1
        with django_assert_max_num_queries(50) as queries:
            again = api.get(EXERCISES, {"country": codes, "page_size": 7}, **FRESH)
        assert again.status_code == 200
        assert country_lookups(queries) == []
        assert again.json()["count"] == first.json()["count"]

    # A write moves the version: the code is looked up again, and a country now a draft is
    # unknown to an anonymous reader.
    with committed():
        Country.objects.filter(code="USA").update(status=Status.DRAFT)
        versions.data_changed()
    with django_assert_max_num_queries(50) as queries:
        assert_error(api.get(EXERCISES, {"country": "USA"}, **FRESH), 400, "country")
    assert len(country_lookups(queries)) == 1


def test_an_unknown_code_is_a_400_every_time(shared_cache):
    api = APIClient()
    for _ in range(2):
        assert_error(api.get(EXERCISES, {"country": "ZZZ"}, **FRESH), 400, "country")
        assert_error(api.get(EXERCISES, {"host": "ZZZ"}, **FRESH), 400, "host")
        assert_error(api.get(EXERCISES, {"alliance": "no-such"}, **FRESH), 400, "alliance")


def test_a_single_reference_is_kept_too(shared_cache, django_assert_max_num_queries):
    api = APIClient()
    assert api.get(EXERCISES, {"alliance": "nato", "host": "KOR"}, **FRESH).status_code == 200
    with django_assert_max_num_queries(50) as queries:
        response = api.get(EXERCISES, {"alliance": "nato", "host": "KOR", "page_size": 3}, **FRESH)
    assert response.status_code == 200
    assert alliance_lookups(queries) == [] and country_lookups(queries) == []


def test_a_curator_s_lookups_are_never_kept(shared_cache, django_assert_max_num_queries):
    """A curator's reads are not kept under the version: each looks its codes up among the
    records a curator may see (drafts included), apart from what anonymous readers were given."""
    Country.objects.create(code="XDR", name="Draftland", status=Status.DRAFT)
    curator = User.objects.create_user(f"curator-{uuid.uuid4().hex[:6]}", is_staff=True)
    curator.groups.add(Group.objects.get(name="curator"))
    api, staff = APIClient(), APIClient()
    staff.force_authenticate(curator)
    assert_error(api.get(EXERCISES, {"country": "XDR"}, **FRESH), 400, "country")
    for _ in range(2):
        with django_assert_max_num_queries(80) as queries:
            assert staff.get(EXERCISES, {"country": ["XDR"]}, **FRESH).status_code == 200
        assert len(country_lookups(queries)) == 1
    assert_error(api.get(EXERCISES, {"country": "XDR"}, **FRESH), 400, "country")


def test_outside_a_read_that_may_be_kept_there_is_no_read_version():
    assert versions.read_version() is None
    with versions.reading_to_keep(42):
        assert versions.read_version() == 42
        with versions.reading_to_keep():
            assert versions.read_version() is None
        assert versions.read_version() == 42
    assert versions.read_version() is None


def test_each_request_has_its_own_filters_and_fields():
    """Filters and form fields are copied shallowly for each request (FiltersCopiedShallow,
    CopiedShallow): each request's are its own objects, a reference filter's `extra` (where it
    puts its reader's queryset) is its own, and a method filter calls its own FilterSet."""
    from django.http import QueryDict
    from django.test import RequestFactory

    from missions.filters import ExerciseFilter

    factory = RequestFactory()
    first = ExerciseFilter(QueryDict("country=USA"), request=factory.get("/"))
    second = ExerciseFilter({}, request=factory.get("/"))
    assert first.is_valid() and second.is_valid()
    for name in ("host", "country", "alliance"):
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].extra is not second.filters[name].extra
        assert first.filters[name].parent is first and second.filters[name].parent is second
    assert first.filters["host"].filter.f is first.filters["host"]
    assert first.form.fields["host"] is not second.form.fields["host"]
    assert first.form.fields["host"] is not type(first.form).base_fields["host"]
    # Each filters with its own data: the first by its country, the second not at all.
    assert 0 < first.qs.count() < second.qs.count()


def test_a_filtered_list_is_filtered_once_for_the_data_version(
    shared_cache, committed, built_filtersets
):
    """The same list asked again by an anonymous reader (another page, another page size,
    afresh) builds no FilterSet until a write moves the version; a curator's always does."""
    built = built_filtersets
    api = APIClient()
    asked = {"country": "KOR", "ordering": "-start"}
    first = api.get(EXERCISES, {**asked, "page_size": 2}, **FRESH).json()
    assert built == ["ExerciseFilter"]
    second = api.get(EXERCISES, {**asked, "page_size": 2, "page": 2}, **FRESH).json()
    assert built == ["ExerciseFilter"]
    assert second["count"] == first["count"]
    assert {e["slug"] for e in first["results"]}.isdisjoint(e["slug"] for e in second["results"])
    # Other parameters are another list.
    api.get(EXERCISES, {"country": "KOR"}, **FRESH)
    assert built == ["ExerciseFilter"] * 2

    with committed():
        foal_eagle = Exercise.objects.get(slug="foal-eagle")
        Exercise.objects.filter(pk=foal_eagle.pk).update(status=Status.DRAFT)
        versions.data_changed()
    after = api.get(EXERCISES, {**asked, "page_size": 50}, **FRESH).json()
    assert built == ["ExerciseFilter"] * 3
    assert "foal-eagle" not in {e["slug"] for e in after["results"]}
    assert after["count"] == first["count"] - 1

    curator = User.objects.create_user(f"curator-{uuid.uuid4().hex[:6]}", is_staff=True)
    curator.groups.add(Group.objects.get(name="curator"))
    staff = APIClient()
    staff.force_authenticate(curator)
    for _ in range(2):
        shown = staff.get(EXERCISES, {**asked, "page_size": 50}, **FRESH).json()
        assert "foal-eagle" in {e["slug"] for e in shown["results"]}
    assert built == ["ExerciseFilter"] * 5


def test_what_a_process_keeps_can_be_forgotten_at_once():
    memo = versions.kept_in_process({})
    memo["key"] = (1, "read at version 1")
    versions.forget_kept_in_process()
    assert memo == {}
