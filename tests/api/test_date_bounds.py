"""Every partial date the API shows comes with the first and last day it can mean.

`start: "199"` is followed by `start_earliest: "1990-01-01"` and `start_latest: "1999-12-31"`,
in every list, detail, nested record, the dossier, the CSV lists and the downloads, the same
from the serializers and from the read plans (milidip.api.reading). The days themselves are
worked out by milidip.dates (tests/test_dates.py).
"""

import csv
import io
import json

import pytest
import yaml
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.test import RequestFactory
from rest_framework import serializers

from alliances.serializers import AllianceDetailSerializer
from milidip import dates
from milidip.api.fields import PARTIAL_DATE_PATTERN, DayBoundField, PartialDateField
from milidip.api.reading import read_records
from milidip.api.renderers import FastJSONRenderer
from milidip.explore.dossier import DossierSerializer
from milidip.urls import router
from missions.models import ContributorMonth, MissionStrength
from missions.serializers import ContributorMonthSerializer, StrengthSerializer
from tests.api.helpers import API, ChallengeFactory, DatasetSourceFactory, cite, new_country
from tests.api.test_vocabulary import COMMITTED
from tests.factories import (
    AllianceFactory,
    ContributionFactory,
    ExerciseFactory,
    MembershipFactory,
    MissionFactory,
    ParticipantFactory,
    TreatyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated():
    """A record of each kind, with dates at every precision and some unknown."""
    country = new_country()
    alliance = AllianceFactory(start="195", end_kind="censored", coverage_end="2016")
    MembershipFactory(alliance=alliance, country=country, start="1953-06", end="1990-02")
    treaty = TreatyFactory(signed="1953-10-01", in_force="1954-11", ended="")
    treaty.parties.add(country)
    exercise = ExerciseFactory(start="199", end="2000-02")
    ParticipantFactory(exercise=exercise, country=country)
    mission = MissionFactory(start="1948-05", end="2000-02")
    mission.hosts.add(country)
    ContributionFactory(mission=mission, country=country, as_of="2011-07")
    dataset = DatasetSourceFactory(published="2016")
    MissionStrength.objects.create(
        mission=mission, month="1900-02", total=10, source=dataset, locator="row 1"
    )
    ContributorMonth.objects.create(
        country=country, month="1992-02", troops=5, source=dataset, locator="row 2"
    )
    challenge = ChallengeFactory(start="199")
    challenge.countries.add(country)
    challenge.treaties.add(treaty)
    challenge.exercises.add(exercise)
    for record in (country, alliance, treaty, exercise, mission, challenge):
        cite(record)
    return {
        "country": country,
        "alliance": alliance,
        "treaty": treaty,
        "exercise": exercise,
        "mission": mission,
        "challenge": challenge,
        "dataset": dataset,
    }


def days(item, name):
    """(date, earliest, latest) of the date `name` as `item` shows it."""
    return item[name], item[f"{name}_earliest"], item[f"{name}_latest"]


def get(client, path):
    response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_each_record_kind_shows_each_date_with_its_first_and_last_day(api, dated):
    alliance = get(api, f"alliances/{dated['alliance'].slug}/")
    assert days(alliance, "start") == ("195", "1950-01-01", "1959-12-31")
    assert days(alliance, "end") == (None, None, None)
    assert alliance["end_kind"] == "censored"
    assert days(alliance, "coverage_end") == ("2016", "2016-01-01", "2016-12-31")
    (membership,) = alliance["memberships"]
    assert days(membership, "start") == ("1953-06", "1953-06-01", "1953-06-30")
    assert days(membership, "end") == ("1990-02", "1990-02-01", "1990-02-28")
    assert days(membership, "coverage_end") == (None, None, None)

    treaty = get(api, f"treaties/{dated['treaty'].slug}/")
    assert days(treaty, "signed") == ("1953-10-01", "1953-10-01", "1953-10-01")
    assert days(treaty, "in_force") == ("1954-11", "1954-11-01", "1954-11-30")
    assert days(treaty, "ended") == (None, None, None)

    exercise = get(api, f"exercises/{dated['exercise'].slug}/")
    assert days(exercise, "start") == ("199", "1990-01-01", "1999-12-31")
    assert days(exercise, "end") == ("2000-02", "2000-02-01", "2000-02-29")

    mission = get(api, f"missions/{dated['mission'].slug}/")
    assert days(mission, "start") == ("1948-05", "1948-05-01", "1948-05-31")
    assert days(mission, "end") == ("2000-02", "2000-02-01", "2000-02-29")
    assert days(mission, "coverage_end") == (None, None, None)
    (contribution,) = mission["contributions"]
    assert days(contribution, "as_of") == ("2011-07", "2011-07-01", "2011-07-31")
    (strength,) = get(api, f"missions/{dated['mission'].slug}/strengths/")["results"]
    assert days(strength, "month") == ("1900-02", "1900-02-01", "1900-02-28")

    challenge = get(api, f"challenges/{dated['challenge'].slug}/")
    assert days(challenge, "start") == ("199", "1990-01-01", "1999-12-31")
    (treaty_ref,) = challenge["treaties"]
    assert days(treaty_ref, "signed") == ("1953-10-01", "1953-10-01", "1953-10-01")
    (exercise_ref,) = challenge["exercises"]
    assert days(exercise_ref, "start") == ("199", "1990-01-01", "1999-12-31")

    source = get(api, f"sources/{dated['dataset'].slug}/")
    assert days(source, "published") == ("2016", "2016-01-01", "2016-12-31")

    code = dated["country"].code
    (month,) = get(api, f"countries/{code}/contributions/")["results"]
    assert days(month, "month") == ("1992-02", "1992-02-01", "1992-02-29")


def test_lists_show_the_days_as_the_details_do(api, dated):
    for path, record in [("alliances", "alliance"), ("exercises", "exercise")]:
        slug = dated[record].slug
        (listed,) = [
            item for item in get(api, f"{path}/?page_size=500")["results"] if item["slug"] == slug
        ]
        detail = get(api, f"{path}/{slug}/")
        assert days(listed, "start") == days(detail, "start")
        assert listed["start_latest"] is not None


def test_the_dossier_shows_the_days_of_every_date(api, dated):
    dossier = get(api, f"countries/{dated['country'].code}/dossier/")
    (membership,) = dossier["alliances"]
    assert days(membership, "start") == ("1953-06", "1953-06-01", "1953-06-30")
    assert days(membership, "coverage_end") == (None, None, None)
    (treaty,) = dossier["treaties"]
    assert days(treaty, "signed") == ("1953-10-01", "1953-10-01", "1953-10-01")
    (participation,) = dossier["exercises"]
    assert days(participation["exercise"], "start") == ("199", "1990-01-01", "1999-12-31")
    (contribution,) = dossier["mission_contributions"]
    assert days(contribution, "as_of") == ("2011-07", "2011-07-01", "2011-07-31")
    personnel = dossier["un_personnel"]
    assert days(personnel, "first_month") == ("1992-02", "1992-02-01", "1992-02-29")
    assert days(personnel, "last_month") == ("1992-02", "1992-02-01", "1992-02-29")


def test_a_country_without_monthly_figures_has_no_days_in_its_dossier(api):
    dossier = get(api, f"countries/{new_country().code}/dossier/")
    assert days(dossier["un_personnel"], "first_month") == (None, None, None)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("alliances", "alliance"),
        ("treaties", "treaty"),
        ("exercises", "exercise"),
        ("missions", "mission"),
        ("challenges", "challenge"),
        ("sources", "dataset"),
    ],
)
def test_the_read_plan_and_the_serializer_show_the_same_days(dated, path, model):
    viewset = dict((prefix, viewset) for prefix, viewset, _ in router.registry)[path]
    queryset = viewset.queryset.filter(pk=dated[model].pk)
    request = RequestFactory().get(API)
    request.user = AnonymousUser()
    classes = [
        viewset.serializer_class,
        *([AllianceDetailSerializer] if path == "alliances" else []),
    ]
    for serializer_class in classes:
        (reference,) = serializer_class(queryset, many=True, context={"request": request}).data
        (fast,) = read_records(serializer_class, queryset, AnonymousUser(), request)
        json_bytes = FastJSONRenderer().render
        assert json_bytes(fast) == json_bytes(reference)
        assert any(key.endswith("_earliest") and value for key, value in fast.items())


