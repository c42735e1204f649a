"""The alliance network as a graph: countries as nodes, shared memberships (or, with
`edges=exercises`, shared exercises) as weighted undirected edges; JSON, GraphML or GEXF.

Which memberships count:
- the alliances the alliance list's filters select (`country`, `kind`, `defence` ...; `country`
  keeps the alliances that country belongs to, so the graph is its alliance network);
- with `year`, the memberships held that year: joined in or before it and not left before it. A
  blank start or end is read as the alliance's own start or end (ATOP often gives a member no
  dates of its own); a blank end of both means still held. A decade (`199`) counts from its first
  year for a start and to its last for an end, so an uncertain date is kept, not lost.

Exercise edges pair the participants of the published exercises of that `country` and
`year` (the exercise's start); the alliance filters do not apply to them.

Cost: one query for the rows (memberships or participants), with countries and alliances
joined; pairs are counted in Python. The rows are capped at MAX_ROWS (a 400 names the cap), so
edges are at most the pairs of the ~200 countries.
"""

from collections import defaultdict
from itertools import combinations
from xml.etree import ElementTree

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from alliances.filters import AllianceFilter
from alliances.models import Alliance, Membership
from milidip.api.filters import joined_parameters, list_parameters
from milidip.api.renderers import FastJSONRenderer
from milidip.api.views import check_parameters
from milidip.dates import year_range_q
from milidip.records import Status
from missions.models import Exercise, ExerciseParticipant

MAX_ROWS = 50_000
# An edge names at most this many of what its two countries share (`weight` counts them all):
# the US and its closest partners share hundreds of exercises.
MAX_SHARED = 50
# The schema describes the endpoint with the module docstring (but its first line).
DESCRIPTION = __doc__.split("\n\n", 1)[1]
# What an edge stands for (`edges=`), with its label (also in /api/v1/vocabulary/).
EDGE_KINDS = {
    "alliances": "Alliances both countries were members of",
    "exercises": "Exercises both countries took part in",
}
OWN_PARAMETERS = {"year", "edges", "format"}
ALLIANCE_FILTERS = {name for name in AllianceFilter.base_filters if name != "ordering"}
EXERCISE_EDGE_FILTERS = {"country"}


def earliest_year(date):
    """The first year a partial date can be: `1953-05` -> 1953, `199` -> 1990."""
    return int(date[:4].ljust(4, "0")) if date else None


def latest_year(date):
    """The last year a partial date can be: `1953-05` -> 1953, `199` -> 1999."""
    return int(date[:4].ljust(4, "9")) if date else None


def held_in(year, start, end, alliance_start, alliance_end):
    """Whether a membership was held in `year` (the module docstring says how blanks read)."""
    start, end = start or alliance_start, end or alliance_end
    if start and earliest_year(start) > year:
        return False
    return not (end and latest_year(end) < year)


def bounded(rows):
    rows = list(rows[: MAX_ROWS + 1])
    if len(rows) > MAX_ROWS:
        raise exceptions.ValidationError(
            {
                "year": [
                    f"The graph reads at most {MAX_ROWS:,} memberships or participations; "
                    "narrow it with year or country."
                ]
            }
        )
    return rows


