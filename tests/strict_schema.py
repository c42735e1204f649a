"""Every /api/ response the test suite gets is checked against the committed OpenAPI schema.

A strict validator (openapi-core) reads milidip/api/openapi.yaml with additional properties
forbidden, so a response field the schema does not declare, a declared field missing where the
schema says required, a null where the schema does not allow one, a status the operation does
not document or a body in another shape fails the test that got it. `tests/conftest.py` wraps
Django's test client with it for every test, on whichever database engine the suite runs.

Requests the schema does not describe (the schema itself, the docs pages, OPTIONS, paths that
are no route) are not checked: there is nothing to check them against.
"""

import gzip
import itertools
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import brotli
import orjson
import yaml
from backports import zstd
from django.core.exceptions import TooManyFieldsSent
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIResponse
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import plain_loads
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict

SCHEMA = Path(__file__).resolve().parent.parent / "milidip" / "api" / "openapi.yaml"


# The documented operations whose responses the suite has validated, as (METHOD path template);
# `unchecked_operations` lists the others, and CI fails on any (STRICT_SCHEMA_COVERAGE=1).
VALIDATED = set()


@cache
def documented_operations():
    """Every documented operation as (METHOD, path template, a regex for its real paths),
    literal templates first, so /downloads/milidip-datapackage.zip is not taken for {name}."""
    spec = yaml.safe_load(SCHEMA.read_text())
    operations = []
    for template, methods in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
        for method in methods:
            if method in ("get", "put", "post", "patch", "delete", "head"):
                operations.append((method.upper(), template, pattern))
    return sorted(operations, key=lambda operation: "{" in operation[1])


def unchecked_operations():
    """The documented operations no validated response has reached, sorted."""
    return sorted(
        f"{method} {template}"
        for method, template, _ in documented_operations()
        if (method, template) not in VALIDATED
    )


def record_validated(method, path):
    for operation, template, pattern in documented_operations():
        if operation == method and pattern.match(path):
            VALIDATED.add((method, template))
            return


@cache
def committed_schema():
    """The committed schema, read once, its objects closed to undeclared properties."""
    spec = yaml.safe_load(SCHEMA.read_text())
    config = Config(
        additional_properties_default_policy="forbid",
        extra_media_type_deserializers={
            "text/csv": plain_loads,
            "application/jsonl": plain_loads,
            "application/geo+json": orjson.loads,
            "application/graphml+xml": plain_loads,
            "application/gexf+xml": plain_loads,
            # A download's zip: the schema types it as a binary string, which its bytes are.
            "application/zip": lambda body: body.decode("latin-1"),
        },
    )
    return OpenAPI.from_dict(spec, config=config)


@dataclass
class ClientRequest:
    """The request as openapi-core reads it: method, path, query and headers."""

    method: str
    path: str
    query: list
    headers: dict
    host_url: str = "http://testserver"
    body: bytes | None = None
    content_type: str = "application/json"
    parameters: RequestParameters = field(init=False)

    def __post_init__(self):
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(self.query), header=Headers(self.headers)
        )


def decoded(response):
    """The body as the view wrote it, whatever coding compressed it (milidip.api.compression)."""
    coding = response.get("Content-Encoding")
    if coding == "gzip":
        return gzip.decompress(response.content)
    if coding == "br":
        return brotli.decompress(response.content)
    if coding == "zstd":
        return zstd.decompress(response.content)
    return response.content


class ClientResponse(DjangoOpenAPIResponse):
    """A response as openapi-core reads it. Of a streamed body (a whole-dataset download) only
    the first chunk is read and checked, then put back: the schema gives a file's shape as a
    string, and joining it here would hold the whole file in memory (and spoil the downloads'
    memory test)."""

    @property
    def data(self):
        if not self.response.streaming:
            return decoded(self.response)
        chunks = iter(self.response.streaming_content)
        first = next(chunks, b"")
        self.response.streaming_content = itertools.chain([first], chunks)
        return first


def check_response(response):
    """Fail when a response to a documented /api/ operation does not match the schema."""
    request = response.wsgi_request
    if not request.path.startswith(("/api/", "/health/")) or request.method in ("OPTIONS",):
        return
    try:
        query = [(name, value) for name, values in request.GET.lists() for value in values]
    except TooManyFieldsSent:
        query = []  # Refused before the view (a 400); the response is checked all the same.
    openapi_request = ClientRequest(
        method=request.method.lower(),
        path=request.path,
        query=query,
        headers=dict(request.headers.items()),
    )
    try:
        committed_schema().validate_response(openapi_request, ClientResponse(response))
    except (PathNotFound, OperationNotFound):
        return
    except Exception as error:
        problems = [
            f"{problem.json_path}: {problem.message[:300]}"
            for problem in getattr(error.__cause__, "schema_errors", ())
        ] or [repr(error.__cause__ or error)]
        raise AssertionError(
            f"{request.method} {request.get_full_path()} answered {response.status_code}, which "
            f"the committed schema does not describe: {error!r}\n" + "\n".join(problems)
        ) from error
    record_validated(request.method, request.path)
