"""The articles' facts that the curated records once missed (issue 11), each on the right record
with the passage that states it; and a country's region only where an article states it.

That every quote is verbatim is checked for all records at once in tests/test_fixtures.py.
"""

import pytest

from alliances.models import Alliance, Country, Region
from missions.models import Exercise, Mission

pytestmark = pytest.mark.django_db


def quotes(record):
    return [citation.quote for citation in record.citations.all()]


def cites(record, passage):
    return any(passage in quote for quote in quotes(record))


def test_south_koreas_contributions_to_nato_led_missions():
    mission = Mission.objects.get(slug="rok-contributions-nato-led-missions")
    assert mission.organisation.slug == "nato"
    assert list(mission.contributors.values_list("code", flat=True)) == ["KOR"]
    assert cites(mission, "such as contributions to NATO-led missions")
    assert cites(mission, "South Korea’s participation in NATO-led missions")


def test_us_military_aid_and_technology_transfer():
    aid = Mission.objects.get(slug="us-military-aid-to-south-korea")
    assert list(aid.contributors.values_list("code", flat=True)) == ["USA"]
    assert list(aid.hosts.values_list("code", flat=True)) == ["KOR"]
    assert cites(aid, "provides vital military aid and advanced technology to South Korea")
    assert cites(aid, "technology transfers")
    assert aid.start == "", "no article says when the aid began"


def test_peacekeeping_since_the_1990s_is_a_decade_not_a_year():
    peacekeeping = Mission.objects.get(slug="rok-un-peacekeeping")
    assert peacekeeping.start == "199"
    assert peacekeeping.organisation.slug == "united-nations"
    assert list(peacekeeping.contributors.values_list("code", flat=True)) == ["KOR"]
    assert cites(peacekeeping, "The 1990s marked a pivotal shift")
    assert cites(peacekeeping, "beginning to participate in peacekeeping operations")
    assert Mission.objects.filter(slug="rok-un-peacekeeping", start__startswith="199").exists()


def test_the_korean_war_is_dated_1950_to_1953_and_over():
    war = Mission.objects.get(slug="us-military-support-korean-war")
    assert (war.start, war.end, war.ended) == ("1950", "1953", True)
    assert list(war.hosts.values_list("code", flat=True)) == ["KOR"]
    assert list(war.contributors.values_list("code", flat=True)) == ["USA"]
    assert cites(war, "the Korean War (1950-1953)")
    assert cites(war, "the U.S. provided military support against North Korean attacks")


def test_eu_south_korea_exercises_belong_to_the_strategic_partnership():
    exercises = Exercise.objects.get(slug="rok-eu-joint-military-exercises")
    assert exercises.kind == Exercise.Kind.SERIES
    assert exercises.alliance.slug == "rok-eu-strategic-partnership"
    assert list(exercises.participants.values_list("code", flat=True)) == ["KOR"]
    assert cites(exercises, "South Korea and the EU have intensified their security cooperation")
    assert cites(exercises, "joint military exercises")


def test_the_mutual_defense_treatys_day_is_not_claimed_by_the_articles():
    """1953-10-01 is in COW and ATOP, not in any article: the curated treaty keeps the year."""
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    assert alliance.start == "1953"
    assert not any("1953-10-01" in quote or "October 1" in quote for quote in quotes(alliance))


def test_short_names_are_cited():
    assert cites(Alliance.objects.get(slug="rok-us-alliance"), "the US-South Korea alliance")
    assert cites(Alliance.objects.get(slug="united-nations"), "UN peace operations")


ARTICLE_REGIONS = {
    "KOR": Region.EAST_ASIA,
    "PRK": Region.EAST_ASIA,
    "CHN": Region.EAST_ASIA,
    "VNM": Region.SOUTHEAST_ASIA,
    "PHL": Region.SOUTHEAST_ASIA,
}


def test_a_curated_country_has_a_region_only_where_an_article_states_it():
    curated = Country.objects.filter(citations__source__collection="articles").distinct()
    assert curated.count() == 16
    assert {country.code: country.region for country in curated if country.region} == (
        ARTICLE_REGIONS
    )


@pytest.mark.parametrize("code", sorted(ARTICLE_REGIONS))
def test_each_region_is_cited_with_the_passage_that_places_the_country(code):
    country = Country.objects.get(code=code)
    label = Region(country.region).label
    notes = [c.note for c in country.citations.all() if c.note.startswith("Region:")]
    assert notes and all(label in note for note in notes), notes
