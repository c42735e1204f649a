"""/api/v1/graph/ (milidip.explore.graph): the edges are the shared memberships of a year, as the
database holds them; drafts never appear; JSON, GraphML and GEXF agree; bounded queries."""

from collections import defaultdict
from itertools import combinations
from xml.etree import ElementTree

import orjson
import pytest

from alliances.models import Membership
from milidip.explore import graph as graph_module
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
def network():
    kor = CountryFactory(code="KOR", name="South Korea")
    usa = CountryFactory(code="USA", name="United States")
    jpn = CountryFactory(code="JPN", name="Japan")
    aus = CountryFactory(code="AUS", name="Australia")
    gbr = CountryFactory(code="GBR", name="United Kingdom")
    mutual = AllianceFactory(slug="us-rok-mutual-defence", start="1953-10")
    MembershipFactory(alliance=mutual, country=kor, start="1953-10")
    MembershipFactory(alliance=mutual, country=usa, start="1953-10")
    # Undated memberships read as the alliance's own dates: 1980 to 1995.
    pact = AllianceFactory(slug="pacific-pact", start="1980", end="1995")
    for country in (usa, jpn, aus):
        MembershipFactory(alliance=pact, country=country)
    # Australia left in the 1980s: by 1990 it no longer counts, a decade read to its last year.
    left = AllianceFactory(slug="old-treaty", start="1960")
    MembershipFactory(alliance=left, country=kor, start="1960", end="1985")
    MembershipFactory(alliance=left, country=aus, start="1960", end="198")
    draft = AllianceFactory(slug="secret-pact", start="1950", status=Status.DRAFT)
    MembershipFactory(alliance=draft, country=kor, start="1950")
    MembershipFactory(alliance=draft, country=gbr, start="1950")
    return kor


def year_of(date, last):
    return int(date[:4].ljust(4, "9" if last else "0")) if date else None


def expected_pairs(year):
    """The pairs sharing a published alliance in `year`, read from the memberships directly."""
    members = defaultdict(set)
    for membership in Membership.objects.select_related("alliance", "country"):
        alliance = membership.alliance
        if alliance.status != Status.PUBLISHED or membership.country.status != Status.PUBLISHED:
            continue
        start = year_of(membership.start or alliance.start, last=False)
        end = year_of(membership.end or alliance.end, last=True)
        if (start is None or start <= year) and (end is None or end >= year):
            members[alliance.slug].add(membership.country.code)
    pairs = defaultdict(set)
    for slug, codes in members.items():
        for pair in combinations(sorted(codes), 2):
            pairs[pair].add(slug)
    return pairs


def graph(client, **params):
    response = client.get("/api/v1/graph/", params)
    assert response.status_code == 200, response.content
    return orjson.loads(response.content)


def test_edges_are_the_memberships_of_a_year(api, network):
    body = graph(api, year=1990)
    got = {(e["source"], e["target"]): set(e["shared"]) for e in body["edges"]}
    expected = expected_pairs(1990)
    assert got == expected
    assert ("KOR", "USA") in got and ("AUS", "JPN") in got
    # old-treaty: KOR left in 1985, AUS in the 1980s (a decade read to its last year).
    assert "old-treaty" not in set().union(*got.values())
    for edge in body["edges"]:
        assert edge["weight"] == len(edge["shared"])
    codes = {node["code"] for node in body["nodes"]}
    assert {e["source"] for e in body["edges"]} | {e["target"] for e in body["edges"]} <= codes


def test_a_country_network(api, network):
    body = graph(api, country="KOR", year=1970)
    expected = expected_pairs(1970)
    partners = {code for pair in expected if "KOR" in pair for code in pair}
    assert {"KOR", "USA", "AUS"} <= partners
    assert {node["code"] for node in body["nodes"]} == partners
    got = {(e["source"], e["target"]): set(e["shared"]) for e in body["edges"]}
    # The ties among its partners count through KOR's own alliances only.
    korean = set().union(*(slugs for pair, slugs in expected.items() if "KOR" in pair))
    within = {pair: slugs & korean for pair, slugs in expected.items() if set(pair) <= partners}
    assert got == {pair: slugs for pair, slugs in within.items() if slugs}
    assert got[("AUS", "KOR")] >= {"old-treaty"}
    node = next(node for node in body["nodes"] if node["code"] == "KOR")
    assert node["url"].endswith("/api/v1/countries/KOR/")
    assert node["html_url"].endswith("/countries/KOR/")


def test_drafts_never_appear(api, network):
    for params in ({}, {"year": 1960}, {"country": "KOR"}, {"country": "GBR"}):
        body = graph(api, **params)
        text = orjson.dumps(body).decode()
        assert "secret-pact" not in text and "GBR" not in text
    assert ("GBR", "KOR") in expected_pairs_all_statuses()


