"""Filters of /api/v1/alliances/ and /api/v1/treaties/, checked against the curated records."""

import pytest

from alliances.models import Alliance, Treaty
from tests.api.helpers import API, assert_error, idset, in_year_range, new_country
from tests.factories import AllianceFactory, CountryFactory, MembershipFactory, TreatyFactory

pytestmark = pytest.mark.django_db

ALLIANCES = f"{API}alliances/"
TREATIES = f"{API}treaties/"


def alliances(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(ALLIANCES, params))


def treaties(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(TREATIES, params))


# Alliances


def test_alliance_country_filter_gives_alliances_with_that_member(api):
    assert alliances(api, country="JPN") == {
        "us-japan-alliance",
        "us-japan-rok-trilateral",
        "rok-japan-security-cooperation",
        "japan-vietnam-security-partnership",
        "japan-philippines-security-partnership",
    }


def test_alliance_two_countries_require_both(api):
    assert alliances(api, country=["KOR", "JPN"]) == {
        "us-japan-rok-trilateral",
        "rok-japan-security-cooperation",
    }
    assert alliances(api, country=["KOR", "USA"]) == {"rok-us-alliance", "us-japan-rok-trilateral"}
    assert alliances(api, country=["KOR", "USA", "JPN"]) == {"us-japan-rok-trilateral"}


def test_alliance_country_filter_lists_an_alliance_once_when_a_country_holds_two_roles(api):
    alliance = AllianceFactory()
    korea = CountryFactory(code="KOR")
    MembershipFactory(alliance=alliance, country=korea, role="observer", start="1990")
    MembershipFactory(alliance=alliance, country=korea, role="member", start="2000")
    response = api.get(ALLIANCES, {"country": "KOR", "page_size": 500})
    slugs = [item["slug"] for item in response.json()["results"]]
    assert slugs.count(alliance.slug) == 1
    assert response.json()["count"] == len(slugs)


def test_alliance_kind_filter_comma_separated_is_any_of(api):
    assert alliances(api, kind="defence-pact") == {"rok-us-alliance", "us-japan-alliance"}
    assert alliances(api, kind="defence-pact,trilateral-framework") == {
        "rok-us-alliance",
        "us-japan-alliance",
        "us-japan-rok-trilateral",
    }
    assert alliances(api, kind="organisation,intelligence-sharing") == {
        "united-nations",
        "european-union",
        "five-eyes",
    }


def test_alliance_role_filter_gives_alliances_with_a_member_in_that_role(api):
    assert alliances(api, role="partner") == {"nato", "european-union"}
    assert alliances(api, role="founding-member") == {"rok-us-alliance"}
    assert alliances(api, role="partner,founding-member") == {
        "nato",
        "european-union",
        "rok-us-alliance",
    }


def test_alliance_role_with_country_is_the_role_that_country_holds(api):
    # A new alliance where South Korea is a member and another country a partner.
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, country=CountryFactory(code="KOR"), role="member")
    MembershipFactory(alliance=alliance, country=new_country(), role="partner")
    assert alliance.slug in alliances(api, role="partner")
    assert alliances(api, role="partner", country="KOR") == {"nato", "european-union"}
    assert alliances(api, role="founding-member", country="USA") == {"rok-us-alliance"}
    assert alliances(api, role="partner", country="USA") == set()
    assert alliance.slug in alliances(api, role="member", country="KOR")


def test_alliance_role_with_an_unknown_role_is_a_400(api):
    assert_error(api.get(ALLIANCES, {"role": "ally"}), 400, "role")


@pytest.mark.parametrize(
    "obligation", ["defence", "offence", "neutrality", "non_aggression", "consultation"]
)
def test_alliance_obligation_filters_true_and_false(api, obligation):
    promised = AllianceFactory(**{obligation: True})
    refused = AllianceFactory(**{obligation: False})
    expected_true = set(
        Alliance.objects.filter(status="published", **{obligation: True}).values_list(
            "slug", flat=True
        )
    )
    expected_false = set(
        Alliance.objects.filter(status="published", **{obligation: False}).values_list(
            "slug", flat=True
        )
    )
    assert promised.slug in expected_true
    assert alliances(api, **{obligation: "true"}) == expected_true
    assert alliances(api, **{obligation: "false"}) == expected_false
    assert refused.slug in expected_false


def test_alliance_defence_true_gives_the_rok_us_alliance_from_the_fixtures(api):
    assert alliances(api, defence="true") == {"rok-us-alliance"}
    assert alliances(api, consultation="true") == {"rok-us-alliance"}


def test_alliance_source_filter_gives_alliances_citing_that_source(api):
    assert alliances(api, source="us-south-korea-military-alliance") == {"rok-us-alliance"}
    assert alliances(api, source="enhancing-global-relations-rok-army") == {
        "nato",
        "rok-us-alliance",
        "united-nations",
    }


