"""Filters of /api/v1/missions/ and /api/v1/challenges/, checked against the curated records."""

import pytest

from alliances.models import Alliance
from missions.models import Mission
from tests.api.helpers import API, ChallengeFactory, assert_error, idset
from tests.factories import ContributionFactory, CountryFactory, MissionFactory

pytestmark = pytest.mark.django_db

MISSIONS = f"{API}missions/"
CHALLENGES = f"{API}challenges/"
KOREAN_CONTRIBUTIONS = {
    "rok-peacekeeping-lebanon",
    "rok-peacekeeping-south-sudan",
    "rok-army-mission-iraq",
    "rok-humanitarian-assistance-afghanistan",
    "rok-humanitarian-assistance-haiti",
    "rok-disaster-relief-southeast-asia",
    "rok-military-training-assistance-uae",
    "rok-un-peacekeeping",
    "rok-contributions-nato-led-missions",
}
# What the United States sends to South Korea: troops today, aid, and its part in the Korean War.
US_IN_KOREA = {
    "us-military-presence-south-korea",
    "us-military-aid-to-south-korea",
    "us-military-support-korean-war",
}


def missions(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(MISSIONS, params))


def challenges(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(CHALLENGES, params))


# Missions


@pytest.fixture
def ended_mission():
    """A finished UN mission in Lebanon with a Korean unit of 350 and 5,000 others."""
    mission = MissionFactory(
        slug="unifil-2007",
        name="UNIFIL deployment 2007",
        kind="peacekeeping",
        organisation=Alliance.objects.get(slug="united-nations"),
        start="2007-07",
        end="2010",
    )
    mission.hosts.set([CountryFactory(code="LBN")])
    ContributionFactory(
        mission=mission, country=CountryFactory(code="KOR"), personnel=350, unit="Dongmyeong Unit"
    )
    ContributionFactory(mission=mission, country=CountryFactory(code="USA"), personnel=5000)
    return mission


def test_mission_country_filter_gives_missions_it_hosts_or_contributes_to(api):
    assert missions(api, country="KOR") == KOREAN_CONTRIBUTIONS | US_IN_KOREA
    assert missions(api, country="USA") == US_IN_KOREA
    assert missions(api, country="LBN") == {"rok-peacekeeping-lebanon"}


def test_mission_two_countries_require_both(api):
    assert missions(api, country=["KOR", "USA"]) == US_IN_KOREA
    assert missions(api, country=["KOR", "LBN"]) == {"rok-peacekeeping-lebanon"}
    assert missions(api, country=["USA", "LBN"]) == set()


def test_mission_kind_filter_comma_separated_is_any_of(api):
    assert missions(api, kind="peacekeeping") == {
        "rok-peacekeeping-lebanon",
        "rok-peacekeeping-south-sudan",
        "rok-army-mission-iraq",
        "rok-un-peacekeeping",
    }
    assert missions(api, kind="humanitarian,training") == {
        "rok-humanitarian-assistance-afghanistan",
        "rok-humanitarian-assistance-haiti",
        "rok-military-training-assistance-uae",
    }


def test_mission_organisation_filter_gives_the_missions_it_mandates(api):
    assert missions(api, organisation="united-nations") == {
        "rok-peacekeeping-lebanon",
        "rok-peacekeeping-south-sudan",
        "rok-un-peacekeeping",
    }
    assert missions(api, organisation="nato") == {"rok-contributions-nato-led-missions"}
    assert missions(api, organisation="european-union") == set()


def test_mission_organisation_with_an_unknown_slug_is_a_400(api):
    assert_error(api.get(MISSIONS, {"organisation": "no-such-body"}), 400, "organisation")


def test_mission_host_filter_gives_missions_on_its_territory(api):
    assert missions(api, host="KOR") == US_IN_KOREA
    assert missions(api, host="SSD") == {"rok-peacekeeping-south-sudan"}
    assert missions(api, host="USA") == set()


