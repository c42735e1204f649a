"""Shared helpers for the API tests: the resources, record makers and response readers."""

import csv
import io
import itertools
from dataclasses import dataclass, field

import factory
from django.db import connection

from alliances.models import Alliance, Country, Treaty
from milidip.records import Status
from milidip.sources.models import Source
from missions.models import Challenge, Exercise, Mission
from tests.factories import (
    QUOTE_004,
    AllianceFactory,
    CountryFactory,
    ExerciseFactory,
    MissionFactory,
    SourceFactory,
    TreatyFactory,
)

API = "/api/v1/"
ERROR_KEYS = {"status", "code", "detail", "errors"}
PAGE_KEYS = ["count", "count_estimated", "next", "previous", "results"]
ON_POSTGRESQL = connection.vendor == "postgresql"


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    slug = factory.Sequence(lambda n: f"test-challenge-{n}")
    name = factory.Sequence(lambda n: f"Test Challenge {n}")
    category = Challenge.Category.CYBER
    status = Status.PUBLISHED


class DatasetSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"test-dataset-{n}")
    title = factory.Sequence(lambda n: f"Test Dataset {n}")
    kind = Source.Kind.DATASET
    collection = Source.Collection.MME
    status = Status.PUBLISHED


_country_codes = itertools.cycle(
    "X" + "".join(pair) for pair in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWYZ", repeat=2)
)


def new_country(**kwargs):
    """A country with a fresh user-assigned code (XAA, XAB, ...)."""
    code = next(_country_codes)
    while Country.objects.filter(code=code).exists():
        code = next(_country_codes)
    kwargs.setdefault("name", f"Testland {code}")
    return CountryFactory(code=code, **kwargs)


@dataclass
class Resource:
    name: str
    model: type
    key: str  # the identifier in URLs and results: "code" or "slug"
    make: object  # makes a published record (keyword arguments override fields)
    title_field: str = "name"
    orderings: tuple = ()
    date_field: str | None = None  # the main date, for year_from / year_to
    filters: set = field(default_factory=set)

    @property
    def url(self):
        return f"{API}{self.name}/"

    def detail_url(self, identifier):
        return f"{self.url}{identifier}/"

    def ident(self, record):
        return getattr(record, self.key)


RESOURCES = {
    "countries": Resource(
        "countries",
        Country,
        "code",
        new_country,
        orderings=("name", "code", "updated"),
    ),
    "alliances": Resource(
        "alliances",
        Alliance,
        "slug",
        AllianceFactory,
        orderings=("name", "start", "updated"),
        date_field="start",
    ),
    "treaties": Resource(
        "treaties",
        Treaty,
        "slug",
        TreatyFactory,
        orderings=("name", "signed", "in_force", "updated"),
        date_field="signed",
    ),
    "exercises": Resource(
        "exercises",
        Exercise,
        "slug",
        ExerciseFactory,
        orderings=("name", "start", "updated"),
        date_field="start",
    ),
    "missions": Resource(
        "missions",
        Mission,
        "slug",
        MissionFactory,
        orderings=("name", "start", "updated"),
        date_field="start",
    ),
    "challenges": Resource(
        "challenges",
        Challenge,
        "slug",
        ChallengeFactory,
        orderings=("name", "start", "updated"),
        date_field="start",
    ),
    "sources": Resource(
        "sources",
        Source,
        "slug",
        DatasetSourceFactory,
        title_field="title",
        orderings=("title", "published", "updated"),
    ),
}
ALL = list(RESOURCES)
DATED = [name for name, resource in RESOURCES.items() if resource.date_field]
WITH_COUNTRY = ["alliances", "treaties", "exercises", "missions", "challenges"]
WITH_KIND = ["alliances", "treaties", "exercises", "missions", "challenges", "sources"]
WITH_SOURCE = ["countries", "alliances", "treaties", "exercises", "missions", "challenges"]

# A real record of each resource, from the fixtures.
KNOWN = {
    "countries": "KOR",
    "alliances": "nato",
    "treaties": "rok-us-mutual-defense-treaty",
    "exercises": "foal-eagle",
    "missions": "us-military-presence-south-korea",
    "challenges": "cyber-threats",
    "sources": "us-south-korea-military-alliance",
}


def article():
    return SourceFactory()


def cite(record, source=None):
    """Give a record a citation of article 004 (the quote is verbatim in it)."""
    source = source or article()
    citation_model = type(record).citations.rel.related_model
    return citation_model.objects.create(record=record, source=source, quote=QUOTE_004)


# Response readers


def ids(response, key="slug"):
    """The identifiers of a list response's results, in order."""
    assert response.status_code == 200, (response.status_code, str(body(response))[:500])
    return [item[key] for item in response.json()["results"]]


def idset(response, key="slug"):
    return set(ids(response, key))


def body(response):
    try:
        return response.json()
    except Exception:
        return response.content[:500]


def assert_error(response, status, *names):
    """The response is the API's JSON error shape with `status`, naming each of `names`."""
    assert response.status_code == status, (response.status_code, str(body(response))[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    data = response.json()
    assert set(data) == ERROR_KEYS, data
    assert data["status"] == status
    assert isinstance(data["code"], str) and data["code"]
    assert isinstance(data["detail"], str) and data["detail"]
    assert isinstance(data["errors"], dict)
    for name in names:
        assert name in data["errors"], (name, data)
        assert name in data["detail"], (name, data["detail"])
    return data


def csv_rows(response):
    text = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def in_year_range(value, year_from=None, year_to=None):
    """Reference semantics of year_from / year_to on a partial date (a decade spans 10 years)."""
    if not value:
        return False
    year = value.split("-")[0]
    low, high = (int(year) * 10, int(year) * 10 + 9) if len(year) == 3 else (int(year),) * 2
    return (year_from is None or high >= year_from) and (year_to is None or low <= year_to)
