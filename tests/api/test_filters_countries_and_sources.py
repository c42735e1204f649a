"""Filters of /api/v1/countries/ (region, alliance, source, search, status) and of
/api/v1/sources/ (kind, search, status), checked against the curated records."""

import pytest

from alliances.models import Country
from milidip.sources.models import Source
from tests.api.helpers import API, assert_error, ids, idset, new_country
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

COUNTRIES = f"{API}countries/"
SOURCES = f"{API}sources/"


def codes(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(COUNTRIES, params), "code")


# Countries


def test_region_filter_gives_the_countries_of_that_region(api):
    assert codes(api, region="east-asia") == {"KOR", "PRK", "CHN"}
    assert codes(api, region="southeast-asia") == {"VNM", "PHL"}
    # A curated country has a region only where an article states it (tests/test_article_facts.py).
    assert codes(api, region="middle-east") == set()


def test_region_filter_comma_separated_is_any_of(api):
    assert codes(api, region="east-asia,southeast-asia") == {"KOR", "PRK", "CHN", "VNM", "PHL"}
    assert codes(api, region="southeast-asia,europe") == {"VNM", "PHL"}


def test_region_filter_with_an_unknown_region_is_a_400(api):
    assert_error(api.get(COUNTRIES, {"region": "atlantis"}), 400, "region")


def test_alliance_filter_gives_its_members_in_any_role(api):
    assert codes(api, alliance="rok-us-alliance") == {"KOR", "USA"}
    assert codes(api, alliance="nato") == {"KOR"}  # a partner, not a member
    assert codes(api, alliance="us-japan-rok-trilateral") == {"KOR", "USA", "JPN"}
    assert codes(api, alliance="united-nations") == set()


def test_alliance_filter_with_an_unknown_slug_is_a_400(api):
    assert_error(api.get(COUNTRIES, {"alliance": "no-such-alliance"}), 400, "alliance")


def test_source_filter_gives_the_countries_citing_that_source(api):
    assert codes(api, source="military-diplomacy-enhancing-diplomatic-relations") == {
        "ARE",
        "ISR",
        "JPN",
        "KOR",
        "PHL",
        "USA",
        "VNM",
    }
    assert codes(api, source="us-south-korea-military-alliance") == {"CHN", "KOR", "PRK", "USA"}


def test_source_filter_with_an_unknown_slug_is_a_400(api):
    assert_error(api.get(COUNTRIES, {"source": "no-such-source"}), 400, "source")


def test_search_finds_countries_by_name(api):
    assert codes(api, search="Korea") == {"KOR", "PRK"}
    assert codes(api, search="North Korea") == {"PRK"}
    assert codes(api, search="Republic") == {"KOR"}  # its official name
    assert codes(api, search="Atlantis") == set()


def test_search_combines_with_other_filters(api):
    assert codes(api, search="Korea", alliance="rok-us-alliance") == {"KOR"}


def test_country_filters_combine(api):
    assert codes(api, region="east-asia", source="us-south-korea-military-alliance") == {
        "CHN",
        "KOR",
        "PRK",
    }


def test_alliance_filter_counts_a_country_once_whatever_its_roles(api):
    country = new_country()
    alliance_membership = MembershipFactory(country=country, role="member")
    MembershipFactory(
        alliance=alliance_membership.alliance, country=country, role="partner", start="2001"
    )
    response = api.get(COUNTRIES, {"alliance": alliance_membership.alliance.slug})
    assert ids(response, "code") == [country.code]
    assert response.json()["count"] == 1


def test_status_filter_published_gives_every_visible_country(api):
    assert codes(api, status="published") == set(
        Country.objects.filter(status="published").values_list("code", flat=True)
    )


# Sources


def source_slugs(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(SOURCES, params))


ARTICLES = {
    "enhancing-global-relations-rok-army",
    "south-korean-military-diplomacy",
    "exploring-south-korean-military-alliances",
    "military-diplomacy-enhancing-diplomatic-relations",
    "us-south-korea-military-alliance",
}


def test_sources_list_the_five_articles(api):
    assert source_slugs(api) == ARTICLES


def test_source_kind_filter_is_any_of(api):
    dataset = Source.objects.create(
        slug="mme-exercises",
        title="Multinational Military Exercises",
        kind="dataset",
        collection="mme",
        status="published",
    )
    assert source_slugs(api, kind="article") == ARTICLES
    assert source_slugs(api, kind="dataset") == {dataset.slug}
    assert source_slugs(api, kind="article,dataset") == ARTICLES | {dataset.slug}


def test_source_collection_filter_is_any_of(api):
    for slug, collection in [("mme-exercises", "mme"), ("un-missions", "un")]:
        Source.objects.create(
            slug=slug, title=slug, kind="dataset", collection=collection, status="published"
        )
    assert source_slugs(api, collection="articles") == ARTICLES
    assert source_slugs(api, collection="mme") == {"mme-exercises"}
    assert source_slugs(api, collection="mme,un") == {"mme-exercises", "un-missions"}
    assert source_slugs(api, collection="cow") == set()
    assert_error(api.get(SOURCES, {"collection": "wikipedia"}), 400, "collection")


def test_source_kind_filter_with_an_unknown_kind_is_a_400(api):
    assert_error(api.get(SOURCES, {"kind": "book"}), 400, "kind")


def test_source_search_finds_titles(api):
    assert source_slugs(api, search="Alliance") == {
        "exploring-south-korean-military-alliances",
        "us-south-korea-military-alliance",
    }
    assert source_slugs(api, search="Military Diplomacy Evolution") == {
        "south-korean-military-diplomacy"
    }
    assert source_slugs(api, search="zeppelin") == set()


def test_source_search_finds_authors_and_publishers(api):
    Source.objects.create(
        slug="cow-alliances",
        title="Formal Alliances",
        kind="dataset",
        collection="cow",
        status="published",
        author="Gibler",
        publisher="Correlates of War Project",
    )
    assert source_slugs(api, search="Gibler") == {"cow-alliances"}
    assert source_slugs(api, search="Correlates") == {"cow-alliances"}