def test_mission_contributor_filter_gives_missions_it_contributes_to(api):
    assert missions(api, contributor="USA") == US_IN_KOREA
    assert missions(api, contributor="KOR") == KOREAN_CONTRIBUTIONS
    assert missions(api, contributor="JPN") == set()


def test_mission_active_filter_true_gives_missions_not_ended(api, ended_mission):
    expected_active = set(
        Mission.objects.filter(status="published", end="").values_list("slug", flat=True)
    )
    assert expected_active >= KOREAN_CONTRIBUTIONS
    assert missions(api, active="true") == expected_active
    assert ended_mission.slug not in expected_active


def test_mission_active_filter_false_gives_ended_missions(api, ended_mission):
    assert missions(api, active="false") == {"unifil-2007", "us-military-support-korean-war"}


def test_a_mission_ended_on_an_unknown_date_is_not_active(api):
    MissionFactory(slug="unfor", name="United Nations Force", ended=True)
    assert "unfor" in missions(api, active="false")
    assert "unfor" not in missions(api, active="true")
    body = api.get(f"{MISSIONS}unfor/").json()
    assert (body["end"], body["active"]) == (None, False)


def test_mission_personnel_min_and_max_bound_a_contribution(api):
    assert missions(api, personnel_min=28000) == {"us-military-presence-south-korea"}
    assert missions(api, personnel_min=28500, personnel_max=28500) == {
        "us-military-presence-south-korea"
    }
    assert missions(api, personnel_max=30000) == {"us-military-presence-south-korea"}
    assert missions(api, personnel_min=28501) == set()
    assert missions(api, personnel_max=28499) == set()


def test_mission_personnel_with_contributor_bounds_that_contributors_figure(api, ended_mission):
    assert missions(api, personnel_min=1000) == {"us-military-presence-south-korea", "unifil-2007"}
    assert missions(api, personnel_min=1000, contributor="KOR") == set()
    assert missions(api, personnel_max=1000, contributor="KOR") == {"unifil-2007"}
    assert missions(api, personnel_min=100, personnel_max=400) == {"unifil-2007"}
    assert missions(api, personnel_min=1000, contributor="USA") == {
        "us-military-presence-south-korea",
        "unifil-2007",
    }


def test_mission_source_filter_gives_missions_citing_that_source(api):
    assert missions(api, source="us-south-korea-military-alliance") == US_IN_KOREA
    assert missions(api, source="military-diplomacy-enhancing-diplomatic-relations") == {
        "rok-military-training-assistance-uae"
    }


def test_mission_search_finds_names_and_descriptions(api):
    assert missions(api, search="Lebanon") == {"rok-peacekeeping-lebanon", "rok-un-peacekeeping"}
    assert missions(api, search="Korean War") == {"us-military-support-korean-war"}
    assert missions(api, search="Haiti humanitarian") == {"rok-humanitarian-assistance-haiti"}


def test_mission_year_filters_use_the_start_date(api, ended_mission):
    assert missions(api, year_from=2007, year_to=2007) == {"unifil-2007"}
    assert missions(api, year_from=2008) == set()
    assert missions(api, year_from=2006, year_to=2006) == set()
    # The Korean War began in 1950; South Korea's peacekeeping in the 1990s, a decade.
    assert missions(api, year_to=1989) == {"us-military-support-korean-war"}
    assert missions(api, year_to=2006) == {"us-military-support-korean-war", "rok-un-peacekeeping"}


# Challenges


def test_challenge_country_filter_gives_challenges_concerning_it(api):
    assert challenges(api, country="JPN") == {
        "north-korean-nuclear-and-missile-threat",
        "japan-south-korea-historical-disputes",
        "dokdo-takeshima-dispute",
    }
    assert challenges(api, country="RUS") == {
        "north-korean-nuclear-and-missile-threat",
        "balancing-us-alliance-and-china",
    }


def test_challenge_two_countries_require_both(api):
    assert challenges(api, country=["KOR", "JPN"]) == {
        "north-korean-nuclear-and-missile-threat",
        "japan-south-korea-historical-disputes",
        "dokdo-takeshima-dispute",
    }
    assert challenges(api, country=["CHN", "RUS"]) == {"balancing-us-alliance-and-china"}
    assert challenges(api, country=["JPN", "CHN"]) == set()


