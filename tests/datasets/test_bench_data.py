"""`make bench-data` (the bench_data command) writes rows the schema accepts on both engines:
every column that may not be null is among those it writes, so a field added to the models
without a database default cannot break the benchmarks' data (CI's deep pages) unnoticed."""

import pytest
from django.core.management import call_command

from milidip.datasets.management.commands import bench_data
from missions.models import Exercise, ExerciseCitation, ExerciseParticipant
from tests.factories import CountryFactory

pytestmark = pytest.mark.django_db

TABLES = [
    (Exercise, bench_data.EXERCISE_COLUMNS),
    (ExerciseParticipant, bench_data.PARTICIPANT_COLUMNS),
    (ExerciseCitation, bench_data.CITATION_COLUMNS),
]


@pytest.mark.parametrize(
    ("model", "columns"), TABLES, ids=lambda value: getattr(value, "__name__", "")
)
def test_every_required_column_is_written(model, columns):
    required = {field.column for field in model._meta.concrete_fields if not field.null}
    assert required - set(columns) == set()


def test_synthetic_exercises_are_written_with_their_participants_and_citations():
    for number in range(12):
        CountryFactory(code=f"Q{chr(65 + number)}Z")
    call_command("bench_data", scale=30)
    exercises = Exercise.objects.filter(slug__startswith="bench-")
    assert exercises.count() == 30
    citations = ExerciseCitation.objects.filter(record__in=exercises)
    assert citations.count() == 30
    assert all(citation.states == {} for citation in citations)
    assert ExerciseParticipant.objects.filter(exercise__in=exercises).count() >= 30
