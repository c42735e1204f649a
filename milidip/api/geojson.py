"""`?format=geojson` on a list: the records that have coordinates as one RFC 7946
FeatureCollection (application/geo+json), for maps (milidip.embeds.maps) and GIS tools.

A map wants every point of a filter at once, so GeoJSON is not paged: a response holds at most
MAX_FEATURES features, and a filter matching more located records is a 400 that names the cap
(the whole exercise table, about 4,100 records, fits; narrow with `country`, `year_from` ...).
The page parameters are refused with it rather than silently ignored.

Records without coordinates cannot be placed: they are left out and counted in the foreign
member `unlocated`, so a map can say "n more not shown".

Rows are read as values (one query for the features, one for the count of unlocated), never
through the serializers: a map of 1,900 points needs none of the citations and participants a
list page reads.
"""

import orjson
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer

from milidip.api.renderers import as_json_error

MEDIA_TYPE = "application/geo+json"
FORMAT = "geojson"
MAX_FEATURES = 5000
PAGE_PARAMETERS = ("page", "page_size", "cursor")


class GeoJSONRenderer(BaseRenderer):
    """Writes the FeatureCollection a view built; errors stay in the JSON error shape."""

    media_type = MEDIA_TYPE
    format = FORMAT
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        error = as_json_error(data, renderer_context)
        if error is not None:
            return error
        if data is None:
            return b""
        return orjson.dumps(data)


def wants_geojson(request):
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == FORMAT


def check_geojson_request(request, action):
    """GeoJSON is offered on lists only, whole (not paged)."""
    if action != "list":
        raise exceptions.NotAcceptable(
            "format: geojson is offered on the exercises and missions lists only."
        )
    paged = [name for name in PAGE_PARAMETERS if name in request.query_params]
    if paged:
        raise exceptions.ValidationError(
            {
                name: [
                    f"format=geojson is not paged: it answers every located record of the filter, "
                    f"up to {MAX_FEATURES:,}; leave {name} out."
                ]
                for name in paged
            }
        )


def too_many(count):
    raise exceptions.ValidationError(
        {
            "format": [
                f"format=geojson answers at most {MAX_FEATURES:,} features and this filter "
                f"matches {count:,} located records or more; narrow it (country, year_from, "
                "year_to, kind ...)."
            ]
        }
    )


def feature(longitude, latitude, properties):
    """A Point Feature: RFC 7946 orders a position longitude first."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
        "properties": properties,
    }


def collection(features, unlocated):
    if len(features) > MAX_FEATURES:
        too_many(len(features))
    return {"type": "FeatureCollection", "features": features, "unlocated": unlocated}


class Links:
    """The record's API and page URLs by slug, reversed once (not once per feature)."""

    PLACEHOLDER = "0slug0"

    def __init__(self, request, api_name, page_name):
        self.api = request.build_absolute_uri(
            reverse(api_name, kwargs={"slug": self.PLACEHOLDER})
        ).split(self.PLACEHOLDER)
        self.page = request.build_absolute_uri(reverse(page_name, args=[self.PLACEHOLDER])).split(
            self.PLACEHOLDER
        )

    def __call__(self, slug):
        return self.api[0] + slug + self.api[1], self.page[0] + slug + self.page[1]


def point_properties(links, slug, name, start, end, **extra):
    url, html_url = links(slug)
    return {
        "slug": slug,
        "name": name,
        "start": start or None,
        "end": end or None,
        "url": url,
        "html_url": html_url,
        **extra,
    }


_DATE = {
    "type": ["string", "null"],
    "description": "ISO 8601-2 partial date (`1990`, `1990-05`, `199` for the 1990s), or null.",
}
PROPERTIES_SCHEMA = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "start": _DATE,
        "end": _DATE,
        "url": {"type": "string", "format": "uri", "description": "The record in the API."},
        "html_url": {"type": "string", "format": "uri", "description": "The record's page."},
        "location": {
            "type": "string",
            "description": "Missions only: the named base, camp or city placed.",
        },
    },
    "required": ["slug", "name", "start", "end", "url", "html_url"],
    "additionalProperties": False,
}
FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "description": (
        "RFC 7946 FeatureCollection (`format=geojson`): one Point feature per located record "
        "(per located base for missions), coordinates [longitude, latitude] in WGS 84. Not "
        f"paged: at most {MAX_FEATURES:,} features, a filter matching more is a 400; page, "
        "page_size and cursor are refused with it. Records without coordinates are left out "
        "and counted in `unlocated`."
    ),
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "maxItems": MAX_FEATURES,
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "geometry": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 2,
                                "items": {"type": "number", "minimum": -180, "maximum": 180},
                            },
                        },
                        "required": ["type", "coordinates"],
                        "additionalProperties": False,
                    },
                    "properties": PROPERTIES_SCHEMA,
                },
                "required": ["type", "geometry", "properties"],
                "additionalProperties": False,
            },
        },
        "unlocated": {
            "type": "integer",
            "minimum": 0,
            "description": "Records of the filter left out for want of coordinates.",
        },
    },
    "required": ["type", "features", "unlocated"],
    "additionalProperties": False,
}