def test_challenge_kind_and_category_filter_by_category_any_of(api):
    expected = {
        "dokdo-takeshima-dispute",
        "south-korea-china-territorial-disputes",
        "cyber-threats",
    }
    assert challenges(api, kind="territorial-dispute,cyber") == expected
    assert challenges(api, category="territorial-dispute,cyber") == expected
    assert challenges(api, category="burden-sharing") == {"us-troop-cost-sharing"}


def test_challenge_category_with_an_unknown_value_is_a_400(api):
    assert_error(api.get(CHALLENGES, {"category": "boredom"}), 400, "category")


def test_challenge_alliance_filter_gives_challenges_concerning_it(api):
    assert challenges(api, alliance="nato") == {"terrorism-and-transnational-threats"}
    assert challenges(api, alliance="rok-japan-security-cooperation") == {
        "north-korean-nuclear-and-missile-threat",
        "japan-south-korea-historical-disputes",
        "dokdo-takeshima-dispute",
    }


def test_challenge_treaty_filter_gives_challenges_concerning_it(api):
    assert challenges(api, treaty="rok-us-mutual-defense-treaty") == {
        "north-korean-aggression-and-provocations"
    }
    assert challenges(api, treaty="rok-us-cost-sharing-agreements") == {"us-troop-cost-sharing"}


def test_challenge_mission_filter_gives_challenges_concerning_it(api):
    assert challenges(api, mission="us-military-presence-south-korea") == {
        "north-korean-nuclear-and-missile-threat",
        "north-korean-aggression-and-provocations",
        "balancing-us-alliance-and-china",
        "us-troop-cost-sharing",
        "domestic-opinion-on-alliance",
    }
    assert challenges(api, mission="rok-peacekeeping-lebanon") == set()


def test_challenge_exercise_filter_gives_challenges_concerning_it(api):
    assert challenges(api, exercise="foal-eagle") == {"north-korean-aggression-and-provocations"}
    assert challenges(api, exercise="nato-multinational-exercises") == set()


@pytest.mark.parametrize("name", ["alliance", "treaty", "mission", "exercise"])
def test_challenge_link_filters_with_an_unknown_slug_are_a_400(api, name):
    assert_error(api.get(CHALLENGES, {name: "no-such-record"}), 400, name)


def test_challenge_source_filter_gives_challenges_citing_that_source(api):
    assert challenges(api, source="military-diplomacy-enhancing-diplomatic-relations") == {
        "cyber-threats",
        "terrorism-and-transnational-threats",
    }


def test_challenge_search_finds_a_word_written_next_to_a_slash(api):
    # The name is "Dokdo/Takeshima territorial dispute": both are words to search for.
    assert challenges(api, search="Dokdo") == {"dokdo-takeshima-dispute"}
    assert challenges(api, search="Takeshima") == {"dokdo-takeshima-dispute"}


def test_challenge_search_finds_names_descriptions_and_responses(api):
    assert challenges(api, search="comfort women") == {"japan-south-korea-historical-disputes"}
    assert "north-korean-aggression-and-provocations" in challenges(api, search="Foal Eagle")
    found = challenges(api, search="nuclear")
    assert "north-korean-nuclear-and-missile-threat" in found
    assert "dokdo-takeshima-dispute" not in found


def test_challenge_year_filters_use_the_start_date(api):
    ChallengeFactory(slug="since-2006", start="2006-10-09")
    ChallengeFactory(slug="since-the-1990s", start="199")
    assert challenges(api, year_from=2006, year_to=2006) == {"since-2006"}
    assert challenges(api, year_from=1995, year_to=1995) == {"since-the-1990s"}
    assert challenges(api, year_to=1989) == set()
    assert challenges(api, year_from=2007) == set()


def test_challenge_filters_combine(api):
    assert challenges(api, country="USA", category="regional-instability") == {
        "north-korean-aggression-and-provocations",
        "china-rising-military-influence",
        "perceptions-of-militarization",
    }
