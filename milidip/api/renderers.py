"""CSV for every list: `?format=csv` or `Accept: text/csv`; the browsable API for signed-in users.

Each result becomes one row. Nested values are flattened: a related record becomes its
identifier (`code` or `slug`), a list of them is joined with "; ", and citations become the
slugs of the sources cited. Errors are never CSV: they stay in the JSON error shape.

Cells a spreadsheet would read as a formula (text beginning with =, +, -, @, a tab or a carriage
return) get a leading single quote, as OWASP's CSV-injection guidance advises: a description
"=HYPERLINK(...)" is exported as "'=HYPERLINK(...)". Numbers are left as they are.
"""

import csv
import io
import re

import orjson
from rest_framework import renderers
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils import encoders

IDENTIFIERS = ("code", "slug")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")  # U+2028 and U+2029 in UTF-8


def escape_formula(text):
    """Text a spreadsheet will not run: a leading ' before a formula's first character.

    A plain number ("-33.5", a coordinate exported as text) is no formula and stays as it is.
    """
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value):
    """A serialized value as a safe CSV cell (numbers unescaped: -5 is no formula)."""
    text = cell(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text
    return escape_formula(text)


def cell(value):
    """One CSV cell for a serialized value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        for key in IDENTIFIERS:
            if key in value:
                return value[key]
        if "source" in value:
            return cell(value["source"])
        if "country" in value:
            parts = [cell(value["country"])]
            parts += [
                str(value[key]) for key in ("role", "personnel") if value.get(key) is not None
            ]
            return ":".join(parts)
        return "; ".join(f"{key}={cell(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(cell(item) for item in value)
    return str(value)


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON (compact, UTF-8, U+2028 and U+2029 escaped) written by orjson, several times
    faster than the standard library on a page of records. Indented output (`Accept:
    application/json; indent=2`) is left to DRF."""

    # Dates and times go to DRF's encoder, which writes them its own way (milliseconds, Z).
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    fallback = encoders.JSONEncoder().default

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        content = orjson.dumps(data, default=self.fallback, option=self.options)
        # One pass over the body for the two separators (typographic quotes and dashes share
        # their first two bytes, so looking for those first found them on most pages).
        if SEPARATORS.search(content):
            content = content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                b"\xe2\x80\xa9", b"\\u2029"
            )
        return content


def as_json_error(data, renderer_context):
    """For a renderer of another format: an error response's body in the API's JSON error shape
    (its Content-Type set to JSON), or None when the response is no error."""
    response = renderer_context.get("response") if renderer_context else None
    if response is None or not response.exception:
        return None
    response["Content-Type"] = "application/json"
    return JSONRenderer().render(data)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        error = as_json_error(data, renderer_context)
        if error is not None:
            return error
        if data is None:
            return b""
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        if isinstance(rows, dict):
            rows = [rows]
        buffer = io.StringIO()
        view = renderer_context.get("view") if renderer_context else None
        if rows:
            columns = list(rows[0].keys())
        elif view is not None and hasattr(view, "get_serializer"):
            columns = list(view.get_serializer().fields)
        else:
            columns = []
        # RFC 4180 line ends: with them the csv module also quotes a cell holding a lone CR.
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
        return buffer.getvalue().encode(self.charset)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API (format=api, signed-in users). As in CSV, errors stay in the JSON
    error shape, and a 204 stays a 204 with no body (DRF would show a 200 page)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = renderer_context.get("response") if renderer_context else None
        if response is not None and response.status_code == 204:
            return b""
        error = as_json_error(data, renderer_context)
        if error is not None:
            return error
        return super().render(data, accepted_media_type, renderer_context)


class StrictContentNegotiation(DefaultContentNegotiation):
    """An unknown or empty `format` is a 406 that names it (DRF would answer 404 or ignore it);
    `format` given more than once is a 400."""

    def select_renderer(self, request, renderers, format_suffix=None):
        formats = request.query_params.getlist("format")
        if len(formats) > 1:
            raise ValidationError({"format": [f"Given {len(formats)} times; give it once."]})
        requested = request.query_params.get("format", None)
        if requested == "":
            raise NotAcceptable("format: give json or csv, or leave the parameter out.")
        # The browsable API (HTML) costs several times JSON to render: a 500-row page took
        # 1.1 s, and seconds under load (issue 9). It is for signed-in users and token holders.
        # (An anonymous write goes on to be refused as such: a 401, in JSON.)
        if not request.user.is_authenticated and request.method in SAFE_METHODS:
            if requested == "api":
                raise NotAcceptable(
                    "format: the browsable API (format=api) is for signed-in users; use json or "
                    "csv."
                )
            renderers = [renderer for renderer in renderers if renderer.format != "api"]
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            offered = ", ".join(renderer.format for renderer in renderers)
            raise NotAcceptable(f"format: {format!r} is not offered here; use one of {offered}.")
        return chosen
