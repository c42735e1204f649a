"""The OpenAPI schema: every operation documents its error responses in the one error shape.

`AutoSchema` adds, per operation, every error status the API can return for it (all in the
`Error` shape from milidip.api.errors), documents the input serializer as the request body of
writes, 304 for conditional GETs, and the paging headers of every list (`Link`, `X-Total-Count`).
"""

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from milidip.api import geojson
from milidip.api.errors import ErrorSerializer
from milidip.api.parsers import MAX_JSON_DEPTH
from milidip.api.views import PendingRevisionSerializer

PAGING_HEADERS = {
    "Link": {
        "description": "RFC 8288 links to the other pages of the list: "
        '`<url>; rel="first"`, `rel="prev"`, `rel="next"` and `rel="last"` (prev and next only '
        "where such a page exists). The way to walk a CSV list, whose body has no next link.",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "How many rows the list has in all pages (the JSON's `count`).",
        "schema": {"type": "integer", "minimum": 0},
    },
}
READ_ERRORS = {
    "400": "A parameter is invalid or unknown; `errors` names it.",
    "401": "A token was sent but is unknown, expired or revoked (`detail` says which). Reads "
    "need none: leave the Authorization header out.",
    "406": "The requested format is not offered (use JSON or CSV).",
    "429": "Over the client's cost budget (README, Throttling); retry after the Retry-After "
    "header's seconds.",
}
WRITE_ERRORS = {
    "400": "The body or a parameter is invalid; `errors` names each field at fault. JSON "
    f"nested deeper than {MAX_JSON_DEPTH} levels is refused unparsed (`parse_error`), and a list "
    "over its `maxItems` names the field and the limit.",
    "401": "No valid token: writes need `Authorization: Token <key>` with a key that is "
    "neither expired nor revoked (`detail` says which).",
    "403": "The token's scope is read, or its user lacks the model permission for this write "
    "(deleting a published or retracted record, or changing its status, takes a reviewer).",
    "415": "The body must be JSON (Content-Type: application/json).",
    "406": "The requested format is not offered.",
    "413": f"The body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
    "(DATA_UPLOAD_MAX_MEMORY_SIZE); nothing is read or saved.",
    "429": "Over the token holder's cost budget; retry after the Retry-After header's seconds.",
}

