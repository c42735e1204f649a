"""The map and network embeds (milidip.embeds.maps, .network): framable by any origin, the
filters checked, the same records as the API, drafts never shown."""

import re

import orjson
import pytest
from django.test import Client

from milidip.records import Status
from tests.factories import (
    AllianceFactory,
    CountryFactory,
    ExerciseFactory,
    MembershipFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    kor = CountryFactory(code="KOR", name="South Korea")
    usa = CountryFactory(code="USA", name="United States")
    gbr = CountryFactory(code="GBR", name="United Kingdom")
    for n in range(3):
        exercise = ExerciseFactory(
            slug=f"drill-{n}", name=f"Drill {n}", start="2001", latitude=36 + n, longitude=127
        )
        ParticipantFactory(exercise=exercise, country=kor)
    hidden = ExerciseFactory(
        slug="draft-drill", start="2002", latitude=1, longitude=1, status=Status.DRAFT
    )
    ParticipantFactory(exercise=hidden, country=kor)
    alliance = AllianceFactory(slug="rok-us", start="1953")
    MembershipFactory(alliance=alliance, country=kor)
    MembershipFactory(alliance=alliance, country=usa)
    draft = AllianceFactory(slug="secret-pact", start="1950", status=Status.DRAFT)
    MembershipFactory(alliance=draft, country=kor)
    MembershipFactory(alliance=draft, country=gbr)


def framable(response):
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert not response.cookies


def test_map_lists_the_apis_records(records):
    client = Client()
    response = client.get("/embed/map/", {"resource": "exercises", "country": "KOR"})
    framable(response)
    html = response.content.decode()
    data_url = re.search(r'data-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "format=geojson" in data_url and "country=KOR" in data_url
    api = orjson.loads(client.get(data_url).content)
    slugs = {f["properties"]["slug"] for f in api["features"]}
    assert slugs == {"drill-0", "drill-1", "drill-2"}
    for slug in slugs:
        assert f"/exercises/{slug}/" in html  # the table for readers without JavaScript
    assert "draft-drill" not in html and "Natural Earth" in html
    # Scripts and styles from this server only; the world map is shipped with the project.
    assert all(
        src.startswith("/static/") for src in re.findall(r'(?:src|data-world)="([^"]+)"', html)
    )
    assert re.findall(r'src="([^"]+)"', html)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "resource"),
        ({"resource": "treaties"}, "resource"),
        ({"resource": "exercises", "colour": "red"}, "colour"),
        ({"resource": "exercises", "year_from": "soon"}, "year_from"),
    ],
)
def test_map_refuses_bad_filters(params, named):
    response = Client().get("/embed/map/", params)
    assert response.status_code == 400
    assert f"<code>{named}</code>" in response.content.decode()


def test_network_draws_the_graphs_nodes(records):
    client = Client()
    response = client.get("/embed/network/", {"country": "KOR", "year": "1990"})
    framable(response)
    html = response.content.decode()
    graph = orjson.loads(client.get("/api/v1/graph/", {"country": "KOR", "year": "1990"}).content)
    assert html.count("<circle") == len(graph["nodes"]) >= 2
    for node in graph["nodes"]:
        assert f'href="{node["html_url"]}"' in html
    assert 'class="node focus"' in html
    assert "GBR" not in html and "secret-pact" not in html
    assert "<script" not in html


def test_network_refuses_bad_input():
    response = Client().get("/embed/network/", {"edges": "treaties"})
    assert response.status_code == 400
    assert "<code>edges</code>" in response.content.decode()
