"""Claims on missions and exercises: the same rule as alliances' (a curator's resolution, then
the precedence table: UN, articles, IPI for missions; articles, MME for exercises), the
disagreement listed, filterable, shown on the record's page and resolvable with a reason."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from milidip.dates import EndKind
from milidip.records import Status
from milidip.sources.claims import derive, resolve
from milidip.sources.models import Conflict, Source
from missions.models import Exercise, ExerciseCitation, Mission, MissionCitation
from tests.factories import QUOTE_004, ExerciseFactory, MissionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def dataset(collection):
    return Source.objects.get_or_create(
        slug=f"test-{collection}",
        defaults={
            "title": f"Test {collection}",
            "kind": Source.Kind.DATASET,
            "collection": collection,
            "status": Status.PUBLISHED,
        },
    )[0]


def values(field):
    return [(claim["collection"], claim["value"]) for claim in field["claims"]]


@pytest.fixture
def unifil():
    """A UN mission whose row and an article disagree on its start (and agree on its name)."""
    mission = MissionFactory(name="UNIFIL", short_name="UNIFIL", start="1978")
    MissionCitation.objects.create(
        record=mission,
        source=SourceFactory(),
        quote=QUOTE_004,
        states={"start": "1979", "name": "United Nations Interim Force in Lebanon"},
    )
    MissionCitation.objects.create(
        record=mission,
        source=dataset("un"),
        locator="un.csv:12",
        states={
            "name": "United Nations Interim Force in Lebanon",
            "short_name": "UNIFIL",
            "start": "1978-03-19",
        },
    )
    derive(Mission, [mission.pk])
    mission.refresh_from_db()
    return mission


@pytest.fixture
def drill():
    """An exercise MME dates a day and an article a year, a different year."""
    exercise = ExerciseFactory(name="Drill", start="2001")
    ExerciseCitation.objects.create(
        record=exercise, source=dataset("mme"), locator="mme.csv:7", states={"start": "2001-05-02"}
    )
    ExerciseCitation.objects.create(
        record=exercise, source=SourceFactory(), quote=QUOTE_004, states={"start": "2002"}
    )
    derive(Exercise, [exercise.pk])
    exercise.refresh_from_db()
    return exercise


def test_a_mission_shows_the_un_lists_start_over_an_articles_and_lists_the_disagreement(unifil):
    assert (unifil.start, unifil.name) == ("1978-03-19", "United Nations Interim Force in Lebanon")
    assert unifil.disputed == ["start"]
    conflict = Conflict.objects.get(object_id=unifil.pk, content_type__model="mission")
    assert (conflict.field, conflict.shown) == ("start", "1978-03-19")


def test_a_missions_detail_shows_both_claims_and_its_list_filters_by_disputed(unifil):
    MissionFactory(slug="calm", name="Calm")
    client = APIClient()
    body = client.get(f"/api/v1/missions/{unifil.slug}/").json()
    assert body["disputed"] == ["start"]
    assert body["claims"]["start"]["shown"] == "1978-03-19"
    assert body["claims"]["start"]["rule"] == "precedence"
    assert values(body["claims"]["start"]) == [("un", "1978-03-19"), ("articles", "1979")]
    assert body["claims"]["start"]["claims"][0]["locator"] == "un.csv:12"
    assert body["claims"]["start"]["claims"][1]["quote"] == QUOTE_004
    assert body["claims"]["name"]["rule"] == "agreed"
    listed = client.get("/api/v1/missions/", {"disputed": "start"}).json()
    assert [mission["slug"] for mission in listed["results"]] == [unifil.slug]
    assert listed["results"][0]["disputed"] == ["start"]
    assert "claims" not in listed["results"][0]
    assert client.get("/api/v1/missions/", {"disputed": "name"}).json()["count"] == 0


def test_a_missions_page_shows_where_its_sources_disagree(unifil):
    html = Client().get(f"/missions/{unifil.slug}/").content.decode()
    section = html[html.index('id="disagreements-h"') : html.index('id="citations-h"')]
    assert 'id="claims-start"' in section
    assert "un.csv:12" in section and "1979" in section and "1978-03-19" in section
    assert "Disputed: chosen by precedence." in section
    assert "mandating organisation" in section  # the rule's reason
    assert 'id="claims-name"' not in section


def test_a_curators_resolution_of_a_missions_start_wins_over_the_un_list(unifil):
    curator = User.objects.create_user("curator")
    resolve(
        record=unifil,
        field="start",
        value="1979",
        source=SourceFactory(),
        reason="A test of the rule: the curator's choice comes first.",
        user=curator,
    )
    MissionCitation.objects.create(
        record=unifil, source=dataset("un"), locator="un.csv:13", states={"start": "1978"}
    )
    derive(Mission, [unifil.pk])
    unifil.refresh_from_db()
    assert (unifil.start, unifil.disputed) == ("1979", [])
    body = APIClient().get(f"/api/v1/missions/{unifil.slug}/").json()
    assert (body["claims"]["start"]["shown"], body["claims"]["start"]["rule"]) == (
        "1979",
        "curator",
    )
    assert len(body["claims"]["start"]["claims"]) == 3
    assert not Conflict.objects.filter(object_id=unifil.pk, field="start").exists()
    html = Client().get(f"/missions/{unifil.slug}/").content.decode()
    assert "Chosen by a curator" in html


def test_a_claimed_end_ends_the_mission_and_says_how(unifil):
    """What the model derives from a claimed value (an end: the mission has ended, at that
    date) is written with it."""
    assert not unifil.ended
    MissionCitation.objects.create(
        record=unifil, source=dataset("un"), locator="un.csv:14", states={"end": "2006-08"}
    )
    derive(Mission, [unifil.pk])
    unifil.refresh_from_db()
    assert (unifil.end, unifil.ended, unifil.end_kind) == ("2006-08", True, EndKind.ENDED)
    assert unifil.history.first().end_kind == EndKind.ENDED


def test_an_exercise_shows_the_articles_year_over_mmes_day_and_the_disagreement(drill):
    assert (drill.start, drill.disputed) == ("2002", ["start"])
    client = APIClient()
    body = client.get(f"/api/v1/exercises/{drill.slug}/").json()
    assert body["disputed"] == ["start"]
    assert values(body["claims"]["start"]) == [("articles", "2002"), ("mme", "2001-05-02")]
    listed = client.get("/api/v1/exercises/", {"disputed": "start"}).json()["results"]
    assert [exercise["slug"] for exercise in listed] == [drill.slug]
    html = Client().get(f"/exercises/{drill.slug}/").content.decode()
    section = html[html.index('id="disagreements-h"') : html.index('id="citations-h"')]
    assert "mme.csv:7" in section and "2001-05-02" in section


def test_a_curators_resolution_of_an_exercise_wins(drill):
    resolve(
        record=drill,
        field="start",
        value="2001-05-02",
        reason="MME's day is the press report's; the article's year is a slip.",
        user=User.objects.create_user("curator"),
    )
    drill.refresh_from_db()
    assert (drill.start, drill.disputed) == ("2001-05-02", [])
    listed = APIClient().get("/api/v1/exercises/", {"disputed": "start"}).json()
    assert listed["count"] == 0


def test_a_value_that_would_not_validate_is_not_shown_and_the_field_stays_disputed():
    """Two MME rows of one exercise: the first's start falls after the second's end. The
    record keeps the start it has (it would end before it starts) and the field is disputed,
    its shown value the one the record holds."""
    exercise = ExerciseFactory(name="VENBRA 5", start="2008-08-19", end="2008-08-22")
    for locator, states in (
        ("mme.csv:1", {"start": "2008-08-29"}),
        ("mme.csv:2", {"start": "2008-08-19", "end": "2008-08-22"}),
    ):
        ExerciseCitation.objects.create(
            record=exercise, source=dataset("mme"), locator=locator, states=states
        )
    derive(Exercise, [exercise.pk])
    exercise.refresh_from_db()
    assert (exercise.start, exercise.end, exercise.disputed) == (
        "2008-08-19",
        "2008-08-22",
        ["start"],
    )
    start = APIClient().get(f"/api/v1/exercises/{exercise.slug}/").json()["claims"]["start"]
    assert (start["shown"], start["rule"]) == ("2008-08-19", "precedence")
    conflict = Conflict.objects.get(object_id=exercise.pk, content_type__model="exercise")
    assert conflict.shown == "2008-08-19"


@pytest.mark.parametrize(("path", "claimed"), [("missions", "short_name"), ("exercises", "name")])
def test_an_unknown_disputed_field_is_a_400_naming_it_and_the_claimed_ones(path, claimed):
    response = APIClient().get(f"/api/v1/{path}/", {"disputed": "colour"})
    assert response.status_code == 400
    message = str(response.json()["errors"]["disputed"])
    assert "'colour' is not a claimed field" in message
    assert claimed in message and "members/" not in message


def test_a_mission_citation_may_state_only_its_claimed_fields():
    from django.core.exceptions import ValidationError

    citation = MissionCitation(
        record=MissionFactory(),
        source=dataset("un"),
        locator="un.csv:1",
        states={"hosts": "LBN", "defence": True},
    )
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    message = str(error.value)
    assert "'hosts' is not a field a source can state for a mission" in message
    assert "'defence' is not a field" in message


def test_the_admins_open_conflicts_list_missions_and_exercises(unifil, drill, admin_client):
    page = admin_client.get("/admin/sources/conflict/").content.decode()
    assert "UNIFIL" in page and "Drill" in page
    conflict = Conflict.objects.get(object_id=drill.pk, content_type__model="exercise")
    form = admin_client.get(f"/admin/sources/resolution/add/?conflict={conflict.pk}")
    assert form.status_code == 200
    assert "mme.csv:7" in form.content.decode()


def test_the_page_of_an_exercise_whose_start_would_not_validate_shows_the_start_it_holds():
    exercise = ExerciseFactory(name="VENBRA 5", start="2008-08-19", end="2008-08-22")
    for locator, states in (
        ("mme.csv:1", {"start": "2008-08-29"}),
        ("mme.csv:2", {"start": "2008-08-19", "end": "2008-08-22"}),
    ):
        ExerciseCitation.objects.create(
            record=exercise, source=dataset("mme"), locator=locator, states=states
        )
    derive(Exercise, [exercise.pk])
    html = Client().get(f"/exercises/{exercise.slug}/").content.decode()
    section = html[html.index('id="disagreements-h"') : html.index('id="citations-h"')]
    assert "start: shown as <strong>2008-08-19</strong>" in section
    assert "mme.csv:1" in section and "2008-08-29" in section