TEXT_MEDIA_TYPES = {
    "text/csv": "CSV (RFC 4180): a header row, then one row per result; related records as "
    "their code or slug, lists joined with '; '.",
    "text/html": "The browsable API's page (format=api, for signed-in users).",
    "application/graphml+xml": "GraphML (format=graphml): the same nodes and edges, node ids "
    "the ISO3 codes, edge data `weight` and `shared` (slugs joined by spaces).",
    "application/gexf+xml": "GEXF 1.3 (format=gexf) for Gephi: the same nodes and edges.",
}


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # Bounded lists of rows and of related records state their limit (ListField does
        # already); see milidip.api.fields.MAX_INPUT_ITEMS.
        max_length = getattr(field, "max_length", None)
        if (
            isinstance(field, (serializers.ListSerializer, serializers.ManyRelatedField))
            and max_length is not None
            and schema.get("type") == "array"
        ):
            schema["maxItems"] = max_length
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A shape is described by the first paragraph of its own docstring, written for API
        # readers; inherited docstrings and later paragraphs are notes for developers.
        own = type(serializer).__dict__.get("__doc__")
        schema.pop("description", None)
        if own:
            schema["description"] = " ".join(own.strip().split("\n\n")[0].split())
        return schema

    def get_request_serializer(self):
        input_serializer = getattr(self.view, "input_serializer_class", None)
        if input_serializer is not None and self.method in ("POST", "PUT", "PATCH"):
            return input_serializer
        return super().get_request_serializer()

    def _is_detail(self):
        return "{" in self.path

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the record as you last read it (GET). A stale one "
                    "is a 412, a missing one a 428: no one's change is overwritten unseen.",
                )
            )
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.method in ("GET", "HEAD"):
            operation["security"] = []
        if operation is not None and getattr(self.view, "action", None) != "list":
            # GeoJSON is offered on lists only (milidip.api.geojson): elsewhere it is a 406.
            for parameter in operation.get("parameters", ()):
                if parameter["name"] == "format" and "enum" in parameter["schema"]:
                    enum = parameter["schema"]["enum"]
                    if geojson.FORMAT in enum:
                        enum.remove(geojson.FORMAT)
        return operation

    def get_auth(self):
        # Reads are open to anonymous callers: `security: []`, so that generated clients call
        # them without credentials (a token only adds drafts, for those who may see them).
        if self.method in ("GET", "HEAD"):
            return []
        return super().get_auth()

    def error_statuses(self):
        if self.method in ("GET", "HEAD"):
            errors = dict(READ_ERRORS)
            if self._is_detail() or self._is_list_view():
                errors["404"] = (
                    "No such record (or not published)."
                    if self._is_detail()
                    else "The page is past the last one."
                )
            if self._is_detail() and "dossier" not in self.path:
                errors["410"] = "The record was retracted; `detail` gives the reason."
            if self._is_detail() and "{slug}" in self.path:
                errors["301"] = (
                    "The slug is of a record merged into another (or, for an alliance, "
                    "`atop-<n>` or `cow-<n>` names the alliance with that ATOP or COW id): "
                    "`Location` is the same route for the record it now is, with the query "
                    "string kept."
                )
            return errors
        errors = dict(WRITE_ERRORS)
        if self.method in ("PUT", "PATCH", "DELETE"):
            errors["404"] = "No such record."
            errors["412"] = "If-Match does not match: someone changed the record since you read it."
            errors["428"] = "If-Match is missing: send the ETag of the record as you read it."
        if self.method == "DELETE":
            errors["409"] = "Other records still refer to this one; unlink them first."
            errors["400"] = "A parameter is invalid or unknown; `errors` names it."
            errors.pop("415")
            errors.pop("413")
        return errors

    def _get_response_for_code(self, *args, **kwargs):
        response = super()._get_response_for_code(*args, **kwargs)
        # CSV and the browsable API's HTML are text, not the JSON shape rendered otherwise.
        for media_type, description in TEXT_MEDIA_TYPES.items():
            if media_type in response.get("content", {}):
                response["content"][media_type] = {
                    "schema": {"type": "string", "description": description}
                }
        # GeoJSON (milidip.api.geojson) is a list's whole located records, on lists only.
        content = response.get("content", {})
        if geojson.MEDIA_TYPE in content:
            if getattr(self.view, "action", None) == "list" and self.method == "GET":
                content[geojson.MEDIA_TYPE] = {"schema": geojson.FEATURE_COLLECTION_SCHEMA}
            else:
                del content[geojson.MEDIA_TYPE]
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        responses["414"] = {
            "description": "The request line is over 8,190 bytes: refused by the web server "
            "(gunicorn) before the API sees it, with its own short HTML page. Query strings "
            "over 4,096 characters that reach the API are a 400 in the error shape.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
        if self.method in ("PUT", "PATCH"):
            response = self._get_response_for_code(
                PendingRevisionSerializer, "202", media_types=["application/json"]
            )
            response["description"] = (
                "Accepted for review: the record is public and the token's user may not "
                "publish it, so the change waits for a reviewer as a revision."
            )
            responses["202"] = response
        if self.method == "GET" and self._is_list_view() and "200" in responses:
            responses["200"]["headers"] = dict(PAGING_HEADERS)
        if self.method == "GET":
            responses["304"] = {
                "description": "Not modified: the ETag (If-None-Match) or Last-Modified "
                "(If-Modified-Since) still matches."
            }
        for code, description in self.error_statuses().items():
            response = self._get_response_for_code(
                ErrorSerializer, code, media_types=["application/json"], direction=direction
            )
            response["description"] = description
            if code == "301":
                response["headers"] = {
                    "Location": {
                        "description": "The URL of the record it was merged into.",
                        "schema": {"type": "string", "format": "uri"},
                    }
                }
            responses.setdefault(code, response)
        return responses


def strict_components(result, generator, request, public):
    """Postprocessing hook: the schema says what strict clients and validators need to know.

    - Every property of a response shape is required: the API always sends each one (null
      when it has no value), so generated types need no "unset" case.
    - A query parameter's value is never empty: the API refuses `?q=` with a 400, so the schema
      says minLength 1 (and minItems 1 for comma lists).
    - A written record's citations, when given, are at least one (services.check_cited).
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if "properties" in component and not name.endswith("Request"):
            component["required"] = list(component["properties"])
        citations = component.get("properties", {}).get("citations")
        if name.endswith("Request") and citations is not None:
            citations["minItems"] = 1
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                if parameter["in"] == "query":
                    never_empty(parameter["schema"])
    return result


def never_empty(schema):
    if schema.get("type") == "string":
        schema.setdefault("minLength", 1)
    elif schema.get("type") == "array":
        schema.setdefault("minItems", 1)
        never_empty(schema.get("items", {}))
