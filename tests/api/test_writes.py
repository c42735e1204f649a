"""Writes: a token and the model permission are required, and the admin's rules apply."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from rest_framework.test import APIClient

from alliances.models import Alliance, Country, Treaty
from milidip.records import Status
from milidip.tokens.models import ApiToken
from milidip.tokens.services import token_issue
from missions.models import Challenge, Exercise, Mission
from tests.factories import QUOTE_004

pytestmark = pytest.mark.django_db

ARTICLE = "us-south-korea-military-alliance"

DETAIL_URLS = {
    "countries": ("/api/v1/countries/KOR/", Country, {"code": "KOR"}),
    "alliances": ("/api/v1/alliances/nato/", Alliance, {"slug": "nato"}),
    "treaties": (
        "/api/v1/treaties/rok-us-mutual-defense-treaty/",
        Treaty,
        {"slug": "rok-us-mutual-defense-treaty"},
    ),
    "exercises": ("/api/v1/exercises/foal-eagle/", Exercise, {"slug": "foal-eagle"}),
    "missions": (
        "/api/v1/missions/rok-peacekeeping-lebanon/",
        Mission,
        {"slug": "rok-peacekeeping-lebanon"},
    ),
    "challenges": ("/api/v1/challenges/cyber-threats/", Challenge, {"slug": "cyber-threats"}),
}


def snapshot(model, lookup):
    record = model.objects.get(**lookup)
    return (record.name, record.updated, model.objects.count())


def if_match(client, url):
    """The If-Match header for a write: the ETag of the record as this client reads it."""
    return {"HTTP_IF_MATCH": client.get(url)["ETag"]}


def curator(*permissions):
    user = User.objects.create_user("curator", password=None)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = APIClient()
    _, key = token_issue(user=user, name="test", scope=ApiToken.Scope.WRITE)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("resource", sorted(DETAIL_URLS))
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_anonymous_detail_writes_are_401_and_change_nothing(resource, method):
    url, model, lookup = DETAIL_URLS[resource]
    before = snapshot(model, lookup)
    response = getattr(APIClient(), method)(url, {"name": "Vandalised"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")
    assert snapshot(model, lookup) == before


@pytest.mark.parametrize("resource", [*sorted(DETAIL_URLS), "sources"])
def test_anonymous_create_is_401_and_creates_nothing(resource):
    before = {model: model.objects.count() for _, model, _ in DETAIL_URLS.values()}
    response = APIClient().post(f"/api/v1/{resource}/", {"name": "New"}, format="json")
    assert response.status_code == 401
    assert {model: model.objects.count() for model in before} == before


def test_a_user_without_the_model_permission_gets_403():
    client = curator()
    response = client.patch(DETAIL_URLS["treaties"][0], {"name": "Renamed"}, format="json")
    assert response.status_code == 403
    assert Treaty.objects.get(slug="rok-us-mutual-defense-treaty").name == "Mutual Defense Treaty"


def test_a_curator_creates_a_treaty_with_a_verbatim_quote():
    client = curator("add_treaty")
    response = client.post(
        "/api/v1/treaties/",
        {
            "slug": "test-security-pact",
            "name": "Test Security Pact",
            "kind": "security-treaty",
            "parties": ["KOR", "USA"],
            "alliance": "rok-us-alliance",
            "signed": "1953-10",
            "citations": [{"source": ARTICLE, "quote": QUOTE_004}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response["Location"].endswith("/api/v1/treaties/test-security-pact/")
    body = response.json()
    assert [party["code"] for party in body["parties"]] == ["KOR", "USA"]
    assert body["signed"] == "1953-10"
    assert body["status"] == Status.DRAFT
    assert body["citations"][0]["quote"] == QUOTE_004
    treaty = Treaty.objects.get(slug="test-security-pact")
    assert treaty.citations.count() == 1


def test_a_quote_not_in_the_article_is_a_400_on_the_field_and_nothing_is_saved():
    client = curator("add_treaty")
    response = client.post(
        "/api/v1/treaties/",
        {
            "slug": "test-paraphrase",
            "name": "Paraphrased",
            "kind": "security-treaty",
            "citations": [{"source": ARTICLE, "quote": QUOTE_004.replace("foundational", "basic")}],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "not found verbatim" in errors["citations[0].quote"][0]
    assert not Treaty.objects.filter(slug="test-paraphrase").exists()


def test_a_record_cannot_be_created_without_a_citation():
    client = curator("add_alliance")
    response = client.post(
        "/api/v1/alliances/",
        {"slug": "uncited", "name": "Uncited", "kind": "defence-pact"},
        format="json",
    )
    assert response.status_code == 400
    assert "citations" in response.json()["errors"]
    assert not Alliance.objects.filter(slug="uncited").exists()


def test_an_end_before_the_start_is_a_400_and_the_stored_record_is_unchanged():
    client = curator("change_alliance")
    url = "/api/v1/alliances/rok-us-alliance/"
    response = client.patch(url, {"end": "1950"}, format="json", **if_match(client, url))
    assert response.status_code == 400
    assert response.json()["errors"]["end"] == ["1950 is before the established date (1953)."]
    assert Alliance.objects.get(slug="rok-us-alliance").end == ""


def test_patch_replaces_rows_and_keeps_the_rest():
    client = curator("change_alliance", "publish_alliance")
    url = "/api/v1/alliances/nato/"
    response = client.patch(
        url,
        {"memberships": [{"country": "KOR", "role": "partner", "start": "2006"}]},
        format="json",
        **if_match(client, url),
    )
    assert response.status_code == 200, response.json()
    nato = Alliance.objects.get(slug="nato")
    assert list(nato.memberships.values_list("country__code", "role", "start")) == [
        ("KOR", "partner", "2006")
    ]
    assert nato.citations.exists()


def test_an_identifier_cannot_be_changed():
    client = curator("change_treaty")
    url = DETAIL_URLS["treaties"][0]
    response = client.patch(url, {"slug": "renamed-treaty"}, format="json", **if_match(client, url))
    assert response.status_code == 400
    assert "slug" in response.json()["errors"]


def test_deleting_a_country_other_records_use_is_a_409():
    client = curator("delete_country", "publish_country")
    url = "/api/v1/countries/KOR/"
    response = client.delete(url, **if_match(client, url))
    assert response.status_code == 409
    assert Country.objects.filter(code="KOR").exists()


def test_a_reviewer_deletes_a_record():
    client = curator("delete_challenge", "publish_challenge")
    url = "/api/v1/challenges/cyber-threats/"
    response = client.delete(url, **if_match(client, url))
    assert response.status_code == 204
    assert not Challenge.objects.filter(slug="cyber-threats").exists()


def test_a_delete_asking_for_the_browsable_api_is_still_a_204_without_a_body():
    client = curator("delete_challenge", "publish_challenge")
    url = "/api/v1/challenges/cyber-threats/"
    response = client.delete(url + "?format=api", **if_match(client, url))
    assert (response.status_code, response.content) == (204, b"")
    assert not Challenge.objects.filter(slug="cyber-threats").exists()


def test_a_body_that_is_not_json_is_a_415():
    client = curator("add_treaty")
    response = client.post(
        "/api/v1/treaties/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_the_token_command_issues_a_working_token():
    User.objects.create_user("reader")
    out = StringIO()
    call_command("token_issue", "reader", "--name", "test", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/countries/KOR/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/countries/KOR/").status_code == 401


def test_drafts_are_hidden_from_anonymous_readers_but_shown_to_curators():
    Treaty.objects.filter(slug="rok-us-mutual-defense-treaty").update(status=Status.DRAFT)
    url = DETAIL_URLS["treaties"][0]
    assert APIClient().get(url).status_code == 404
    assert curator("view_treaty").get(url).status_code == 200


def test_a_write_without_if_match_is_428_and_changes_nothing():
    client = curator("change_treaty")
    url = DETAIL_URLS["treaties"][0]
    response = client.patch(url, {"name": "Renamed"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert Treaty.objects.get(slug="rok-us-mutual-defense-treaty").name == "Mutual Defense Treaty"


def test_a_write_with_a_stale_etag_is_412_and_the_other_edit_survives():
    first = curator("change_treaty", "publish_treaty")
    url = DETAIL_URLS["treaties"][0]
    stale = if_match(first, url)
    assert first.patch(url, {"name": "First edit"}, format="json", **stale).status_code == 200
    response = first.patch(url, {"name": "Second edit"}, format="json", **stale)
    assert response.status_code == 412
    assert Treaty.objects.get(slug="rok-us-mutual-defense-treaty").name == "First edit"


def test_a_curator_cannot_publish_but_a_reviewer_can():
    from django.contrib.auth.models import Group

    draft = Treaty.objects.get(slug="rok-us-cost-sharing-agreements")
    draft.status = Status.DRAFT
    draft.save()
    url = "/api/v1/treaties/rok-us-cost-sharing-agreements/"
    curator_user = User.objects.create_user("carla")
    curator_user.groups.add(Group.objects.get(name="curator"))
    client = APIClient()
    client.force_authenticate(curator_user)
    response = client.patch(url, {"status": "published"}, format="json", **if_match(client, url))
    assert response.status_code == 403
    assert "reviewers" in response.json()["detail"]
    reviewer_user = User.objects.create_user("rita")
    reviewer_user.groups.add(Group.objects.get(name="reviewer"))
    client.force_authenticate(reviewer_user)
    response = client.patch(url, {"status": "published"}, format="json", **if_match(client, url))
    assert response.status_code == 200
    assert APIClient().get(url).status_code == 200
    latest = Treaty.objects.get(slug="rok-us-cost-sharing-agreements").history.first()
    assert latest.history_user == reviewer_user


def test_a_retracted_record_answers_410_with_the_reason():
    Treaty.objects.filter(slug="rok-us-cost-sharing-agreements").update(
        status=Status.RETRACTED, retraction_reason="Duplicates another record."
    )
    response = APIClient().get("/api/v1/treaties/rok-us-cost-sharing-agreements/")
    assert response.status_code == 410
    assert response.json()["detail"] == "Retracted: Duplicates another record."


def test_a_mission_given_an_end_date_is_no_longer_active():
    client = curator("change_mission", "publish_mission")
    url = DETAIL_URLS["missions"][0]
    response = client.patch(url, {"end": "2030-01"}, format="json", **if_match(client, url))
    assert response.status_code == 200, response.json()
    assert (response.json()["end"], response.json()["active"]) == ("2030-01", False)
    assert Mission.objects.get(slug="rok-peacekeeping-lebanon").ended