def alliance_pairs(request, year):
    """{(code, code): [alliance slugs]} and {code: name} of the filtered alliances' members."""
    alliances = Alliance.objects.filter(status=Status.PUBLISHED)
    params = {k: v for k, v in request.query_params.lists() if k in ALLIANCE_FILTERS}
    lists, _ = list_parameters(AllianceFilter.base_filters)
    data = joined_parameters(request.query_params, lists)
    for name in OWN_PARAMETERS:
        data.pop(name, None)
    if params:
        filterset = AllianceFilter(data=data, queryset=alliances, request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        alliances = filterset.qs
    rows = bounded(
        Membership.objects.filter(
            alliance__in=alliances.values("pk"), country__status=Status.PUBLISHED
        )
        .order_by("alliance__slug", "country__code")
        .values_list(
            "alliance__slug",
            "country__code",
            "country__name",
            "start",
            "end",
            "alliance__start",
            "alliance__end",
        )
    )
    members = defaultdict(set)
    names = {}
    for slug, code, name, start, end, alliance_start, alliance_end in rows:
        if year is None or held_in(year, start, end, alliance_start, alliance_end):
            members[slug].add(code)
            names[code] = name
    return pairs_of(members), names


def exercise_pairs(request, year):
    """{(code, code): [exercise slugs]} and {code: name} of the exercises' participants."""
    exercises = Exercise.objects.filter(status=Status.PUBLISHED)
    for code in request.query_params.getlist("country"):
        exercises = exercises.filter(participants__code=code.upper())
    if year is not None:
        exercises = exercises.filter(year_range_q("start", year, year))
    rows = bounded(
        ExerciseParticipant.objects.filter(
            exercise__in=exercises.values("pk"), country__status=Status.PUBLISHED
        )
        .order_by("exercise__slug", "country__code")
        .values_list("exercise__slug", "country__code", "country__name")
    )
    members = defaultdict(set)
    names = {}
    for slug, code, name in rows:
        members[slug].add(code)
        names[code] = name
    return pairs_of(members), names


def pairs_of(members):
    pairs = defaultdict(list)
    for slug, codes in members.items():
        for pair in combinations(sorted(codes), 2):
            pairs[pair].append(slug)
    return pairs


def read_graph(request):
    edges_kind = request.query_params.get("edges", "alliances")
    if edges_kind not in EDGE_KINDS:
        raise exceptions.ValidationError({"edges": [f"One of: {', '.join(EDGE_KINDS)}."]})
    year = request.query_params.get("year")
    if year is not None:
        if not year.isdigit() or not 1 <= int(year) <= 9999:
            raise exceptions.ValidationError({"year": ["A year: 1 to 9999."]})
        year = int(year)
    if edges_kind == "exercises":
        pairs, names = exercise_pairs(request, year)
    else:
        pairs, names = alliance_pairs(request, year)
    focus = {code.upper() for code in request.query_params.getlist("country")}
    if focus:
        # The country's own network: its partners and the ties among them through its
        # alliances (or exercises); nodes that share none with it are left out.
        linked = {code for pair in pairs for code in pair if focus & set(pair)} | (
            focus & set(names)
        )
        pairs = {pair: slugs for pair, slugs in pairs.items() if set(pair) <= linked}
        names = {code: name for code, name in names.items() if code in linked}
    api = request.build_absolute_uri(reverse("country-detail", kwargs={"code": "XXX"}))
    page = request.build_absolute_uri(reverse("pages:country", args=["XXX"]))
    return {
        "edges_kind": edges_kind,
        "year": year,
        "nodes": [
            {
                "code": code,
                "name": names[code],
                "url": api.replace("XXX", code),
                "html_url": page.replace("XXX", code),
            }
            for code in sorted(names)
        ],
        "edges": [
            {"source": a, "target": b, "weight": len(slugs), "shared": slugs[:MAX_SHARED]}
            for (a, b), slugs in sorted(pairs.items())
        ],
    }


class _XMLRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = renderer_context.get("response") if renderer_context else None
        # An error, or OPTIONS' description of the endpoint, is no graph: it is answered as JSON.
        is_graph = isinstance(data, dict) and "nodes" in data and "edges" in data
        if (response is not None and response.exception) or not is_graph:
            if response is not None:
                response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        root = self.document(data)
        ElementTree.indent(root)
        return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


class GraphMLRenderer(_XMLRenderer):
    """GraphML (http://graphml.graphdrawing.org/), as networkx.read_graphml reads it."""

    media_type = "application/graphml+xml"
    format = "graphml"

    def document(self, data):
        ns = "http://graphml.graphdrawing.org/xmlns"
        root = ElementTree.Element("graphml", xmlns=ns)
        kind = "shared"
        for key, target, kind_of in (
            ("name", "node", "string"),
            ("url", "node", "string"),
            ("html_url", "node", "string"),
            ("weight", "edge", "int"),
            (kind, "edge", "string"),
        ):
            ElementTree.SubElement(
                root, "key", {"id": key, "for": target, "attr.name": key, "attr.type": kind_of}
            )
        graph = ElementTree.SubElement(root, "graph", id="milidip", edgedefault="undirected")
        for node in data["nodes"]:
            element = ElementTree.SubElement(graph, "node", id=node["code"])
            for key in ("name", "url", "html_url"):
                ElementTree.SubElement(element, "data", key=key).text = node[key]
        for edge in data["edges"]:
            element = ElementTree.SubElement(
                graph, "edge", source=edge["source"], target=edge["target"]
            )
            ElementTree.SubElement(element, "data", key="weight").text = str(edge["weight"])
            ElementTree.SubElement(element, "data", key=kind).text = " ".join(edge[kind])
        return root


class GEXFRenderer(_XMLRenderer):
    """GEXF 1.3 (https://gexf.net/), as Gephi opens it."""

    media_type = "application/gexf+xml"
    format = "gexf"

    def document(self, data):
        root = ElementTree.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
        graph = ElementTree.SubElement(root, "graph", defaultedgetype="undirected")
        kind = "shared"
        node_attributes = ElementTree.SubElement(graph, "attributes", {"class": "node"})
        for index, name in enumerate(("url", "html_url")):
            ElementTree.SubElement(
                node_attributes, "attribute", id=str(index), title=name, type="string"
            )
        edge_attributes = ElementTree.SubElement(graph, "attributes", {"class": "edge"})
        ElementTree.SubElement(edge_attributes, "attribute", id="0", title=kind, type="string")
        nodes = ElementTree.SubElement(graph, "nodes")
        for node in data["nodes"]:
            element = ElementTree.SubElement(nodes, "node", id=node["code"], label=node["name"])
            values = ElementTree.SubElement(element, "attvalues")
            for index, name in enumerate(("url", "html_url")):
                ElementTree.SubElement(values, "attvalue", {"for": str(index), "value": node[name]})
        edges = ElementTree.SubElement(graph, "edges")
        for index, edge in enumerate(data["edges"]):
            element = ElementTree.SubElement(
                edges,
                "edge",
                id=str(index),
                source=edge["source"],
                target=edge["target"],
                weight=str(edge["weight"]),
            )
            values = ElementTree.SubElement(element, "attvalues")
            ElementTree.SubElement(values, "attvalue", {"for": "0", "value": " ".join(edge[kind])})
        return root


class GraphNodeSerializer(serializers.Serializer):
    """A country."""

    code = serializers.CharField(help_text="ISO3 code.")
    name = serializers.CharField()
    url = serializers.URLField(help_text="The country in the API.")
    html_url = serializers.URLField(help_text="The country's page.")


class GraphEdgeSerializer(serializers.Serializer):
    """Two countries that share alliances (or exercises): `source` sorts before `target`."""

    source = serializers.CharField()
    target = serializers.CharField()
    weight = serializers.IntegerField(
        min_value=1, help_text="How many they share (all of them, even past `shared`'s cap)."
    )
    shared = serializers.ListField(
        child=serializers.CharField(),
        max_length=MAX_SHARED,
        help_text="The slugs of the alliances (or, edges=exercises, exercises) they share, "
        f"the first {MAX_SHARED} in slug order when there are more.",
    )


class GraphSerializer(serializers.Serializer):
    """The alliance network: countries and what they share."""

    edges_kind = serializers.ChoiceField(choices=EDGE_KINDS)
    year = serializers.IntegerField(allow_null=True)
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)


