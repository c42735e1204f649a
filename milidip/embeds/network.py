"""The network embed: `/embed/network/?country=KOR&year=1990` (and every parameter the graph
endpoint takes, milidip.explore.graph).

The layout is computed here, into SVG, rather than by d3-force in the browser: the page then
needs no script at all (readable with JavaScript off, nothing to vendor, no CSP question), it is
the same for every reader and every screenshot, and its cost is bounded by the ~200 countries
(a force simulation of USA's ~1,000 edges would run in every reader's browser on every load).
The layout is radial and deterministic: the country asked for in the middle, its partners on a
ring ordered by the alliance they share most (so blocs sit together), sized by how many ties
each has; without a country, every node on the ring. Edges are drawn as one path per weight,
so a dense year stays a few elements.
"""

import math
from collections import defaultdict

from django.shortcuts import render
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.request import Request

from milidip.embeds.framing import embeddable
from milidip.explore.graph import (
    ALLIANCE_FILTERS,
    EXERCISE_EDGE_FILTERS,
    OWN_PARAMETERS,
    read_graph,
)

SIZE = 600
RING = 250


def layout(graph, focus):
    """{code: (x, y)} for the graph's nodes, and their radii."""
    degree = defaultdict(int)
    strongest = {}
    for edge in graph["edges"]:
        for code in (edge["source"], edge["target"]):
            degree[code] += edge["weight"]
            strongest.setdefault(code, edge["shared"][0] if edge["shared"] else "")
    codes = [node["code"] for node in graph["nodes"]]
    ring = sorted(
        (code for code in codes if code != focus), key=lambda c: (strongest.get(c, ""), c)
    )
    centre = SIZE / 2
    positions = {}
    if focus in codes:
        positions[focus] = (centre, centre)
    for index, code in enumerate(ring):
        angle = 2 * math.pi * index / max(len(ring), 1) - math.pi / 2
        positions[code] = (
            round(centre + RING * math.cos(angle), 1),
            round(centre + RING * math.sin(angle), 1),
        )
    top = max(degree.values(), default=1)
    radii = {code: round(3 + 7 * math.sqrt(degree.get(code, 0) / top), 1) for code in codes}
    return positions, radii


@embeddable
def network_view(request):
    api_request = Request(request)
    edges_kind = request.GET.get("edges", "alliances")
    allowed = OWN_PARAMETERS | (
        EXERCISE_EDGE_FILTERS if edges_kind == "exercises" else ALLIANCE_FILTERS
    )
    unknown = sorted(set(request.GET) - allowed)
    try:
        if unknown:
            raise exceptions.ValidationError(
                {name[:100]: ["Unknown parameter."] for name in unknown}
            )
        graph = read_graph(api_request)
    except exceptions.ValidationError as error:
        return render(
            request, "embeds/error.html", {"errors": error.detail, "title": "Network"}, status=400
        )
    focus = request.GET.get("country", "").upper()
    positions, radii = layout(graph, focus)
    by_weight = defaultdict(list)
    for edge in graph["edges"]:
        (x1, y1), (x2, y2) = positions[edge["source"]], positions[edge["target"]]
        by_weight[min(edge["weight"], 5)].append(f"M{x1} {y1}L{x2} {y2}")
    nodes = [
        {
            **node,
            "x": positions[node["code"]][0],
            "y": positions[node["code"]][1],
            "r": radii[node["code"]],
            "focus": node["code"] == focus,
            "anchor": "start" if positions[node["code"]][0] >= SIZE / 2 else "end",
            "dx": radii[node["code"]] + 2
            if positions[node["code"]][0] >= SIZE / 2
            else -radii[node["code"]] - 2,
        }
        for node in graph["nodes"]
    ]
    query = request.GET.urlencode()
    title = "Alliance network" if edges_kind == "alliances" else "Exercise network"
    if focus:
        title += f" of {focus}"
    if graph["year"]:
        title += f", {graph['year']}"
    context = {
        "title": title,
        "size": SIZE,
        "nodes": nodes,
        "edge_paths": [
            {"width": 0.6 + 0.5 * weight, "d": "".join(parts)}
            for weight, parts in sorted(by_weight.items())
        ],
        "edge_count": len(graph["edges"]),
        "data_url": f"{reverse('graph')}?{query}",
        "home_url": reverse("pages:home"),
        "edges_kind": edges_kind,
    }
    return render(request, "embeds/network.html", context)