def expected_pairs_all_statuses():
    pairs = set()
    by_alliance = defaultdict(set)
    for alliance_id, code in Membership.objects.values_list("alliance", "country__code"):
        by_alliance[alliance_id].add(code)
    for codes in by_alliance.values():
        pairs |= set(combinations(sorted(codes), 2))
    return pairs


def test_exercise_edges(api, network):
    usa = CountryFactory(code="USA")
    exercise = ExerciseFactory(slug="team-spirit-1990", start="1990-03")
    ParticipantFactory(exercise=exercise, country=network)
    ParticipantFactory(exercise=exercise, country=usa)
    hidden = ExerciseFactory(slug="draft-drill", start="1990", status=Status.DRAFT)
    ParticipantFactory(exercise=hidden, country=network)
    ParticipantFactory(exercise=hidden, country=CountryFactory(code="JPN"))
    body = graph(api, edges="exercises", country="KOR", year=1990)
    assert body["edges"] == [
        {"source": "KOR", "target": "USA", "weight": 1, "shared": ["team-spirit-1990"]}
    ]
    assert graph(api, edges="exercises", country="KOR", year=1991)["edges"] == []


def test_graphml_and_gexf_hold_the_same_graph(api, network):
    body = graph(api, year=1990)
    edges = {(e["source"], e["target"]) for e in body["edges"]}
    response = api.get("/api/v1/graph/", {"year": 1990, "format": "graphml"})
    assert response["Content-Type"].startswith("application/graphml+xml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    [element] = root.findall("g:graph", ns)
    assert element.get("edgedefault") == "undirected"
    assert len(element.findall("g:node", ns)) == len(body["nodes"])
    assert {(e.get("source"), e.get("target")) for e in element.findall("g:edge", ns)} == edges
    key_ids = {key.get("id") for key in root.findall("g:key", ns)}
    for data in element.iter("{http://graphml.graphdrawing.org/xmlns}data"):
        assert data.get("key") in key_ids

    response = api.get("/api/v1/graph/", {"year": 1990, "format": "gexf"})
    assert response["Content-Type"].startswith("application/gexf+xml")
    ns = {"x": "http://gexf.net/1.3"}
    root = ElementTree.fromstring(response.content)
    assert root.get("version") == "1.3"
    nodes = root.findall("x:graph/x:nodes/x:node", ns)
    assert {node.get("id") for node in nodes} == {n["code"] for n in body["nodes"]}
    gexf_edges = root.findall("x:graph/x:edges/x:edge", ns)
    assert {(e.get("source"), e.get("target")) for e in gexf_edges} == edges
    assert all(int(e.get("weight")) >= 1 for e in gexf_edges)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"edges": "treaties"}, "edges"),
        ({"year": "1990s"}, "year"),
        ({"colour": "red"}, "colour"),
        ({"edges": "exercises", "kind": "defence-pact"}, "kind"),
        ({"kind": "no-such-kind"}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_it(api, network, params, named):
    response = api.get("/api/v1/graph/", params)
    assert response.status_code == 400
    assert named in orjson.loads(response.content)["errors"]


def test_bounded_queries(api, network, django_assert_max_num_queries):
    for n in range(40):
        alliance = AllianceFactory(start="1990")
        MembershipFactory(alliance=alliance, country=network)
        MembershipFactory(
            alliance=alliance,
            country=CountryFactory(code="X" + chr(65 + n // 26) + chr(65 + n % 26), name=str(n)),
        )
    with django_assert_max_num_queries(4):
        body = graph(api, country="KOR")
    assert len(body["nodes"]) >= 42


def test_an_edge_names_at_most_max_shared(api, network, monkeypatch):
    monkeypatch.setattr(graph_module, "MAX_SHARED", 1)
    body = graph(api, country="KOR")
    edge = next(e for e in body["edges"] if e["weight"] > 1)
    assert len(edge["shared"]) == 1


@pytest.mark.parametrize("file_format", ["graphml", "gexf"])
def test_options_and_errors_in_an_xml_format_are_answered_as_json(api, network, file_format):
    """Found by schemathesis: OPTIONS with format=graphml was a 500 (its description is no
    graph); it, and a 400 asked in an XML format, are JSON."""
    response = api.options("/api/v1/graph/", QUERY_STRING=f"format={file_format}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert orjson.loads(response.content)["name"]
    bad = api.get("/api/v1/graph/", {"format": file_format, "year": "1990s"})
    assert bad.status_code == 400
    assert "year" in orjson.loads(bad.content)["errors"]
