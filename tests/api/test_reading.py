"""The read path (milidip.api.reading) shows every record exactly as its serializer does.

The output serializers stay the reference; lists and details are built from `.values()` rows by
a plan compiled from them. Here both paths read every record of every resource, with the
articles' records and every dataset imported (once for the module), for an anonymous reader
and for a curator who sees drafts, with drafts placed where they must be hidden (a draft
country among an exercise's participants, a draft source among a record's citations), and the
JSON and the CSV they give must be the same bytes.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import RequestFactory

from alliances.models import Country
from milidip.api.reading import plan_for, read_records
from milidip.api.renderers import CSVRenderer, FastJSONRenderer
from milidip.records import Status
from milidip.sources.claims import derive, resolve
from milidip.sources.models import Source
from milidip.urls import router
from missions.models import Exercise, ExerciseParticipant, Mission
from tests.datasets.conftest import imported_for_the_module
from tests.factories import QUOTE_004

pytestmark = pytest.mark.django_db

SAMPLE = 300
VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry}


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(django_db_blocker, "all")


@pytest.fixture
def drafts_in_place():
    """A draft country taking part in Foal Eagle, and a draft source cited by it."""
    country = Country.objects.create(code="XDR", name="Draftland", status=Status.DRAFT)
    foal_eagle = Exercise.objects.get(slug="foal-eagle")
    ExerciseParticipant.objects.create(exercise=foal_eagle, country=country)
    source = Source.objects.create(
        slug="draft-dataset", title="A draft dataset", kind="dataset", status=Status.DRAFT
    )
    foal_eagle.citations.create(source=source, locator="row 1")
    return country, source


@pytest.fixture(params=["anonymous", "curator"])
def user(request, django_user_model):
    if request.param == "anonymous":
        return AnonymousUser()
    user = django_user_model.objects.create_user("curator", password="not-used-1234")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return django_user_model.objects.get(pk=user.pk)


def both_paths(prefix, user):
    viewset = VIEWSETS[prefix]
    queryset = viewset.queryset.all()
    if isinstance(user, AnonymousUser):
        queryset = queryset.published()
    # A sample of each resource (every record would take minutes), and the articles' records.
    sample = [*queryset.values_list("pk", flat=True)[:SAMPLE]]
    if queryset.model is not Source:
        sample += queryset.filter(citations__source__kind="article").values_list("pk", flat=True)
    queryset = queryset.filter(pk__in=sample)
    serializer_class = viewset.serializer_class
    request = RequestFactory().get("/api/v1/")
    request.user = user
    reference = serializer_class(queryset, many=True, context={"request": request}).data
    return reference, read_records(serializer_class, queryset, user, request)


@pytest.mark.parametrize("prefix", list(VIEWSETS))
def test_every_record_reads_as_its_serializer_shows_it(prefix, user, drafts_in_place):
    reference, fast = both_paths(prefix, user)
    assert len(fast) == len(reference) > 0
    json = FastJSONRenderer()
    for expected, got in zip(reference, fast, strict=True):
        assert json.render(got) == json.render(expected), expected.get("slug", expected)
    csv = CSVRenderer()
    assert csv.render({"results": fast}) == csv.render({"results": reference})


def test_drafts_are_hidden_from_anonymous_readers_and_shown_to_curators(user, drafts_in_place):
    _, fast = both_paths("exercises", user)
    foal_eagle = next(record for record in fast if record["slug"] == "foal-eagle")
    shown = isinstance(user, AnonymousUser) is False
    assert ("XDR" in {row["country"]["code"] for row in foal_eagle["participants"]}) is shown
    assert ("draft-dataset" in {c["source"]["slug"] for c in foal_eagle["citations"]}) is shown


def test_a_field_the_plan_cannot_read_fails_when_the_plan_is_compiled():
    from rest_framework import serializers

    class Unreadable(serializers.ModelSerializer):
        label = serializers.CharField(source="display_name")

        class Meta:
            model = Country
            fields = ["code", "label"]

    with pytest.raises(Exception, match="display_name"):
        plan_for(Unreadable, Country)


@pytest.mark.parametrize("prefix", ["alliances", "missions", "exercises", "countries"])
def test_a_detail_reads_with_its_claims_as_its_serializer_shows_them(prefix, user):
    """A claimed record's detail (`claims`, read from rows by ClaimsRelation) is the same bytes
    as the serializer's (from the instance), for records in dispute (VENBRA 5's start, the
    alliances' obligations, UNIFIL's start below) and not, with a curator's resolution (of
    South Korea's and of Foal Eagle's fields, the latter stated by no source) and a draft
    source's claim (shown to curators only)."""
    # No mission is in dispute after the imports: an article disagrees with the UN list here.
    unifil = Mission.objects.get(un_acronym="UNIFIL")
    unifil.citations.create(
        source=Source.objects.get(slug="us-south-korea-military-alliance"),
        quote=QUOTE_004,
        states={"start": "1979"},
    )
    draft = Source.objects.create(
        slug="draft-claims", title="A draft dataset", kind="dataset", status=Status.DRAFT
    )
    unifil.citations.create(source=draft, locator="row 2", states={"end": "2001"})
    derive(Mission, [unifil.pk])
    korea = Country.objects.get(code="KOR")
    resolve(record=korea, field="gw_code", value=732, reason="A test.", user=None)
    foal_eagle = Exercise.objects.get(slug="foal-eagle")
    resolve(record=foal_eagle, field="start", value="1961", reason="A test.", user=None)
    viewset = VIEWSETS[prefix](action="retrieve")
    serializer_class = viewset.get_serializer_class()
    assert "claims" in serializer_class().fields
    queryset = viewset.queryset.all()
    if isinstance(user, AnonymousUser):
        queryset = queryset.published()
    disputed = [pk for pk, names in queryset.values_list("pk", "disputed") if names][:20]
    resolved = [korea.pk, foal_eagle.pk, unifil.pk]
    sample = [*disputed, *resolved, *queryset.values_list("pk", flat=True)[:20]]
    queryset = queryset.filter(pk__in=sample)
    request = RequestFactory().get("/api/v1/")
    request.user = user
    reference = serializer_class(queryset, many=True, context={"request": request}).data
    fast = read_records(serializer_class, queryset, user, request)
    assert len(fast) == len(reference) > 0
    rules = {field["rule"] for record in fast for field in record["claims"].values()}
    assert "precedence" in rules or prefix == "countries"
    if prefix in ("countries", "exercises"):
        assert "curator" in rules
    if prefix == "missions":
        shown = next(record for record in fast if record["slug"] == unifil.slug)
        drafted = {claim["source"] for claim in shown["claims"].get("end", {}).get("claims", [])}
        assert ("draft-claims" in drafted) is not isinstance(user, AnonymousUser)
    json = FastJSONRenderer()
    for expected, got in zip(reference, fast, strict=True):
        assert json.render(got) == json.render(expected), expected.get("slug", expected)


def test_related_rows_are_sorted_within_their_owner_only():
    """A related model's ordering through its owner is dropped (rows are grouped by owner):
    a page's participants are no longer joined to their exercise to be sorted by its start."""
    from milidip.api.reading import within_owner

    assert within_owner(["exercise", "country"], "exercise") == ["country"]
    assert within_owner(["-alliance__start", "country", "pk"], "alliance") == ["country", "pk"]
    assert within_owner(["code"], "exercises") == ["code"]


def test_a_list_reads_participants_without_their_exercises(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/exercises/?page_size=50").status_code == 200
    participants = [q["sql"] for q in queries if 'FROM "missions_exerciseparticipant"' in q["sql"]]
    assert participants, "the list reads its participants"
    assert all('JOIN "missions_exercise" ' not in sql for sql in participants), participants
