"""The map embed: `/embed/map/?resource=exercises|missions&<any filter of that list>`.

The page is drawn by the browser from the list's GeoJSON (milidip.api.geojson, same origin) on
Natural Earth's countries (world-atlas' countries-110m TopoJSON, 108 KB), projected with d3-geo
and topojson-client; all three are copied from npm into static/embeds/vendor/ with their
licences, so the page asks no other host for anything (no CDN, no tile server). The points are
one SVG path, so the 1,900 US exercises draw as fast as ten; a hover or click finds the nearest
point and names or opens its record.

The filters are checked here with the list's own FilterSet, so a bad one is a 400 naming it
before any script runs, and the same records (up to FALLBACK_ROWS) are listed in a table for
readers without JavaScript.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.request import Request

from milidip.api import geojson
from milidip.api.filters import joined_parameters, list_parameters
from milidip.embeds.framing import embeddable
from milidip.records import visible_to
from missions.filters import ExerciseFilter, MissionFilter
from missions.geojson import exercise_features, mission_features
from missions.models import Exercise, Mission

FALLBACK_ROWS = 200
RESOURCES = {
    "exercises": (Exercise, ExerciseFilter, exercise_features, "exercise-list"),
    "missions": (Mission, MissionFilter, mission_features, "mission-list"),
}
SOURCES = {
    "exercises": "Multinational Military Exercises (MME) and articles",
    "missions": "UN peacekeeping and IPI Peacekeeping Database",
}


def bad_request(request, errors):
    return render(request, "embeds/error.html", {"errors": errors, "title": "Map"}, status=400)


@embeddable
def map_view(request):
    resource = request.GET.get("resource")
    if resource not in RESOURCES:
        return bad_request(request, {"resource": ["One of: exercises, missions."]})
    model, filterset_class, features_of, list_name = RESOURCES[resource]
    filters = QueryDict(mutable=True)
    filters.update(request.GET)
    filters.pop("resource")
    unknown = sorted(set(filters) - set(filterset_class.base_filters) - {"ordering"})
    if unknown:
        return bad_request(request, {name[:100]: ["Unknown filter."] for name in unknown})
    lists, _ = list_parameters(filterset_class.base_filters)
    records = visible_to(AnonymousUser(), model.objects.all())
    filterset = filterset_class(
        data=joined_parameters(filters, lists), queryset=records, request=request
    )
    if not filterset.is_valid():
        return bad_request(request, filterset.errors)
    try:
        features, unlocated, _ = features_of(filterset.qs.order_by(), Request(request))
    except exceptions.ValidationError as error:
        return bad_request(request, error.detail)
    query = filters.copy()
    query["format"] = geojson.FORMAT
    context = {
        "title": f"Map of {resource}",
        "resource": resource,
        "data_url": f"{reverse(list_name)}?{query.urlencode()}",
        "rows": features[:FALLBACK_ROWS],
        "count": len(features),
        "more": max(0, len(features) - FALLBACK_ROWS),
        "unlocated": unlocated,
        "page_url": reverse("pages:home"),
        "home_url": reverse("pages:home"),
        "sources": [SOURCES[resource], "base map: Natural Earth (public domain)"],
    }
    return render(request, "embeds/map.html", context)
