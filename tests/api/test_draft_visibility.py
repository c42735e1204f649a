"""Drafts stay hidden from anonymous callers everywhere, not only in their own list: a published
record that refers to a draft does not show it, and a filter does not accept a draft's slug."""

import pytest

from alliances.models import Alliance
from missions.models import Challenge
from tests.api.helpers import API, assert_error, idset
from tests.factories import (
    AllianceFactory,
    CountryFactory,
    ExerciseFactory,
    MembershipFactory,
    MissionFactory,
    TreatyFactory,
)

pytestmark = pytest.mark.django_db


def test_a_published_treaty_does_not_show_its_draft_alliance_to_anonymous_callers(api, curator):
    draft = AllianceFactory(slug="draft-pact", name="Unconfirmed pact", status="draft")
    treaty = TreatyFactory(slug="treaty-of-a-draft-pact", alliance=draft)
    anonymous = api.get(f"{API}treaties/{treaty.slug}/").json()
    assert anonymous["alliance"] is None
    assert "Unconfirmed pact" not in str(anonymous)
    curated = curator.get(f"{API}treaties/{treaty.slug}/").json()
    assert curated["alliance"]["slug"] == "draft-pact"


def test_a_published_challenge_does_not_list_a_draft_exercise_to_anonymous_callers(api):
    draft = ExerciseFactory(slug="draft-drill", name="Unconfirmed drill", status="draft")
    challenge = Challenge.objects.get(slug="cyber-threats")
    challenge.exercises.add(draft)
    data = api.get(f"{API}challenges/cyber-threats/").json()
    assert "draft-drill" not in {exercise["slug"] for exercise in data["exercises"]}


def test_a_published_alliance_does_not_list_a_draft_country_to_anonymous_callers(api):
    draft = CountryFactory(code="XDR", name="Unconfirmed state", status="draft")
    MembershipFactory(alliance=Alliance.objects.get(slug="nato"), country=draft, role="partner")
    data = api.get(f"{API}alliances/nato/").json()
    assert "XDR" not in {membership["country"]["code"] for membership in data["memberships"]}


def test_a_filter_treats_a_draft_slug_as_unknown_for_anonymous_callers(api, curator):
    draft = AllianceFactory(slug="draft-pact", status="draft")
    MembershipFactory(alliance=draft, country=CountryFactory(code="KOR"))
    # For an anonymous caller the draft does not exist: the same 400 as any unknown slug.
    assert_error(api.get(f"{API}countries/", {"alliance": "draft-pact"}), 400, "alliance")
    assert idset(curator.get(f"{API}countries/", {"alliance": "draft-pact"}), "code") == {"KOR"}


def test_a_filter_form_kept_for_one_reader_is_not_another_readers(api, curator):
    """A FilterSet's form is built once per kind of reader (RecordFilterSet.get_form_class):
    a curator's form, which accepts a draft's slug, never serves an anonymous caller, and the
    anonymous form never refuses a curator's draft, whichever came first."""
    draft = AllianceFactory(slug="draft-pact", status="draft")
    MembershipFactory(alliance=draft, country=CountryFactory(code="KOR"))
    for _ in range(2):
        assert idset(curator.get(f"{API}countries/", {"alliance": "draft-pact"}), "code") == {"KOR"}
        assert_error(api.get(f"{API}countries/", {"alliance": "draft-pact"}), 400, "alliance")


def test_dataset_links_to_drafts_are_hidden_from_anonymous_callers(api, curator):
    """The links the dataset imports make (a deployment's UN mission, an ATOP alliance's COW
    alliance, and back) hide a draft on either end."""
    draft_mission = MissionFactory(slug="draft-un-mission", name="Unconfirmed", status="draft")
    deployment = MissionFactory(slug="published-deployment", part_of=draft_mission)
    un_mission = MissionFactory(slug="published-un-mission")
    MissionFactory(slug="draft-deployment", part_of=un_mission, status="draft")
    draft_cow = AllianceFactory(slug="draft-cow", cow_id=9001, status="draft")
    atop = AllianceFactory(slug="published-atop", atop_id=9002, cow_alliance=draft_cow)
    cow = AllianceFactory(slug="published-cow", cow_id=9003)
    AllianceFactory(slug="draft-atop", atop_id=9004, cow_alliance=cow, status="draft")

    def read(client, path):
        response = client.get(f"{API}{path}")
        assert response.status_code == 200, response.content[:300]
        return response.json()

    assert read(api, f"missions/{deployment.slug}/")["part_of"] is None
    assert read(api, f"missions/{un_mission.slug}/")["deployments"] == []
    assert read(api, f"alliances/{atop.slug}/")["cow_alliance"] is None
    assert read(api, f"alliances/{cow.slug}/")["atop_alliances"] == []
    assert read(curator, f"missions/{deployment.slug}/")["part_of"]["slug"] == "draft-un-mission"
    assert [
        ref["slug"] for ref in read(curator, f"missions/{un_mission.slug}/")["deployments"]
    ] == ["draft-deployment"]
    assert read(curator, f"alliances/{atop.slug}/")["cow_alliance"]["slug"] == "draft-cow"
    assert [ref["slug"] for ref in read(curator, f"alliances/{cow.slug}/")["atop_alliances"]] == [
        "draft-atop"
    ]