def _filter_parameters():
    parameters = [
        OpenApiParameter(
            "year",
            int,
            description="Memberships held that year (a blank date reads as the alliance's); "
            "with edges=exercises, exercises that began that year.",
        ),
        OpenApiParameter(
            "edges",
            str,
            enum=list(EDGE_KINDS),
            description="What an edge is: shared alliances (default) or shared exercises.",
        ),
    ]
    for name, field in AllianceFilter.base_filters.items():
        if name in ALLIANCE_FILTERS:
            parameters.append(
                OpenApiParameter(
                    name,
                    str,
                    many=name == "country",
                    description=(field.extra.get("help_text") or "")
                    + " As on /alliances/ (with edges=exercises only `country` applies).",
                )
            )
    return parameters


class GraphView(APIView):
    """The alliance network of a country or a year, for network tools and the network embed."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer, GraphMLRenderer, GEXFRenderer]

    @extend_schema(
        summary="The alliance network: countries and the alliances (or exercises) they share",
        description=DESCRIPTION,
        parameters=_filter_parameters(),
        responses=GraphSerializer,
    )
    def get(self, request):
        edges_kind = request.query_params.get("edges", "alliances")
        allowed = OWN_PARAMETERS | (
            EXERCISE_EDGE_FILTERS if edges_kind == "exercises" else ALLIANCE_FILTERS
        )
        lists, repeatable = list_parameters(AllianceFilter.base_filters)
        check_parameters(request, allowed, lists=lists, repeatable=repeatable)
        return Response(read_graph(request))
