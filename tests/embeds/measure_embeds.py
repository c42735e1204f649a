"""Timings and sizes of the map's and network's data (not a test: run it by name).

    .venv/bin/pytest -q -p no:cacheprovider -s tests/embeds/measure_embeds.py

Synthetic but shaped like the imported data: 200 countries, 150 alliances (one of 16 members,
the US in about 40), 1,900 located US exercises of 2 to 10 participants each (about 400 with
South Korea). In process, Django's test client, median of 5 after one warm-up; cold is
after the read cache (milidip.api.caching) is cleared.
"""

import gzip
import random
import statistics
import time

import pytest
from django.core.cache import cache
from django.test import Client

from alliances.models import Alliance, Country, Membership
from missions.models import Exercise, ExerciseParticipant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def strict_schema():
    """Measured without the suite's response validation (tests/conftest.py), as served."""


def test_measure():
    rng = random.Random(15)
    countries = list(Country.objects.all())
    existing = {c.code for c in countries}
    new = []
    for a in range(26):
        for b in range(26):
            code = "Q" + chr(65 + a) + chr(65 + b)
            if len(existing) + len(new) >= 200:
                break
            new.append(Country(code=code, name=f"Country {code}", status="published"))
    countries += Country.objects.bulk_create(new)
    usa, _ = Country.objects.get_or_create(code="USA", defaults={"name": "United States"})
    kor, _ = Country.objects.get_or_create(code="KOR", defaults={"name": "South Korea"})
    alliances = Alliance.objects.bulk_create(
        Alliance(
            slug=f"synthetic-{n}",
            name=f"Synthetic {n}",
            kind="defence-pact",
            start=str(1946 + n % 60),
            end="" if n % 3 else str(1990 + n % 30),
            status="published",
        )
        for n in range(150)
    )
    memberships = []
    for n, alliance in enumerate(alliances):
        size = 16 if n == 0 else rng.randint(2, 6)
        members = set(rng.sample(countries, size))
        if n % 4 == 0:
            members.add(usa)
        if n % 10 == 0:
            members.add(kor)
        memberships += [Membership(alliance=alliance, country=c) for c in members]
    Membership.objects.bulk_create(memberships)
    exercises = Exercise.objects.bulk_create(
        Exercise(
            slug=f"synthetic-ex-{n}",
            name=f"Exercise {n}",
            start=str(1980 + n % 40),
            latitude=rng.uniform(-60, 70),
            longitude=rng.uniform(-180, 180),
            status="published",
        )
        for n in range(1900)
    )
    participants = []
    for n, exercise in enumerate(exercises):
        others = set(rng.sample(countries, rng.randint(1, 9))) - {usa, kor}
        if n % 5 == 0:
            others.add(kor)
        participants += [ExerciseParticipant(exercise=exercise, country=c) for c in others | {usa}]
    ExerciseParticipant.objects.bulk_create(participants)

    client = Client()
    rows = []
    for path in (
        "/api/v1/exercises/?country=USA&format=geojson",
        "/api/v1/exercises/?country=KOR&format=geojson",
        "/api/v1/graph/?country=USA",
        "/api/v1/graph/?country=USA&year=1990",
        "/api/v1/graph/?country=KOR&year=1990",
        "/api/v1/graph/?country=USA&edges=exercises",
        "/api/v1/graph/?country=KOR&edges=exercises",
        "/api/v1/graph/?year=1990&format=graphml",
        "/api/v1/graph/?year=1990&format=gexf",
        "/embed/map/?resource=exercises&country=USA",
        "/embed/network/?country=USA",
        "/embed/network/?country=KOR&year=1990",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        warm, cold = [], []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(path)
            warm.append((time.perf_counter() - started) * 1000)
            cache.clear()
            started = time.perf_counter()
            client.get(path)
            cold.append((time.perf_counter() - started) * 1000)
        gzipped = len(gzip.compress(response.content))
        rows.append(
            (path, statistics.median(cold), statistics.median(warm), len(response.content), gzipped)
        )
    print(f"\n{'':55} {'cold':>10} {'warm':>10} {'size':>10} {'gzip':>10}")
    for path, cold_ms, warm_ms, size, gzipped in rows:
        print(
            f"{path:55} {cold_ms:7.1f} ms {warm_ms:7.1f} ms {size / 1024:7.1f} KB "
            f"{gzipped / 1024:7.1f} KB"
        )
