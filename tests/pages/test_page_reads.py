"""What a record page reads (issue 14, point 5: a record page in under 50 ms): a group longer
than the page shows is counted once per data version, as a list's count is (a write moves the
version, and the next read counts again); a signed-in reader's counts are never kept; and where
a page's sources state no field, it reads no curator's resolution.

The shared cache is Redis (tests/pages/conftest.py), as with REDIS_URL set."""

import pytest
from django.test import Client

from alliances.models import Alliance, Country
from milidip import versions
from milidip.pages.records import DOSSIER_LIMIT, KINDS, citations_of, find_record
from milidip.records import Status
from milidip.sources.claims import disagreements, resolve
from missions.models import Exercise, ExerciseParticipant
from tests.factories import ParticipantFactory
from tests.pages.helpers import page, text

pytestmark = pytest.mark.django_db

KOR = "/countries/KOR/"
FRESH = {"HTTP_CACHE_CONTROL": "no-cache"}  # rendered, not answered from the read cache


def counts(queries):
    return [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]


def kor_exercises():
    return ExerciseParticipant.objects.filter(
        country__code="KOR", exercise__status=Status.PUBLISHED
    ).count()


@pytest.fixture
def many_exercises(page_cache, django_capture_on_commit_callbacks):
    """South Korea takes part in more exercises than its page shows (committed: a read inside a
    transaction with uncommitted writes keeps nothing under the version)."""
    with django_capture_on_commit_callbacks(execute=True):
        kor = Country.objects.get(code="KOR")
        for _ in range(DOSSIER_LIMIT + 2 - kor_exercises()):
            ParticipantFactory(country=kor)
    assert kor_exercises() > DOSSIER_LIMIT


def test_a_groups_count_is_kept_under_the_data_version(
    many_exercises, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    total = kor_exercises()
    with django_assert_max_num_queries(20) as queries:
        first = page(Client(), KOR, **FRESH)
    assert len(counts(queries)) == 1
    assert f"Showing {DOSSIER_LIMIT} of {total}." in text(first)
    # Rendered afresh under the same version: the count is the one kept, the page the same.
    with django_assert_max_num_queries(20) as queries:
        again = page(Client(), KOR, **FRESH)
    assert counts(queries) == []
    assert again.content == first.content
    # A write moves the version: the next read counts what is there now.
    with django_capture_on_commit_callbacks(execute=True):
        dropped = ExerciseParticipant.objects.filter(country__code="KOR").first().exercise
        Exercise.objects.filter(pk=dropped.pk).update(status=Status.DRAFT)
        versions.data_changed()
    with django_assert_max_num_queries(20) as queries:
        after = page(Client(), KOR, **FRESH)
    assert len(counts(queries)) == 1
    assert f"Showing {DOSSIER_LIMIT} of {total - 1}." in text(after)


def test_a_signed_in_readers_count_is_never_kept(
    many_exercises, admin_client, django_assert_max_num_queries
):
    """A curator's count includes drafts: it is counted for each of their reads, and neither
    kept for them nor given to the public."""
    Exercise.objects.filter(exercise_participants__country__code="KOR").update(status=Status.DRAFT)
    for _ in range(2):
        with django_assert_max_num_queries(30) as queries:
            html = text(page(admin_client, KOR, **FRESH))
        assert len(counts(queries)) == 1
        assert f"Showing {DOSSIER_LIMIT} of " in html


def test_a_page_whose_sources_state_no_field_reads_no_resolution(django_assert_num_queries):
    """The curators' resolutions matter only for a field some source states."""
    exercise = find_record(KINDS["exercise"], "foal-eagle", None)
    citations = citations_of(exercise, None)
    assert citations and not any(citation.states for citation in citations)
    with django_assert_num_queries(0):
        assert disagreements(exercise, citations) == []


def test_a_field_whose_sources_agree_is_listed_when_a_curator_chose_another_value(
    django_user_model,
):
    """Fields whose claims all state one value are not weighed one by one; a curator's
    resolution of such a field to another value is still shown, with the claims."""
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    citations = citations_of(alliance, None)
    stated = [c.states["defence"] for c in citations if "defence" in (c.states or {})]
    assert len(stated) > 1 and set(stated) == {True}  # two articles' passages agree
    assert "defence" not in {field.key for field in disagreements(alliance, citations)}
    resolve(
        record=alliance,
        field="defence",
        value=False,
        reason="A test: the curator reads the treaty otherwise.",
        user=django_user_model.objects.create_user("curator"),
    )
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    listed = {field.key: field for field in disagreements(alliance, citations)}
    assert listed["defence"].rule == "curator" and listed["defence"].shown is False
    assert len(listed["defence"].claims) == len(stated)
    html = text(page(Client(), "/alliances/rok-us-alliance/"))
    assert 'id="claims-defence"' in html and "Chosen by a curator" in html
