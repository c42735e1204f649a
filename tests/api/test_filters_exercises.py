"""Filters of /api/v1/exercises/, checked against the curated records (and a few made here where
the fixtures have no data: kinds other than series, domains, hosts, dates)."""

import pytest

from alliances.models import Alliance
from missions.models import Domain, Exercise, Purpose
from tests.api.helpers import API, assert_error, idset
from tests.factories import CountryFactory, ExerciseFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

EXERCISES = f"{API}exercises/"
FIXTURE_EXERCISES = {
    "foal-eagle",
    "rok-us-bilateral-exercises",
    "nato-multinational-exercises",
    "rok-humanitarian-assistance-drills",
    "rok-eu-joint-military-exercises",
}


def exercises(api, **params):
    params.setdefault("page_size", 500)
    return idset(api.get(EXERCISES, params))


@pytest.fixture
def drills():
    """An iteration of Foal Eagle hosted by South Korea with the US taking part, and a single
    Japanese-hosted exercise with Korea observing."""
    korea, usa, japan = (CountryFactory(code=code) for code in ("KOR", "USA", "JPN"))
    foal_eagle = Exercise.objects.get(slug="foal-eagle")
    iteration = ExerciseFactory(
        slug="foal-eagle-2017",
        name="Foal Eagle 2017",
        kind="iteration",
        series=foal_eagle,
        start="2017-03-01",
        location="Pohang",
    )
    ParticipantFactory(exercise=iteration, country=korea, role="host")
    ParticipantFactory(exercise=iteration, country=usa, role="participant")
    iteration.domains.set(Domain.objects.filter(code__in=["land", "amphibious"]))
    iteration.purposes.set(Purpose.objects.filter(code__in=["readiness"]))
    single = ExerciseFactory(
        slug="pacific-dragon-2022",
        name="Pacific Dragon 2022",
        kind="exercise",
        start="2022-08",
        alliance=Alliance.objects.get(slug="us-japan-rok-trilateral"),
    )
    ParticipantFactory(exercise=single, country=japan, role="host")
    ParticipantFactory(exercise=single, country=usa, role="participant")
    ParticipantFactory(exercise=single, country=korea, role="observer")
    single.domains.set(Domain.objects.filter(code__in=["sea", "space"]))
    single.purposes.set(Purpose.objects.filter(code__in=["missile-defence"]))
    return iteration, single


def test_exercise_country_filter_gives_exercises_with_that_participant(api):
    assert exercises(api, country="KOR") == FIXTURE_EXERCISES
    assert exercises(api, country="USA") == {"foal-eagle", "rok-us-bilateral-exercises"}
    assert exercises(api, country="JPN") == set()


def test_exercise_two_countries_require_both(api, drills):
    assert exercises(api, country=["KOR", "USA"]) == {
        "foal-eagle",
        "rok-us-bilateral-exercises",
        "foal-eagle-2017",
        "pacific-dragon-2022",
    }
    assert exercises(api, country=["KOR", "JPN"]) == {"pacific-dragon-2022"}


def test_exercise_kind_filter_comma_separated_is_any_of(api, drills):
    assert exercises(api, kind="series") == FIXTURE_EXERCISES
    assert exercises(api, kind="iteration") == {"foal-eagle-2017"}
    assert exercises(api, kind="iteration,exercise") == {"foal-eagle-2017", "pacific-dragon-2022"}


def test_exercise_domain_filter_comma_separated_is_any_of(api, drills):
    assert exercises(api, domain="land") == {"foal-eagle-2017"}
    assert exercises(api, domain="space") == {"pacific-dragon-2022"}
    assert exercises(api, domain="amphibious,sea") == {"foal-eagle-2017", "pacific-dragon-2022"}
    assert exercises(api, domain="cyber") == set()


def test_exercise_domain_filter_with_an_unknown_domain_is_a_400(api):
    assert_error(api.get(EXERCISES, {"domain": "underwater"}), 400, "domain")


