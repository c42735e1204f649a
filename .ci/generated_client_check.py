"""A short session with a Python client generated from the committed schema.

Run by .ci/generated-client as `generated_client_check.py ORIGIN`, with the generated
package `milidip_client` importable.

What it does, anonymously, as a developer would:
- every list, once plainly and once with each comma-list filter given two values. The generated
  client sends a list as the parameter repeated (`kind=a&kind=b`), whatever the schema's
  `explode: false` says; the answer must be the one the comma form (`kind=a,b`) gets;
- every list as CSV, which must come back as text with a row per result;
- a country's dossier, a mission's monthly strengths, a search, and a 404 read as the Error shape.

Every answer must parse into the generated models (which are strict about types and required
fields); anything else exits 1 naming what failed.
"""

import csv
import importlib
import io
import sys
import time
import typing
from pathlib import Path

import httpx
import yaml
from milidip_client import Client
from milidip_client.api.countries import countries_dossier_retrieve, countries_retrieve
from milidip_client.api.missions import missions_list, missions_strengths_list
from milidip_client.api.search import search_retrieve
from milidip_client.models import Dossier, Error, PaginatedStrengthList, SearchResults
from milidip_client.types import Unset

SCHEMA = Path(__file__).resolve().parent.parent / "milidip" / "api" / "openapi.yaml"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL", message)


def wait_for(origin):
    for _ in range(60):
        try:
            httpx.get(origin + "/api/v1/", timeout=5)
            return
        except httpx.TransportError:
            time.sleep(1)
    sys.exit(f"{origin} did not answer within a minute")


def list_operations():
    """(path, operation) for every documented list: GETs without a path parameter but root's."""
    schema = yaml.safe_load(SCHEMA.read_text())
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation and "{" not in path and operation["operationId"].endswith("_list"):
            yield path, operation


def generated(operation):
    return importlib.import_module(
        f"milidip_client.api.{operation['tags'][0]}.{operation['operationId']}"
    )


def item_enum(function, name):
    """The enum class of a list parameter's items, as the generator typed it."""
    hint = typing.get_type_hints(function)[name]
    list_type = next(arg for arg in typing.get_args(hint) if arg is not Unset)
    return typing.get_args(list_type)[0]


def identifiers(results):
    return [item.get("slug") or item.get("code") or item.get("month") for item in results]


def check_lists(client, raw):
    for path, operation in list_operations():
        module = generated(operation)
        response = module.sync_detailed(client=client)
        check(response.status_code == 200, f"{path}: {response.status_code}")
        check(
            type(response.parsed).__name__.startswith("Paginated"),
            f"{path}: parsed as {type(response.parsed).__name__}",
        )
        comma_lists = [
            parameter
            for parameter in operation["parameters"]
            if parameter["schema"]["type"] == "array" and parameter.get("explode") is False
        ]
        for parameter in comma_lists:
            name = parameter["name"]
            values = parameter["schema"]["items"]["enum"][:2]
            enum = item_enum(module.sync_detailed, name)
            repeated = module.sync_detailed(client=client, **{name: [enum(v) for v in values]})
            comma = raw.get(path, params={name: ",".join(values), "page_size": 50})
            check(
                repeated.status_code == comma.status_code == 200,
                f"{path}?{name}={values}: {repeated.status_code} repeated, {comma.status_code} "
                "as a comma list",
            )
            if repeated.status_code == comma.status_code == 200:
                check(
                    identifiers(repeated.parsed.to_dict()["results"])
                    == identifiers(comma.json()["results"]),
                    f"{path}: {name} repeated ({values}) is not read as {name}={','.join(values)}",
                )
        print(f"{path}: plain and {len(comma_lists)} comma-list filters")
        # openapi-python-client parses only a status's first media type (JSON), so CSV is read
        # through the client's own HTTP connection, as its README advises for other formats.
        as_csv = client.get_httpx_client().get(path, params={"format": "csv"})
        check(
            as_csv.status_code == 200
            and as_csv.headers["content-type"].startswith("text/csv")
            and len(list(csv.reader(io.StringIO(as_csv.text)))) == csv_rows(response.parsed),
            f"{path}?format=csv: {as_csv.status_code} {as_csv.headers.get('content-type')}",
        )


def csv_rows(page):
    """A header row and one row per result of the first page (50 at most)."""
    return 1 + min(page.count, 50)


def main(origin):
    wait_for(origin)
    client = Client(base_url=origin, raise_on_unexpected_status=True)
    raw = httpx.Client(base_url=origin, timeout=30)

    check_lists(client, raw)

    dossier = countries_dossier_retrieve.sync(code="KOR", client=client)
    check(isinstance(dossier, Dossier), f"dossier: {type(dossier).__name__}")
    print(f"dossier of KOR: {len(dossier.alliances)} alliances")

    missing = countries_retrieve.sync_detailed(code="ZZZ", client=client)
    check(
        missing.status_code == 404 and isinstance(missing.parsed, Error),
        f"country ZZZ: {missing.status_code} {type(missing.parsed).__name__}",
    )

    missions = missions_list.sync(client=client, page_size=500)
    months = 0
    for mission in missions.results:
        strengths = missions_strengths_list.sync(mission.slug, client=client)
        check(isinstance(strengths, PaginatedStrengthList), f"strengths of {mission.slug}")
        months += strengths.count
        if strengths.count:
            print(f"strengths of {mission.slug}: {strengths.count} months")
            break
    check(months > 0, "no mission has monthly strengths: the IPI import is missing")

    results = search_retrieve.sync(q="alliance", client=client)
    check(isinstance(results, SearchResults), f"search: {type(results).__name__}")
    print("search for 'alliance': parsed")

    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)
    print("the generated client read every answer")


if __name__ == "__main__":
    main(sys.argv[1])
