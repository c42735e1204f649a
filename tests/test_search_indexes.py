"""On PostgreSQL, every `search` filter is served by its GIN index."""

import pytest
from django.db import connection

from alliances.filters import AllianceFilter, CountryFilter, TreatyFilter
from alliances.models import Alliance, Country, Treaty
from milidip.search import search_queryset
from milidip.sources.filters import SourceFilter
from milidip.sources.models import Source
from missions.filters import ChallengeFilter, ExerciseFilter, MissionFilter
from missions.models import Challenge, Exercise, Mission

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only"
    ),
]

SEARCHED = [
    (Country, CountryFilter),
    (Alliance, AllianceFilter),
    (Treaty, TreatyFilter),
    (Exercise, ExerciseFilter),
    (Mission, MissionFilter),
    (Challenge, ChallengeFilter),
    (Source, SourceFilter),
]


@pytest.mark.parametrize(("model", "filterset"), SEARCHED)
def test_the_search_filter_uses_the_gin_index(model, filterset):
    queryset = search_queryset(model.objects.all(), "korea", filterset.search_fields)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert f"{model._meta.model_name}_search" in plan, plan
