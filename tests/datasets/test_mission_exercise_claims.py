"""Claims on missions and exercises with the real files: the UN list's, IPI's and MME's rows
state names and dates as their claims; an article's claim is kept beside them through every
re-import; the shown value follows the precedence table or a curator's resolution."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from milidip.sources.claims import derive, resolve
from milidip.sources.models import Conflict, Source
from missions.models import Exercise, ExerciseCitation, Mission, MissionCitation
from tests.datasets.conftest import imported_for_the_module
from tests.factories import QUOTE_004, SourceFactory

pytestmark = pytest.mark.django_db

UN_FILE = "un_pko_missions_DPPADPOSS-PKO.csv"


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(
        django_db_blocker, "cow-states", "mme", "un-pko", "ipi", "curated-merges"
    )


def states(record, collection):
    return [
        citation.states
        for citation in record.citations.filter(source__collection=collection).order_by("pk")
        if citation.states
    ]


def cite_article(record, citation_model, **claims):
    """An article's quote on `record` stating `claims`, derived as every door does."""
    citation_model.objects.create(
        record=record, source=SourceFactory(), quote=QUOTE_004, states=claims
    )
    derive(type(record), [record.pk])
    record.refresh_from_db()


def test_a_un_missions_row_states_its_name_acronym_and_dates():
    unifil = Mission.objects.get(un_acronym="UNIFIL")
    assert states(unifil, "un") == [
        {
            "name": "United Nations Interim Force in Lebanon",
            "short_name": "UNIFIL",
            "start": "1978-03-19",
        }
    ]
    assert unifil.disputed == []
    claims = APIClient().get(f"/api/v1/missions/{unifil.slug}/").json()["claims"]
    assert claims["start"]["rule"] == "agreed"
    assert claims["start"]["claims"][0]["locator"].startswith(f"{UN_FILE}:")
    # IPI's months of a mission of the UN list are when IPI saw it, not its dates: no claim.
    assert states(unifil, "ipi") == []


def test_an_ipi_only_mission_is_dated_by_its_first_month_as_ipis_claim():
    unama = Mission.objects.get(un_acronym="UNAMA")
    assert states(unama, "ipi") == [{"short_name": "UNAMA", "start": "2002-10"}]
    assert (unama.start, unama.end, unama.end_kind) == ("2002-10", "", "censored")


def test_an_article_disagreeing_with_the_un_list_is_disputed_and_survives_reimports(
    import_dataset,
):
    unifil = Mission.objects.get(un_acronym="UNIFIL")
    cite_article(unifil, MissionCitation, start="1979")
    assert (unifil.start, unifil.disputed) == ("1978-03-19", ["start"])
    before = dict(unifil.citations.values_list("pk", "states"))
    for dataset in ("un-pko", "ipi"):
        import_dataset(dataset)
    unifil.refresh_from_db()
    assert dict(unifil.citations.values_list("pk", "states")) == before
    assert (unifil.start, unifil.disputed) == ("1978-03-19", ["start"])
    client = APIClient()
    start = client.get(f"/api/v1/missions/{unifil.slug}/").json()["claims"]["start"]
    assert [(c["collection"], c["value"]) for c in start["claims"]] == [
        ("un", "1978-03-19"),
        ("articles", "1979"),
    ]
    listed = client.get("/api/v1/missions/", {"disputed": "start", "page_size": 500}).json()
    assert [mission["slug"] for mission in listed["results"]] == [unifil.slug]
    page = client.get(f"/missions/{unifil.slug}/").content.decode()
    assert "Where the sources disagree" in page and "1979" in page


def test_a_curators_resolution_of_a_mission_survives_a_reimport(import_dataset):
    unifil = Mission.objects.get(un_acronym="UNIFIL")
    cite_article(unifil, MissionCitation, start="1979")
    resolve(
        record=unifil,
        field="start",
        value="1979",
        source=SourceFactory(),
        reason="A test: the curator's choice is kept through the UN list's import.",
        user=User.objects.create_user("curator"),
    )
    import_dataset("un-pko")
    unifil.refresh_from_db()
    assert (unifil.start, unifil.disputed) == ("1979", [])
    assert not Conflict.objects.filter(object_id=unifil.pk, field="start").exists()


def test_an_mme_exercise_states_its_name_and_dates_and_an_article_comes_first(import_dataset):
    exercise = Exercise.objects.get(mme_id="mme87")
    mme = states(exercise, "mme")
    assert mme == [{"name": exercise.name, "start": exercise.start, "end": exercise.end}]
    cite_article(exercise, ExerciseCitation, start="1979")
    assert (exercise.start, exercise.disputed) == ("1979", ["start"])
    import_dataset("mme")
    exercise.refresh_from_db()
    assert (exercise.start, exercise.disputed) == ("1979", ["start"])
    assert states(exercise, "mme") == mme
    start = APIClient().get(f"/api/v1/exercises/{exercise.slug}/").json()["claims"]["start"]
    assert [c["collection"] for c in start["claims"]] == ["articles", "mme"]


def test_an_unnamed_mme_row_states_no_name_and_a_series_states_nothing():
    unnamed = Exercise.objects.filter(name__startswith="Unnamed exercise").first()
    assert "name" not in states(unnamed, "mme")[0]
    series = Exercise.objects.get(slug="foal-eagle")
    assert states(series, "mme") == []
    assert series.disputed == []


def test_venbra_5_given_twice_by_mme_is_one_exercise_with_its_start_openly_disputed():
    """mme3156 (start 2008-08-29, its end before it) merged into mme3485 (2008-08-19 to 22):
    the record keeps a start that its end allows, and curators see the two rows' starts."""
    venbra = Exercise.objects.get(mme_id="mme3485")
    assert (venbra.start, venbra.end) == ("2008-08-19", "2008-08-22")
    assert venbra.disputed == ["start"]
    conflict = Conflict.objects.get(object_id=venbra.pk, field="start")
    assert sorted(claim["value"] for claim in conflict.claims) == ["2008-08-19", "2008-08-29"]
    assert Source.objects.get(slug="mme-v7").collection == "mme"


def test_a_full_import_of_these_datasets_leaves_only_venbra_in_conflict():
    """The figures the README gives: after mme, un-pko, ipi and the curated merges, missions
    have no open conflict (the UN list and IPI state the same missions' dates nowhere) and
    exercises one."""
    assert not Conflict.objects.filter(content_type__model="mission").exists()
    assert list(
        Conflict.objects.filter(content_type__model="exercise").values_list("rule", flat=True)
    ) == ["start"]
