"""The exercises' and missions' GeoJSON (`?format=geojson`, milidip.api.geojson): where an
exercise was held, and where a mission's bases are (a mission has one feature per located base).
"""

from django.db.models import Q
from rest_framework.response import Response
from rest_framework.settings import api_settings

from milidip.api import geojson
from missions.models import MissionLocation

LOCATED = Q(latitude__isnull=False, longitude__isnull=False)


class GeoJSONListMixin:
    """A list viewset that also answers `format=geojson` (its `geojson_features` builds it)."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, geojson.GeoJSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        chosen = super().perform_content_negotiation(request, force)
        if chosen[0].format == geojson.FORMAT and not force:
            geojson.check_geojson_request(request, self.action)
        return chosen

    def list(self, request, *args, **kwargs):
        if not geojson.wants_geojson(request):
            return super().list(request, *args, **kwargs)
        records = self.filter_queryset(self.get_queryset()).prefetch_related(None).order_by()
        features, unlocated, updated = self.geojson_features(records, request)
        self.last_modified = updated
        return Response(geojson.collection(features, unlocated))


def exercise_features(records, request):
    """(features, unlocated count, last update) of the exercises `records`: two queries."""
    links = geojson.Links(request, "exercise-detail", "pages:exercise")
    rows = list(
        records.filter(LOCATED)
        .order_by("start", "name", "slug")
        .values_list("slug", "name", "start", "end", "latitude", "longitude", "updated")[
            : geojson.MAX_FEATURES + 1
        ]
    )
    if len(rows) > geojson.MAX_FEATURES:
        geojson.too_many(len(rows))
    unlocated = records.exclude(LOCATED).count()
    features = [
        geojson.feature(lon, lat, geojson.point_properties(links, slug, name, start, end))
        for slug, name, start, end, lat, lon, _ in rows
    ]
    return features, unlocated, max((row[6] for row in rows), default=None)


def mission_features(records, request):
    """(features, unlocated count, last update) of the missions `records`: one feature per
    located base; a mission none of whose bases is located counts as unlocated. Two queries."""
    links = geojson.Links(request, "mission-detail", "pages:mission")
    missions = records.values("pk")
    rows = list(
        MissionLocation.objects.filter(LOCATED, mission__in=missions)
        .order_by("mission__start", "mission__name", "mission__slug", "name")
        .values_list(
            "mission__slug",
            "mission__name",
            "mission__start",
            "mission__end",
            "name",
            "latitude",
            "longitude",
            "mission__updated",
        )[: geojson.MAX_FEATURES + 1]
    )
    if len(rows) > geojson.MAX_FEATURES:
        geojson.too_many(len(rows))
    unlocated = records.exclude(
        pk__in=MissionLocation.objects.filter(LOCATED).values("mission")
    ).count()
    features = [
        geojson.feature(
            lon, lat, geojson.point_properties(links, slug, name, start, end, location=place)
        )
        for slug, name, start, end, place, lat, lon, _ in rows
    ]
    return features, unlocated, max((row[7] for row in rows), default=None)