def test_exercise_purpose_filter_comma_separated_is_any_of(api, drills):
    assert exercises(api, purpose="deterrence") == {"rok-us-bilateral-exercises"}
    assert exercises(api, purpose="readiness") == {
        "foal-eagle",
        "rok-us-bilateral-exercises",
        "foal-eagle-2017",
    }
    assert exercises(api, purpose="interoperability,missile-defence") == {
        "nato-multinational-exercises",
        "pacific-dragon-2022",
    }


def test_exercise_purpose_filter_with_an_unknown_purpose_is_a_400(api):
    assert_error(api.get(EXERCISES, {"purpose": "fun"}), 400, "purpose")


def test_exercise_series_filter_gives_its_iterations(api, drills):
    assert exercises(api, series="foal-eagle") == {"foal-eagle-2017"}
    assert exercises(api, series="rok-us-bilateral-exercises") == set()


def test_exercise_series_filter_refuses_an_exercise_that_is_not_a_series(api, drills):
    assert_error(api.get(EXERCISES, {"series": "pacific-dragon-2022"}), 400, "series")
    assert_error(api.get(EXERCISES, {"series": "no-such-series"}), 400, "series")


def test_exercise_alliance_filter_gives_exercises_held_under_it(api, drills):
    assert exercises(api, alliance="rok-us-alliance") == {
        "foal-eagle",
        "rok-us-bilateral-exercises",
    }
    assert exercises(api, alliance="nato") == {"nato-multinational-exercises"}
    assert exercises(api, alliance="us-japan-rok-trilateral") == {"pacific-dragon-2022"}


def test_exercise_host_filter_gives_exercises_that_country_hosts(api, drills):
    assert exercises(api, host="KOR") == {"foal-eagle-2017"}
    assert exercises(api, host="JPN") == {"pacific-dragon-2022"}
    assert exercises(api, host="USA") == set()


def test_exercise_host_filter_with_an_unknown_country_is_a_400(api):
    assert_error(api.get(EXERCISES, {"host": "ZZZ"}), 400, "host")


def test_exercise_role_filter_gives_exercises_with_a_participant_in_that_role(api, drills):
    assert exercises(api, role="host") == {"foal-eagle-2017", "pacific-dragon-2022"}
    assert exercises(api, role="observer") == {"pacific-dragon-2022"}
    assert exercises(api, role="observer,host") == {"foal-eagle-2017", "pacific-dragon-2022"}


def test_exercise_role_with_country_is_the_role_that_country_plays(api, drills):
    assert exercises(api, role="host", country="KOR") == {"foal-eagle-2017"}
    assert exercises(api, role="observer", country="KOR") == {"pacific-dragon-2022"}
    assert exercises(api, role="host", country="USA") == set()
    assert exercises(api, role="participant", country="USA") == {
        "foal-eagle",
        "rok-us-bilateral-exercises",
        "foal-eagle-2017",
        "pacific-dragon-2022",
    }


def test_exercise_source_filter_gives_exercises_citing_that_source(api):
    assert exercises(api, source="south-korean-military-diplomacy") == FIXTURE_EXERCISES - {
        "rok-eu-joint-military-exercises"
    }
    assert exercises(api, source="exploring-south-korean-military-alliances") == {
        "rok-eu-joint-military-exercises"
    }
    assert exercises(api, source="us-south-korea-military-alliance") == set()


def test_exercise_search_finds_names_locations_and_descriptions(api, drills):
    assert exercises(api, search="Foal Eagle") == {"foal-eagle", "foal-eagle-2017"}
    assert exercises(api, search="Pohang") == {"foal-eagle-2017"}  # its location
    assert exercises(api, search="NATO") == {"nato-multinational-exercises"}


def test_exercise_year_filters_use_the_start_date(api, drills):
    assert exercises(api, year_from=2017, year_to=2017) == {"foal-eagle-2017"}
    assert exercises(api, year_from=2018) == {"pacific-dragon-2022"}
    assert exercises(api, year_to=2021) == {"foal-eagle-2017"}


def test_exercise_filters_combine(api, drills):
    assert exercises(api, country="KOR", kind="iteration,exercise", year_from=2020) == {
        "pacific-dragon-2022"
    }
