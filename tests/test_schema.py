"""The OpenAPI schema is a contract: it builds without warnings and matches the committed file."""

from pathlib import Path

import yaml
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "milidip" / "api" / "openapi.yaml"


def test_the_schema_builds_cleanly_and_matches_the_committed_file(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), (
        "The API changed but milidip/api/openapi.yaml did not: run `make schema` and commit it."
    )


DOWNLOAD_FILES = {
    "/api/v1/downloads/{name}.{file_format}",
    "/api/v1/downloads/milidip-datapackage.zip",
}


def test_every_operation_documents_its_errors_in_the_one_error_shape():
    schema = yaml.safe_load(COMMITTED.read_text())
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue  # the probes (/health/) answer JSON of their own: tests/ops
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            for status, response in responses.items():
                # 414 comes from gunicorn, before the API: its own short HTML page.
                if status.startswith(("4", "5")) and status != "414":
                    assert response["content"]["application/json"]["schema"] == error, (
                        method,
                        path,
                        status,
                    )
            if path in DOWNLOAD_FILES:
                # Files are what they are whatever Accept says, and carry no validators.
                assert "429" in responses and not {"304", "406"} & set(responses), path
            elif method == "get":
                assert {"304", "406", "429"} <= set(responses), (method, path)
            else:
                assert {"401", "403"} <= set(responses), (method, path)


def test_list_filters_document_their_allowed_values():
    schema = yaml.safe_load(COMMITTED.read_text())
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/alliances/"]["get"]["parameters"]}
    assert parameters["kind"]["schema"]["items"]["enum"][0] == "collective-defence"
    assert parameters["page_size"]["schema"]["maximum"] == 500
    assert parameters["year_from"]["schema"]["type"] == "integer"
    assert "-name" in parameters["ordering"]["schema"]["items"]["enum"]


def operations():
    """The API's operations (the probes beside it, /health/, are tested in tests/ops)."""
    schema = yaml.safe_load(COMMITTED.read_text())
    for path, path_operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in path_operations.items():
            yield path, method, operation


def test_reads_need_no_credentials_and_writes_do():
    for path, method, operation in operations():
        if method == "get":
            assert operation["security"] == [], path
        else:
            assert {"tokenAuth": []} in operation["security"], (method, path)


def test_csv_and_html_are_described_as_text_and_every_format_is_listed():
    for path, method, operation in operations():
        for response in operation["responses"].values():
            for media_type in ("text/csv", "text/html"):
                if media_type in response.get("content", {}):
                    assert response["content"][media_type]["schema"]["type"] == "string"
        formats = [p for p in operation.get("parameters", ()) if p["name"] == "format"]
        if path == "/api/v1/graph/":
            assert formats[0]["schema"]["enum"] == ["gexf", "graphml", "json"], path
        elif method == "get" and path in ("/api/v1/exercises/", "/api/v1/missions/"):
            assert formats[0]["schema"]["enum"] == ["api", "csv", "geojson", "json"], path
        elif path == "/api/v1/oembed/":
            # oEmbed's own parameter (json, or xml answered 501), not the renderer switch.
            assert formats[0]["schema"]["enum"] == ["json", "xml"], path
        elif method == "get" and not path.startswith("/api/v1/downloads/"):
            assert formats[0]["schema"]["enum"] == ["api", "csv", "json"], path
        elif method == "get":
            assert formats == [], path  # a download's format is its file name


def test_every_documented_status_has_a_body_except_304():
    for path, method, operation in operations():
        for status, response in operation["responses"].items():
            if status not in ("204", "304"):
                assert response.get("content"), (method, path, status)


def test_query_values_are_never_empty():
    for path, _method, operation in operations():
        for parameter in operation.get("parameters", ()):
            schema = parameter["schema"]
            if parameter["in"] == "query" and schema["type"] == "string":
                assert schema["minLength"] == 1, (path, parameter["name"])
            if parameter["in"] == "query" and schema["type"] == "array":
                assert schema["minItems"] == 1, (path, parameter["name"])


def test_written_citations_are_at_least_one():
    schemas = yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]
    written = [name for name in schemas if name.endswith("InputRequest")]
    for name in written:
        if "citations" in schemas[name]["properties"]:
            assert schemas[name]["properties"]["citations"]["minItems"] == 1, name
