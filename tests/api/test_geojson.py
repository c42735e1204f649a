"""`?format=geojson` on the exercises and missions lists (milidip.api.geojson): RFC 7946 shape,
lon/lat order, the filters, the unlocated count, the cap, drafts left out, bounded queries."""

import orjson
import pytest

from milidip.api import geojson
from milidip.records import Status
from missions.models import Exercise, Mission, MissionLocation
from tests.factories import CountryFactory, ExerciseFactory, MissionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def korea_exercises():
    korea = CountryFactory(code="KOR", name="South Korea")
    usa = CountryFactory(code="USA", name="United States")
    # Foal Eagle at Pohang: 36.0 N, 129.4 E, so the first coordinate is the larger one.
    foal = ExerciseFactory(
        slug="foal-eagle-1990", name="Foal Eagle", start="1990-03", latitude=36.0, longitude=129.4
    )
    unplaced = ExerciseFactory(slug="unplaced", name="Unplaced", start="1991")
    draft = ExerciseFactory(
        slug="secret-draft", start="1992", latitude=1, longitude=2, status=Status.DRAFT
    )
    elsewhere = ExerciseFactory(slug="us-only", start="1995", latitude=40.0, longitude=-75.0)
    for exercise in (foal, unplaced, draft):
        ParticipantFactory(exercise=exercise, country=korea)
        ParticipantFactory(exercise=exercise, country=usa)
    ParticipantFactory(exercise=elsewhere, country=usa)
    return foal


def geo(api, path, **params):
    response = api.get(path, {"format": "geojson", **params})
    return response, orjson.loads(response.content)


def test_feature_collection_of_a_country(api, korea_exercises):
    response, body = geo(api, "/api/v1/exercises/", country="KOR")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["slug"] for f in body["features"]] == ["foal-eagle-1990"]
    # "unplaced" and any seeded KOR exercise without coordinates; never the draft.
    expected = Exercise.objects.filter(
        status=Status.PUBLISHED, participants__code="KOR", latitude__isnull=True
    ).count()
    assert expected >= 1 and body["unlocated"] == expected
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [129.4, 36.0]}
    props = feature["properties"]
    assert props["start"] == "1990-03" and props["end"] is None
    assert props["url"] == "http://testserver/api/v1/exercises/foal-eagle-1990/"
    assert props["html_url"].endswith("/exercises/foal-eagle-1990/")
    assert api.get(props["url"]).status_code == 200


def test_coordinates_in_range_and_filters_apply(api, korea_exercises):
    _, body = geo(api, "/api/v1/exercises/")
    slugs = {f["properties"]["slug"] for f in body["features"]}
    assert slugs == {"foal-eagle-1990", "us-only"}
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    _, body = geo(api, "/api/v1/exercises/", year_from="1993")
    assert [f["properties"]["slug"] for f in body["features"]] == ["us-only"]


def test_drafts_never_appear(api, curator, korea_exercises):
    _, body = geo(api, "/api/v1/exercises/", country="KOR")
    assert "secret-draft" not in orjson.dumps(body).decode()
    # A curator who may see drafts does get it: the test would notice if it were never there.
    _, body = geo(curator, "/api/v1/exercises/", country="KOR")
    assert "secret-draft" in {f["properties"]["slug"] for f in body["features"]}


def test_bounded_queries(api, korea_exercises, django_assert_max_num_queries):
    usa = korea_exercises.participants.get(code="USA")
    for n in range(30):
        ParticipantFactory(
            exercise=ExerciseFactory(latitude=n, longitude=n, start="2000"), country=usa
        )
    with django_assert_max_num_queries(8):
        _, body = geo(api, "/api/v1/exercises/", country="USA")
    assert len(body["features"]) == 32


def test_the_cap_is_a_400_naming_it(api, korea_exercises, monkeypatch):
    monkeypatch.setattr(geojson, "MAX_FEATURES", 1)
    response, body = geo(api, "/api/v1/exercises/")
    assert response.status_code == 400
    assert "at most 1 features" in body["errors"]["format"][0]
    assert geo(api, "/api/v1/exercises/", country="KOR")[0].status_code == 200


@pytest.mark.parametrize("parameter", ["page", "page_size"])
def test_geojson_is_not_paged(api, korea_exercises, parameter):
    response, body = geo(api, "/api/v1/exercises/", **{parameter: "1"})
    assert response.status_code == 400
    assert "not paged" in body["errors"][parameter][0]


def test_only_on_lists(api, korea_exercises):
    response = api.get("/api/v1/exercises/foal-eagle-1990/", {"format": "geojson"})
    assert response.status_code == 406


def test_missions_one_feature_per_located_base(api):
    lebanon = CountryFactory(code="LBN", name="Lebanon")
    unifil = MissionFactory(slug="un-unifil", name="UNIFIL", start="1978-03")
    MissionLocation.objects.create(mission=unifil, name="Naqoura", latitude=33.12, longitude=35.14)
    MissionLocation.objects.create(mission=unifil, name="Somewhere")
    MissionFactory(slug="no-bases", start="1990")
    hidden = MissionFactory(slug="draft-mission", start="1990", status=Status.DRAFT)
    MissionLocation.objects.create(mission=hidden, name="Hidden", latitude=1, longitude=1)
    assert lebanon
    response, body = geo(api, "/api/v1/missions/")
    assert response.status_code == 200
    located = MissionLocation.objects.filter(latitude__isnull=False).values("mission")
    expected = Mission.objects.filter(status=Status.PUBLISHED).exclude(pk__in=located).count()
    assert body["unlocated"] == expected  # "no-bases" and seeded ones, never the draft
    assert "no-bases" not in response.content.decode()
    [feature] = body["features"]
    assert feature["geometry"]["coordinates"] == [35.14, 33.12]
    assert feature["properties"]["location"] == "Naqoura"
    assert feature["properties"]["slug"] == "un-unifil"
