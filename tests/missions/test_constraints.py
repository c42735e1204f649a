"""Exercises and missions: series, personnel and coordinates are checked by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from missions.models import Exercise, Mission, MissionContribution
from tests.factories import ContributionFactory, ExerciseFactory, MissionFactory

pytestmark = pytest.mark.django_db


def test_an_iteration_must_name_its_series():
    iteration = Exercise(slug="orphan-2017", name="Orphan 2017", kind=Exercise.Kind.ITERATION)
    with pytest.raises(ValidationError) as error:
        iteration.full_clean()
    assert "series" in error.value.message_dict
    with pytest.raises(IntegrityError, match="exercise_iteration_has_series"), transaction.atomic():
        iteration.save()


def test_only_a_series_can_be_a_series():
    single = ExerciseFactory(kind=Exercise.Kind.EXERCISE)
    iteration = Exercise(slug="x-2017", name="X 2017", kind=Exercise.Kind.ITERATION, series=single)
    with pytest.raises(ValidationError, match="not an exercise series"):
        iteration.full_clean()


def test_an_iteration_links_to_its_series():
    series = ExerciseFactory(kind=Exercise.Kind.SERIES, name="Drill")
    iteration = ExerciseFactory(kind=Exercise.Kind.ITERATION, series=series, start="2017-03")
    iteration.full_clean()
    assert list(series.iterations.all()) == [iteration]


def test_negative_personnel_is_refused_by_the_database():
    contribution = ContributionFactory(personnel=300)
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionContribution.objects.filter(pk=contribution.pk).update(personnel=-1)
    contribution.refresh_from_db()
    assert contribution.personnel == 300


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (0, 181), (-90.5, 10)])
def test_coordinates_out_of_range_are_refused(latitude, longitude):
    with pytest.raises(IntegrityError, match="_range"), transaction.atomic():
        ExerciseFactory(latitude=latitude, longitude=longitude)


def test_a_mission_with_an_end_date_has_ended():
    mission = Mission(slug="done", name="Done", kind=Mission.Kind.PEACEKEEPING, end="2010")
    mission.full_clean()
    assert (mission.ended, mission.active) == (True, False)


def test_a_mission_with_an_end_date_that_has_not_ended_is_refused_by_the_database():
    mission = MissionFactory(end="2010")
    with pytest.raises(IntegrityError, match="mission_with_an_end_has_ended"), transaction.atomic():
        Mission.objects.filter(pk=mission.pk).update(ended=False)
    mission.refresh_from_db()
    assert mission.ended