def test_alliance_search_finds_names_and_descriptions(api):
    found = alliances(api, search="Japan")
    assert {
        "us-japan-alliance",
        "us-japan-rok-trilateral",
        "rok-japan-security-cooperation",
        "japan-philippines-security-partnership",
    } <= found
    assert not found & {"united-nations", "five-eyes", "nato", "us-israel-alliance"}
    # The US-Japan alliance's description names Five Eyes too.
    assert alliances(api, search="Five Eyes") == {"five-eyes", "us-japan-alliance"}


def test_alliance_year_filters_use_the_start_date(api):
    assert alliances(api, year_from=1953, year_to=1953) == {"rok-us-alliance"}
    assert "rok-us-alliance" not in alliances(api, year_from=1954)
    assert "rok-us-alliance" not in alliances(api, year_to=1952)


def test_alliance_filters_combine(api):
    assert alliances(api, country="KOR", kind="strategic-partnership", search="China") == {
        "rok-china-strategic-partnership"
    }


# Treaties


def test_treaty_country_filter_gives_treaties_with_that_party(api):
    assert treaties(api, country="JPN") == {"us-japan-security-treaty"}
    assert treaties(api, country="USA") == {
        "rok-us-mutual-defense-treaty",
        "rok-us-cost-sharing-agreements",
        "us-japan-security-treaty",
    }


def test_treaty_two_countries_require_both(api):
    assert treaties(api, country=["KOR", "USA"]) == {
        "rok-us-mutual-defense-treaty",
        "rok-us-cost-sharing-agreements",
    }
    assert treaties(api, country=["USA", "JPN"]) == {"us-japan-security-treaty"}
    assert treaties(api, country=["KOR", "JPN"]) == set()


def test_treaty_kind_filter_comma_separated_is_any_of(api):
    assert treaties(api, kind="mutual-defence-treaty") == {"rok-us-mutual-defense-treaty"}
    assert treaties(api, kind="mutual-defence-treaty,security-treaty") == {
        "rok-us-mutual-defense-treaty",
        "us-japan-security-treaty",
    }
    assert treaties(api, kind="armistice") == set()


def test_treaty_alliance_filter_gives_the_treaties_of_that_alliance(api):
    assert treaties(api, alliance="rok-us-alliance") == {
        "rok-us-mutual-defense-treaty",
        "rok-us-cost-sharing-agreements",
    }
    assert treaties(api, alliance="us-japan-alliance") == {"us-japan-security-treaty"}
    assert treaties(api, alliance="nato") == set()


def test_treaty_alliance_filter_with_an_unknown_slug_is_a_400(api):
    assert_error(api.get(TREATIES, {"alliance": "no-such-alliance"}), 400, "alliance")


def test_treaty_year_filters_use_the_signing_date(api):
    TreatyFactory(slug="signed-1953-in-force-2000", signed="1953", in_force="2000")
    assert treaties(api, year_from=1953, year_to=1953) == {
        "rok-us-mutual-defense-treaty",
        "signed-1953-in-force-2000",
    }
    assert treaties(api, year_from=1999, year_to=2001) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"in_force_from": 1955}, {"in-force-1960", "in-force-2019-05", "in-force-195"}),
        ({"in_force_to": 1959}, {"in-force-1954-11-17", "in-force-195"}),
        ({"in_force_from": 1955, "in_force_to": 2000}, {"in-force-1960", "in-force-195"}),
        ({"in_force_from": 1954, "in_force_to": 1954}, {"in-force-1954-11-17", "in-force-195"}),
        ({"in_force_from": 2019, "in_force_to": 2019}, {"in-force-2019-05"}),
        ({"in_force_from": 2020}, set()),
    ],
)
def test_treaty_in_force_filters_are_inclusive_years(api, params, expected):
    TreatyFactory(slug="in-force-1954-11-17", signed="1953-10-01", in_force="1954-11-17")
    TreatyFactory(slug="in-force-195", signed="195", in_force="195")
    TreatyFactory(slug="in-force-1960", signed="1960", in_force="1960")
    TreatyFactory(slug="in-force-2019-05", signed="2019", in_force="2019-05")
    TreatyFactory(slug="in-force-unknown", signed="2001")
    everything = Treaty.objects.filter(status="published")
    reference = {
        treaty.slug
        for treaty in everything
        if in_year_range(treaty.in_force, params.get("in_force_from"), params.get("in_force_to"))
    }
    assert reference == expected  # the reference semantics agree with the expectation
    assert treaties(api, **params) == expected


def test_treaty_source_filter_gives_treaties_citing_that_source(api):
    assert treaties(api, source="us-south-korea-military-alliance") == {
        "rok-us-mutual-defense-treaty",
        "rok-us-cost-sharing-agreements",
    }
    assert treaties(api, source="military-diplomacy-enhancing-diplomatic-relations") == {
        "us-japan-security-treaty"
    }


def test_treaty_search_finds_names_provisions_and_descriptions(api):
    assert treaties(api, search="cost") == {"rok-us-cost-sharing-agreements"}
    assert treaties(api, search="Japan") == {"us-japan-security-treaty"}
    assert treaties(api, search="Mutual Defense") == {"rok-us-mutual-defense-treaty"}
