"""Claims: each source's value kept, the shown one chosen by one rule (a curator's resolution,
then the precedence table), disagreements listed, filterable and resolvable with a reason."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from alliances.models import Alliance, AllianceCitation
from milidip.records import Status
from milidip.sources.claims import derive, resolve
from milidip.sources.models import Conflict, Resolution, Source
from milidip.sources.provenance import provenance_problems
from milidip.tokens.models import ApiToken
from milidip.tokens.services import token_issue
from tests.factories import QUOTE_004, AllianceFactory, CountryFactory, MembershipFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/alliances/"


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


def state(alliance, collection, locator, **states):
    """A citation of a test dataset of `collection` stating `states` (keys with / as __)."""
    states = {key.replace("__", "/"): value for key, value in states.items()}
    return AllianceCitation.objects.create(
        record=alliance, source=dataset(collection), locator=locator, states=states
    )


@pytest.fixture
def pact():
    """A pact COW codes without non-aggression and ATOP with it; South Korea a member."""
    alliance = AllianceFactory(start="1953")
    MembershipFactory(alliance=alliance, country=CountryFactory(code="KOR"), start="1953")
    state(alliance, "cow", "cow.csv:1", defence=True, non_aggression=False, start="1953-10-01")
    state(alliance, "cow", "cow.csv:2", members__KOR__defence=False)
    state(alliance, "atop", "atop.csv:267", defence=True, non_aggression=True, start="1953-10-01")
    state(alliance, "atop", "atop-member.csv:922", members__KOR__defence=True)
    derive(Alliance, [alliance.pk])
    alliance.refresh_from_db()
    return alliance


def test_the_first_claim_by_precedence_is_shown_and_the_disagreement_listed(pact):
    korea = pact.memberships.get()
    assert (pact.non_aggression, pact.defence, korea.defence) == (True, True, True)
    assert pact.disputed == ["members/KOR/defence", "non_aggression"]
    conflicts = Conflict.objects.filter(object_id=pact.pk).order_by("field")
    assert [(c.field, c.rule, c.shown) for c in conflicts] == [
        ("members/KOR/defence", "members.defence", True),
        ("non_aggression", "non_aggression", True),
    ]
    assert [(claim["collection"], claim["value"]) for claim in conflicts[1].claims] == [
        ("atop", True),
        ("cow", False),
    ]


def test_a_finer_date_that_agrees_refines_the_shown_one_and_is_no_conflict(pact):
    assert pact.start == "1953-10-01"
    assert "start" not in pact.disputed


def test_the_detail_shows_each_claim_with_its_row_and_the_rule(pact):
    body = APIClient().get(f"{API}{pact.slug}/").json()
    assert body["disputed"] == ["members/KOR/defence", "non_aggression"]
    assert body["claims"]["non_aggression"] == {
        "shown": True,
        "rule": "precedence",
        "claims": [
            {"source": "test-atop", "collection": "atop", "locator": "atop.csv:267", "value": True},
            {"source": "test-cow", "collection": "cow", "locator": "cow.csv:1", "value": False},
        ],
    }
    assert body["claims"]["defence"]["rule"] == "agreed"
    assert body["claims"]["members/KOR/defence"]["claims"][1]["value"] is False
    assert body["memberships"][0]["obligations"]["defence"] is True


def test_lists_show_disputed_and_filter_by_field_any_member_or_one_member(pact):
    calm = AllianceFactory()
    state(calm, "atop", "atop.csv:1", defence=True)
    derive(Alliance, [calm.pk])
    client = APIClient()
    listed = client.get(API, {"disputed": "non_aggression"}).json()["results"]
    assert [alliance["slug"] for alliance in listed] == [pact.slug]
    assert listed[0]["disputed"] == ["members/KOR/defence", "non_aggression"]
    for name in ("members.defence", "members/KOR/defence"):
        slugs = [a["slug"] for a in client.get(API, {"disputed": name}).json()["results"]]
        assert slugs == [pact.slug], name
    assert client.get(API, {"disputed": "defence"}).json()["count"] == 0


def test_an_unknown_disputed_field_is_a_400_naming_it():
    response = APIClient().get(API, {"disputed": "colour"})
    assert response.status_code == 400
    assert "disputed" in response.json()["errors"]
    assert "'colour' is not a claimed field" in str(response.json()["errors"]["disputed"])


def test_a_curators_resolution_wins_and_survives_a_new_claim(pact):
    curator = User.objects.create_user("curator")
    resolve(
        record=pact,
        field="non_aggression",
        value=False,
        source=dataset("cow"),
        reason="The 1953 treaty has no non-aggression article; ATOP's coding is disputed.",
        user=curator,
    )
    state(pact, "atop", "atop.csv:999", non_aggression=True)
    derive(Alliance, [pact.pk])
    pact.refresh_from_db()
    assert pact.non_aggression is False
    assert pact.disputed == ["members/KOR/defence"]
    body = APIClient().get(f"{API}{pact.slug}/").json()
    assert body["claims"]["non_aggression"]["rule"] == "curator"
    resolution = Resolution.objects.get(field="non_aggression")
    assert resolution.history.get().history_user == curator


def test_a_resolution_needs_a_reason_and_a_value_the_field_can_take(pact):
    with pytest.raises(ValidationError) as error:
        resolve(record=pact, field="defence", value=False, reason="  ", user=None)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        resolve(record=pact, field="start", value="1953-13", reason="A typo.", user=None)
    assert "value" in error.value.message_dict


def test_a_citation_may_state_only_claimable_fields():
    alliance = AllianceFactory()
    citation = AllianceCitation(
        record=alliance,
        source=dataset("atop"),
        locator="atop.csv:1",
        states={"colour": "red", "members/defence": True, "defence": [1]},
    )
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    problems = " ".join(error.value.message_dict["states"])
    assert "'colour' is not a field a source can state for a alliance" in problems
    assert "'members/defence'" in problems
    assert "'defence': state a string, a boolean or a number" in problems


def test_the_curated_rok_us_alliance_states_what_its_quotes_support():
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    stated = {}
    for citation in alliance.citations.all():
        for key in citation.states:
            stated.setdefault(key, []).append(citation.quote)
    assert set(stated) >= {"start", "defence", "consultation", "members/KOR/defence"}
    assert all("mutual defense" in quote for quote in stated["members/KOR/defence"])
    assert alliance.memberships.get(country__code="KOR").defence is True


def writer(*permissions):
    user = User.objects.create_user(f"writer-{len(permissions)}")
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    client = APIClient()
    _, key = token_issue(user=user, name="test", scope=ApiToken.Scope.WRITE)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_api_write_is_derived_too_and_cannot_silently_contradict_the_claims(pact):
    client = writer("change_alliance", "publish_alliance")
    url = f"{API}{pact.slug}/"
    response = client.patch(
        url, {"non_aggression": False}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert response.status_code == 400
    assert "Its sources' claims decide this field" in str(response.json()["errors"])
    pact.refresh_from_db()
    assert pact.non_aggression is True

    # A write that cites a source stating the value adds a claim; the rule still decides.
    response = client.patch(
        url,
        {
            "citations": [
                {
                    "source": "us-south-korea-military-alliance",
                    "quote": QUOTE_004,
                    "states": {"offence": False},
                }
            ]
        },
        format="json",
        HTTP_IF_MATCH=client.get(url)["ETag"],
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["obligations"]["offence"] is False
    assert body["claims"]["offence"]["claims"][0]["quote"] == QUOTE_004
    # The datasets' citations were replaced by the write: their claims went with them.
    assert body["disputed"] == []


def test_admin_lists_open_conflicts_and_resolves_one_with_a_reason(pact, admin_client):
    page = admin_client.get("/admin/sources/conflict/", {"field": "non_aggression"})
    content = page.content.decode()
    assert page.status_code == 200
    assert pact.name in content and "test-atop" in content and "cow.csv:1" in content
    conflict = Conflict.objects.get(object_id=pact.pk, field="non_aggression")
    add = f"/admin/sources/resolution/add/?conflict={conflict.pk}"
    form = admin_client.get(add)
    assert "atop.csv:267" in form.content.decode()
    data = {
        "content_type": conflict.content_type_id,
        "object_id": pact.pk,
        "field": "non_aggression",
        "claim": "1",
        "typed_value": "",
        "reason": "",
    }
    refused = admin_client.post(add, data)
    assert refused.status_code == 200
    assert not Resolution.objects.exists()
    data["reason"] = "COW codes the alliance type only."
    assert admin_client.post(add, data).status_code == 302
    pact.refresh_from_db()
    assert pact.non_aggression is False
    assert not Conflict.objects.filter(object_id=pact.pk, field="non_aggression").exists()


def test_check_provenance_reports_a_stated_field_that_does_not_exist():
    cited = Alliance.objects.get(slug="rok-us-alliance").citations.all()
    citation = next(citation for citation in cited if citation.states)
    AllianceCitation.objects.filter(pk=citation.pk).update(states={"members/KOR/colour": True})
    problems = list(provenance_problems())
    assert len(problems) == 1
    assert problems[0].startswith("alliances.alliance rok-us-alliance: citation of ")
    assert "'members/KOR/colour' is not a field a source can state" in problems[0]


def test_the_record_page_shows_each_disagreement_with_its_evidence_and_hides_draft_sources(pact):
    """A reader of the alliance's page sees which fields the sources dispute, the value shown and
    why, and each source's value with its row; a draft source's claim is not shown to them."""
    from django.test import Client

    draft = dataset("articles")
    draft.status = Status.DRAFT
    draft.save()
    AllianceCitation.objects.create(
        record=pact, source=draft, quote=QUOTE_004, states={"defence": False}
    )
    derive(Alliance, [pact.pk])
    page = Client().get(f"/alliances/{pact.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Where the sources disagree" in html
    section = html[html.index('id="disagreements-h"') : html.index('id="citations-h"')]
    # Non-aggression: ATOP's yes shown by precedence over COW's no, each with its row.
    assert 'id="claims-non_aggression"' in section
    assert "atop.csv:267" in section and "cow.csv:1" in section
    assert "Disputed: chosen by precedence." in section
    assert 'id="claims-memberskordefence"' in section
    assert "defence (KOR&#x27;s membership)" in section
    # The draft article's "no" for the pact's defence is hidden: no disagreement shows there.
    assert 'id="claims-defence"' not in section and "Test articles" not in html
    # A curator's resolution is shown as the curator's choice, still with both claims.
    resolve(
        record=pact,
        field="non_aggression",
        value=False,
        source=dataset("cow"),
        reason="The 1953 treaty has no non-aggression article.",
        user=User.objects.create_user("curator"),
    )
    section = Client().get(f"/alliances/{pact.slug}/").content.decode()
    assert "Chosen by a curator" in section and "atop.csv:267" in section