def csv_table(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_csv_lists_and_downloads_have_a_column_for_each_day(api, dated):
    slug = dated["exercise"].slug
    response = api.get(f"{API}exercises/", {"format": "csv", "page_size": 500})
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    start = header.index("start")
    assert header[start : start + 3] == ["start", "start_earliest", "start_latest"]
    assert header[start + 3 : start + 6] == ["end", "end_earliest", "end_latest"]
    (row,) = [row for row in csv_table(response.content) if row["slug"] == slug]
    assert (row["start_earliest"], row["start_latest"]) == ("1990-01-01", "1999-12-31")
    assert (row["end_earliest"], row["end_latest"]) == ("2000-02-01", "2000-02-29")

    response = api.get(f"{API}downloads/alliances.csv")
    assert response.status_code == 200
    rows = csv_table(b"".join(response.streaming_content))
    (row,) = [row for row in rows if row["slug"] == dated["alliance"].slug]
    assert (row["start"], row["start_earliest"], row["start_latest"]) == (
        "195",
        "1950-01-01",
        "1959-12-31",
    )
    assert (row["end"], row["end_earliest"], row["end_latest"]) == ("", "", "")
    assert (row["coverage_end_earliest"], row["coverage_end_latest"]) == (
        "2016-01-01",
        "2016-12-31",
    )

    response = api.get(f"{API}downloads/missions.jsonl")
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    (line,) = [json.loads(line) for line in lines if f'"{dated["mission"].slug}"' in line]
    assert days(line, "end") == ("2000-02", "2000-02-01", "2000-02-29")


def response_schemas():
    """Every schema a documented response uses (components followed through $ref)."""
    schema = yaml.safe_load(COMMITTED.read_text())
    components = schema["components"]["schemas"]
    seen, found = set(), []

    def walk(node):
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/components/schemas/"):
                name = reference.rsplit("/", 1)[1]
                if name not in seen:
                    seen.add(name)
                    walk(components[name])
            found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for operations in schema["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                walk(operation.get("responses", {}))
    return found


def is_partial_date(schema):
    return schema.get("pattern") == PARTIAL_DATE_PATTERN or any(
        is_partial_date(option) for option in schema.get("oneOf", [])
    )


def test_every_partial_date_in_a_documented_response_has_its_days_documented():
    checked = 0
    for node in response_schemas():
        properties = node.get("properties", {})
        for name, schema in properties.items():
            if isinstance(schema, dict) and is_partial_date(schema):
                for bound in ("earliest", "latest"):
                    day = properties.get(f"{name}_{bound}")
                    assert day is not None, f"{name} has no {name}_{bound}"
                    assert day["format"] == "date" and "null" in day["type"]
                    assert f"`{name}`" in day["description"]
                    assert f"{name}_{bound}" in node.get("required", [])
                checked += 1
    assert checked >= 30


def output_serializers():
    """Every serializer a read answers with: the resources' lists and details, the monthly
    series and the dossier."""
    classes = {viewset.serializer_class for _, viewset, _ in router.registry}
    return classes | {
        AllianceDetailSerializer,
        StrengthSerializer,
        ContributorMonthSerializer,
        DossierSerializer,
    }


def date_fields(serializer, model, path=""):
    """(path, serializer field, model field) of each field of `serializer`, nested ones too,
    that shows a column of the model."""
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.BaseSerializer):
            meta = getattr(field, "Meta", None)
            yield from date_fields(field, getattr(meta, "model", None), f"{path}{name}.")
            continue
        source = field.source or name
        if model is None or isinstance(field, DayBoundField) or source == "*" or "." in source:
            continue
        try:
            model_field = model._meta.get_field(source)
        except FieldDoesNotExist:
            continue
        yield f"{path}{name}", field, model_field


def test_every_date_column_a_read_shows_is_shown_as_a_partial_date_with_its_days():
    """A model's partial date shown by a plain field (as `coverage_end` once was: "" for none,
    and no days) fails here."""
    shown = 0
    for serializer_class in output_serializers():
        serializer = serializer_class()
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        for path, field, model_field in date_fields(serializer, model):
            if isinstance(model_field, dates.PartialDateField):
                where = f"{serializer_class.__name__}.{path}"
                assert isinstance(field, PartialDateField), where
                siblings = set(field.parent.fields)
                assert {f"{field.field_name}_earliest", f"{field.field_name}_latest"} <= siblings, (
                    where
                )
                shown += 1
    assert shown >= 20
