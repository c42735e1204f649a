"""One record per real-world thing: merging moves everything to the record kept and its old slug
answers 301; splitting moves chosen rows back out; public records are merged by reviewers only;
the admin's "merge into…" and "split off…" actions go through the same service."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from alliances.models import Alliance, Country
from milidip.records import Status
from milidip.sources.claims import resolve
from milidip.sources.merges import record_merge, record_split, redirect_slug
from milidip.sources.models import MergedSlug, Resolution
from missions.models import Exercise, ExerciseCitation, Mission, MissionStrength
from tests.factories import (
    QUOTE_004,
    AllianceFactory,
    ExerciseFactory,
    MembershipFactory,
    MissionFactory,
    ParticipantFactory,
    SourceFactory,
)
from tests.sources.test_review import api_as, person

pytestmark = pytest.mark.django_db

OTHER_QUOTE = (
    "South Korea and the United States conduct joint military exercises to enhance readiness"
)


def cited_exercise(slug, **fields):
    exercise = ExerciseFactory(slug=slug, **fields)
    ExerciseCitation.objects.create(record=exercise, source=SourceFactory(), quote=QUOTE_004)
    return exercise


@pytest.fixture
def twins():
    """An exercise recorded twice: both cite the same passage and name New Zealand; the
    misspelt one also names South Korea and has an iteration."""
    kept = cited_exercise("nikiforos-test", name="Nikiforos", kind=Exercise.Kind.SERIES)
    merged = cited_exercise("nikoforos-test", name="Nikoforos", kind=Exercise.Kind.SERIES)
    ParticipantFactory(exercise=kept)
    ParticipantFactory(exercise=merged)
    ParticipantFactory(exercise=merged, country=Country.objects.get(code="KOR"))
    iteration = ExerciseFactory(
        slug="nikoforos-97-test", kind=Exercise.Kind.ITERATION, series=merged
    )
    return kept, merged, iteration


def test_a_merge_moves_rows_links_and_citations_once_and_records_the_old_slug(twins):
    kept, merged, iteration = twins
    record_merge(record=merged, into=kept, reason="MME misspells the series once")

    assert not Exercise.objects.filter(slug="nikoforos-test").exists()
    assert sorted(kept.exercise_participants.values_list("country__code", flat=True)) == [
        "KOR",
        "NZL",
    ]
    assert kept.citations.count() == 1  # the same passage is not cited twice
    iteration.refresh_from_db()
    assert iteration.series == kept
    merged_slug = MergedSlug.objects.get(old_slug="nikoforos-test")
    assert (merged_slug.model, merged_slug.into) == ("missions.exercise", "nikiforos-test")
    assert merged_slug.reason == "MME misspells the series once"
    # Both histories say so: the kept record's last entry and the merged one's deletion.
    assert "merged nikoforos-test into nikiforos-test" in (
        kept.history.first().history_change_reason
    )
    deletion = Exercise.history.filter(slug="nikoforos-test", history_type="-").get()
    assert deletion.history_change_reason.startswith("merged nikoforos-test")


def test_a_resolution_of_the_merged_record_moves_to_the_one_it_is_merged_into(twins):
    kept, merged, _ = twins
    curator = person("curator")
    resolve(record=merged, field="name", value="Nikiforos", reason="Greek.", user=curator)
    record_merge(record=merged, into=kept, reason="MME misspells the series once")

    resolution = Resolution.objects.get(field="name")
    assert (resolution.object_id, resolution.record_label) == (kept.pk, str(kept))
    assert (resolution.value, resolution.reason) == ("Nikiforos", "Greek.")
    assert resolution.history.first().history_change_reason.startswith(
        "merged nikoforos-test into nikiforos-test"
    )
    kept.refresh_from_db()
    assert kept.name == "Nikiforos"


def test_a_resolution_the_kept_record_also_has_stands_and_the_merged_ones_is_dropped(twins):
    kept, merged, _ = twins
    curator = person("curator")
    resolve(record=kept, field="name", value="Nikiforos", reason="Greek.", user=curator)
    resolve(record=merged, field="name", value="Nikoforos", reason="As MME.", user=curator)
    dropped = Resolution.objects.get(object_id=merged.pk, field="name").pk
    record_merge(record=merged, into=kept, reason="MME misspells the series once")

    assert list(Resolution.objects.values_list("object_id", "value")) == [(kept.pk, "Nikiforos")]
    deletion = Resolution.history.get(id=dropped, history_type="-")
    assert deletion.history_change_reason == (
        "dropped: nikoforos-test merged into nikiforos-test, which resolves name itself"
    )
    kept.refresh_from_db()
    assert kept.name == "Nikiforos"


def test_merged_memberships_of_one_country_from_one_day_are_one():
    kept, merged = AllianceFactory(), AllianceFactory()
    MembershipFactory(alliance=kept, role="member")
    MembershipFactory(alliance=merged, role="partner")
    record_merge(record=merged, into=kept, reason="The same partnership")
    assert list(kept.memberships.values_list("country__code", "role")) == [("NZL", "member")]


def test_a_merge_of_a_merge_leads_to_the_last_record(twins):
    kept, merged, _ = twins
    record_merge(record=merged, into=kept, reason="misspelt")
    last = cited_exercise("nikiforos-final")
    record_merge(record=kept, into=last, reason="the series again")
    assert redirect_slug(Exercise, "nikoforos-test") == "nikiforos-final"
    assert redirect_slug(Exercise, "nikiforos-test") == "nikiforos-final"
    assert redirect_slug(Exercise, "never-there") is None


def test_the_api_answers_301_from_a_merged_slug_keeping_the_query_string(twins):
    kept, merged, _ = twins
    record_merge(record=merged, into=kept, reason="misspelt")
    response = APIClient().get("/api/v1/exercises/nikoforos-test/?format=json")
    assert response.status_code == 301
    assert response["Location"] == "http://testserver/api/v1/exercises/nikiforos-test/?format=json"
    assert response.json()["code"] == "moved_permanently"
    assert APIClient().get(response["Location"]).json()["slug"] == "nikiforos-test"
    assert APIClient().get("/api/v1/exercises/never-there/").status_code == 404


def test_an_action_under_a_merged_mission_answers_301_to_the_same_action():
    kept, merged = MissionFactory(slug="unosom-test"), MissionFactory(slug="unosom-dup")
    MissionStrength.objects.create(
        mission=merged, month="1993-01", troops=10, total=10, source=SourceFactory(), locator="x:2"
    )
    record_merge(record=merged, into=kept, reason="recorded twice")
    response = APIClient().get("/api/v1/missions/unosom-dup/strengths/?page_size=5")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/missions/unosom-test/strengths/?page_size=5")
    assert kept.strengths.count() == 1


def test_atop_and_cow_slugs_lead_to_the_alliance_with_that_id():
    AllianceFactory(slug="us-japan-test", cow_id=99233, atop_id=99220)
    for slug in ("atop-99220", "cow-99233"):
        response = APIClient().get(f"/api/v1/alliances/{slug}/")
        assert response.status_code == 301, slug
        assert response["Location"].endswith("/api/v1/alliances/us-japan-test/")
    assert APIClient().get("/api/v1/alliances/atop-99221/").status_code == 404


def test_a_redirect_never_leads_an_anonymous_reader_to_a_draft():
    AllianceFactory(slug="draft-alliance", atop_id=99300, status=Status.DRAFT)
    assert APIClient().get("/api/v1/alliances/atop-99300/").status_code == 404


def test_a_split_moves_the_chosen_rows_and_ends_the_redirect(twins):
    kept, merged, _ = twins
    record_merge(record=merged, into=kept, reason="misspelt")
    korea = kept.exercise_participants.get(country__code="KOR")
    new = record_split(
        record=kept,
        slug="nikoforos-test",
        name="Nikoforos",
        reason="Not the same series after all",
        rows={"exercise_participants": [korea.pk]},
    )
    assert new.status == Status.DRAFT
    assert list(new.exercise_participants.values_list("country__code", flat=True)) == ["KOR"]
    assert not MergedSlug.objects.filter(old_slug="nikoforos-test").exists()
    assert "split nikoforos-test off nikiforos-test" in new.history.first().history_change_reason


def test_a_curator_may_not_merge_public_records_but_may_merge_drafts(twins):
    kept, merged, _ = twins
    curator = person("curator")
    with pytest.raises(PermissionDenied, match="only reviewers"):
        record_merge(record=merged, into=kept, reason="misspelt", user=curator)
    assert Exercise.objects.filter(slug="nikoforos-test").exists()
    Exercise.objects.filter(pk__in=[kept.pk, merged.pk]).update(status=Status.DRAFT)
    kept.refresh_from_db()
    merged.refresh_from_db()
    record_merge(record=merged, into=kept, reason="misspelt", user=curator)
    assert MergedSlug.objects.get(old_slug="nikoforos-test").user == curator


def test_a_reviewer_merges_in_the_admin_with_a_reason(twins):
    kept, merged, _ = twins
    client = Client()
    client.force_login(person("reviewer"))
    url = "/admin/missions/exercise/"
    form = client.post(url, {"action": "merge_into", "_selected_action": [merged.pk]})
    assert form.status_code == 200
    assert b"merge-form" in form.content
    done = client.post(
        url,
        {
            "action": "merge_into",
            "_selected_action": [merged.pk],
            "apply": "1",
            "into": kept.slug,
            "reason": "MME misspells it",
        },
        follow=True,
    )
    assert b"Merged nikoforos-test into nikiforos-test" in done.content
    assert MergedSlug.objects.get(old_slug="nikoforos-test").reason == "MME misspells it"


def test_a_curators_merge_of_public_records_in_the_admin_is_refused(twins):
    kept, merged, _ = twins
    client = Client()
    client.force_login(person("curator"))
    done = client.post(
        "/admin/missions/exercise/",
        {
            "action": "merge_into",
            "_selected_action": [merged.pk],
            "apply": "1",
            "into": kept.slug,
            "reason": "MME misspells it",
        },
        follow=True,
    )
    assert b"only reviewers" in done.content
    assert Exercise.objects.filter(slug="nikoforos-test").exists()


def test_a_reviewer_splits_off_in_the_admin():
    alliance = AllianceFactory(slug="two-in-one")
    membership = MembershipFactory(alliance=alliance)
    client = Client()
    client.force_login(person("reviewer"))
    done = client.post(
        "/admin/alliances/alliance/",
        {
            "action": "split_off",
            "_selected_action": [alliance.pk],
            "apply": "1",
            "slug": "the-other-one",
            "name": "The other one",
            "reason": "Two treaties",
            "memberships": [membership.pk],
        },
        follow=True,
    )
    assert b"Split the-other-one off two-in-one" in done.content
    assert Alliance.objects.get(slug="the-other-one").memberships.get() == membership


def test_merging_a_mission_into_its_part_is_refused_not_a_crash():
    whole = MissionFactory()
    part = MissionFactory(part_of=whole)
    with pytest.raises(Exception) as raised:
        record_merge(record=whole, into=whole, reason="same")
    assert "itself" in str(raised.value)
    record_merge(record=whole, into=part, reason="one mission after all")
    part.refresh_from_db()
    assert part.part_of is None
    assert not Mission.objects.filter(pk=whole.pk).exists()


def test_a_record_deleted_outright_takes_its_resolutions_with_it(twins):
    """Not merged but deleted: its curators' resolutions go too (each deletion in their history,
    by whom and why), and no other record's resolution is touched."""
    kept, merged, _ = twins
    reviewer = person("reviewer")
    resolve(record=kept, field="name", value="Nikiforos", reason="Greek.", user=reviewer)
    resolve(record=merged, field="name", value="Nikoforos", reason="As MME.", user=reviewer)
    gone = Resolution.objects.get(object_id=kept.pk)
    url = f"/api/v1/exercises/{kept.slug}/"
    client = api_as(reviewer)
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204

    assert list(Resolution.objects.values_list("object_id", flat=True)) == [merged.pk]
    deletion = Resolution.history.get(id=gone.pk, history_type="-")
    assert deletion.history_change_reason == f"dropped: {gone.record_label} was deleted"
    assert deletion.history_user == reviewer
