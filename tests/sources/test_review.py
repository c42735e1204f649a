"""Review gates publication: a curator's change to a public record waits for a reviewer, through
the API, the admin's form, a revert and a CSV import alike; recovery and deletion obey it too."""

import secrets

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from alliances.models import Alliance, Membership, Treaty
from milidip.records import Status
from milidip.services import record_recover
from milidip.sources.models import Revision, Source
from milidip.sources.review import revision_approve, revision_reject
from missions.models import Challenge
from tests.admin.test_curation import change_form_data, import_csv

pytestmark = pytest.mark.django_db

TREATY = "rok-us-mutual-defense-treaty"
TREATY_URL = f"/api/v1/treaties/{TREATY}/"


def person(group):
    user = User.objects.create_user(
        f"{group}-{secrets.token_hex(3)}", password=secrets.token_urlsafe(), is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def admin_as(user):
    client = Client()
    client.force_login(user)
    return client


def patch(client, url, body):
    etag = client.get(url)["ETag"]
    return client.patch(url, body, format="json", HTTP_IF_MATCH=etag)


def test_a_curators_api_patch_of_a_published_record_waits_for_review():
    curator = person("curator")
    response = patch(api_as(curator), TREATY_URL, {"description": "Vandalised."})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["state"] == "pending" and body["changed"] == ["description"]
    treaty = Treaty.objects.get(slug=TREATY)
    assert treaty.description != "Vandalised."
    assert APIClient().get(TREATY_URL).json()["description"] == treaty.description
    revision = Revision.objects.get(pk=body["revision"])
    assert revision.proposed_by == curator
    assert revision.proposed_state["fields"]["description"] == "Vandalised."


def test_a_reviewer_approves_a_revision_and_it_goes_live_in_the_history():
    curator, reviewer = person("curator"), person("reviewer")
    body = patch(api_as(curator), TREATY_URL, {"description": "Reviewed text."}).json()
    revision = Revision.objects.get(pk=body["revision"])
    with pytest.raises(PermissionDenied):
        revision_approve(revision=revision, user=curator)
    revision_approve(revision=revision, user=reviewer, note="Checked against article 004.")
    treaty = Treaty.objects.get(slug=TREATY)
    assert treaty.description == "Reviewed text."
    assert treaty.status == Status.PUBLISHED
    latest = treaty.history.first()
    assert latest.history_user == reviewer
    assert f"Revision {revision.pk} by {curator}" in latest.history_change_reason
    revision.refresh_from_db()
    assert (revision.state, revision.decided_by) == (Revision.State.APPROVED, reviewer)
    with pytest.raises(ValidationError):
        revision_approve(revision=revision, user=reviewer)


def test_a_rejected_revision_changes_nothing():
    curator, reviewer = person("curator"), person("reviewer")
    body = patch(api_as(curator), TREATY_URL, {"name": "Wrong name"}).json()
    revision = Revision.objects.get(pk=body["revision"])
    revision_reject(revision=revision, user=reviewer, note="Not in the source.")
    assert Treaty.objects.get(slug=TREATY).name == "Mutual Defense Treaty"
    revision.refresh_from_db()
    assert revision.state == Revision.State.REJECTED
    assert revision.decision_note == "Not in the source."


def test_a_revision_cannot_be_approved_over_a_later_change():
    curator, reviewer = person("curator"), person("reviewer")
    body = patch(api_as(curator), TREATY_URL, {"name": "Curator's name"}).json()
    assert patch(api_as(reviewer), TREATY_URL, {"description": "Reviewer's edit."}).status_code == (
        200
    )
    revision = Revision.objects.get(pk=body["revision"])
    with pytest.raises(ValidationError, match="changed after revision"):
        revision_approve(revision=revision, user=reviewer)
    treaty = Treaty.objects.get(slug=TREATY)
    assert (treaty.name, treaty.description) == ("Mutual Defense Treaty", "Reviewer's edit.")


def test_rows_and_links_wait_for_review_and_are_written_on_approval():
    curator, reviewer = person("curator"), person("reviewer")
    url = "/api/v1/alliances/nato/"
    before = list(Alliance.objects.get(slug="nato").memberships.values_list("country__code"))
    body = patch(
        api_as(curator), url, {"memberships": [{"country": "KOR", "role": "partner"}]}
    ).json()
    assert body["changed"] == ["memberships"]
    nato = Alliance.objects.get(slug="nato")
    assert list(nato.memberships.values_list("country__code")) == before
    revision_approve(revision=Revision.objects.get(pk=body["revision"]), user=reviewer)
    assert list(nato.memberships.values_list("country__code", "role")) == [("KOR", "partner")]
    assert nato.citations.exists()


def test_a_curators_patch_that_changes_nothing_leaves_no_revision():
    treaty = Treaty.objects.get(slug=TREATY)
    response = patch(api_as(person("curator")), TREATY_URL, {"name": treaty.name})
    assert response.status_code == 200
    assert response.json()["name"] == treaty.name
    assert not Revision.objects.exists()


def test_a_curator_changes_a_draft_directly():
    Treaty.objects.filter(slug=TREATY).update(status=Status.DRAFT)
    response = patch(api_as(person("curator")), TREATY_URL, {"description": "Draft text."})
    assert response.status_code == 200
    assert Treaty.objects.get(slug=TREATY).description == "Draft text."
    assert not Revision.objects.exists()


def test_a_curators_admin_save_of_a_published_record_waits_for_review():
    curator = person("curator")
    client = admin_as(curator)
    treaty = Treaty.objects.get(slug=TREATY)
    url = reverse("admin:alliances_treaty_change", args=[treaty.pk])
    data = change_form_data(client, url)
    data["name"] = "Renamed in the admin"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "waits for a reviewer" in page
    assert "wait for review" in page  # the record's page says a change is pending
    assert Treaty.objects.get(pk=treaty.pk).name == "Mutual Defense Treaty"
    revision = Revision.objects.get()
    assert revision.changed == ["name"]
    listing = admin_as(person("reviewer")).get(reverse("admin:sources_revision_changelist"))
    assert "Mutual Defense Treaty" in listing.content.decode()


def test_a_reviewer_approves_through_the_admin_action():
    curator, reviewer = person("curator"), person("reviewer")
    revision_id = patch(api_as(curator), TREATY_URL, {"name": "Approved name"}).json()["revision"]
    action = {"action": "approve_selected", "_selected_action": [revision_id]}
    changelist = reverse("admin:sources_revision_changelist")
    assert admin_as(curator).post(changelist, action).status_code == 302
    assert Treaty.objects.get(slug=TREATY).name == "Mutual Defense Treaty"  # refused
    assert admin_as(reviewer).post(changelist, action).status_code == 302
    assert Treaty.objects.get(slug=TREATY).name == "Approved name"


def test_a_curators_revert_of_a_published_record_waits_for_review():
    reviewer, curator = person("reviewer"), person("curator")
    patch(api_as(reviewer), TREATY_URL, {"name": "Reviewer's name"})
    treaty = Treaty.objects.get(slug=TREATY)
    original = treaty.history.filter(name="Mutual Defense Treaty").latest("history_date")
    client = admin_as(curator)
    url = reverse("admin:alliances_treaty_simple_history", args=[treaty.pk, original.history_id])
    assert client.post(url, change_form_data(client, url)).status_code == 302
    assert Treaty.objects.get(pk=treaty.pk).name == "Reviewer's name"
    assert Revision.objects.get().proposed_state["fields"]["name"] == "Mutual Defense Treaty"


def import_rows(client, model_path, text):
    """Preview a CSV import, then confirm it."""
    preview = import_csv(client, model_path, text)
    assert not preview.context["result"].has_validation_errors()
    confirm = preview.context["confirm_form"]
    data = {
        name: confirm.initial.get(name, field.initial) for name, field in confirm.fields.items()
    }
    return client.post(reverse(f"admin:{model_path}_process_import"), data)


def test_a_curators_csv_update_of_a_published_record_waits_for_review():
    client = admin_as(person("curator"))
    text = (
        "slug,name,kind,description\n"
        f"{TREATY},Mutual Defense Treaty,mutual-defence-treaty,Imported.\n"
    )
    assert import_rows(client, "alliances_treaty", text).status_code == 302
    assert Treaty.objects.get(slug=TREATY).description != "Imported."
    revision = Revision.objects.get()
    assert revision.proposed_state["fields"]["description"] == "Imported."


@pytest.mark.parametrize(
    ("group", "slug", "status"),
    [("curator", "cyber-threats", Status.DRAFT), ("reviewer", "cyber-threats", Status.PUBLISHED)],
)
def test_a_deleted_public_record_comes_back_public_only_through_a_reviewer(group, slug, status):
    challenge = Challenge.objects.get(slug=slug)
    pk = challenge.pk
    challenge.delete()
    record_recover(model=Challenge, pk=pk, user=person(group))
    assert Challenge.objects.get(pk=pk).status == status
    expected = 200 if status == Status.PUBLISHED else 404
    assert APIClient().get(f"/api/v1/challenges/{slug}/").status_code == expected


def test_deleting_a_public_record_takes_a_reviewer():
    user = person("curator")
    user.user_permissions.add(
        *Group.objects.get(name="reviewer").permissions.filter(codename="delete_challenge")
    )
    url = "/api/v1/challenges/cyber-threats/"
    client = api_as(User.objects.get(pk=user.pk))
    response = client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 403
    assert "reviewer" in response.json()["detail"]
    assert Challenge.objects.filter(slug="cyber-threats").exists()


def test_a_curator_cannot_change_a_published_alliances_membership_on_its_own_page():
    membership = Membership.objects.filter(alliance__status=Status.PUBLISHED).first()
    url = reverse("admin:alliances_membership_change", args=[membership.pk])
    client = admin_as(person("curator"))
    data = {
        "alliance": membership.alliance_id,
        "country": membership.country_id,
        "role": "observer",
    }
    client.post(url, data)
    assert Membership.objects.get(pk=membership.pk).role == membership.role


def test_a_draft_source_is_not_shown_in_a_published_records_citations():
    treaty = Treaty.objects.get(slug=TREATY)
    cited = {citation.source.slug for citation in treaty.citations.all()}
    hidden = sorted(cited)[0]
    Source.objects.filter(slug=hidden).update(status=Status.DRAFT)
    body = APIClient().get(TREATY_URL).json()
    shown = {citation["source"]["slug"] for citation in body["citations"]}
    assert hidden not in shown
    assert shown == cited - {hidden}
    csv_text = APIClient().get("/api/v1/treaties/?format=csv").content.decode()
    assert hidden not in csv_text
    reader = api_as(person("curator"))
    assert hidden in {c["source"]["slug"] for c in reader.get(TREATY_URL).json()["citations"]}
