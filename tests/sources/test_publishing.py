"""Publishing is one rule with three doors: the admin's action, the API and a CSV import each
publish a draft the same way (one history entry, by the reviewer, status published), and each
refuses a curator."""

import secrets

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from alliances.models import Treaty
from milidip.records import Status
from tests.admin.test_curation import import_csv

pytestmark = pytest.mark.django_db

SLUG = "rok-us-cost-sharing-agreements"


def person(group):
    user = User.objects.create_user(
        f"{group}-{secrets.token_hex(3)}", password=secrets.token_urlsafe(), is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def admin_action(user, treaty):
    client = Client()
    client.force_login(user)
    client.post(
        reverse("admin:alliances_treaty_changelist"),
        {"action": "publish_selected", "_selected_action": [treaty.pk]},
    )


def api_patch(user, treaty):
    client = APIClient()
    client.force_authenticate(user)
    url = f"/api/v1/treaties/{treaty.slug}/"
    etag = client.get(url)["ETag"]
    client.patch(url, {"status": "published"}, format="json", HTTP_IF_MATCH=etag)


def csv_import(user, treaty):
    client = Client()
    client.force_login(user)
    text = f"slug,name,kind,status\n{treaty.slug},{treaty.name},{treaty.kind},published\n"
    preview = import_csv(client, "alliances_treaty", text)
    if preview.context["result"].has_validation_errors():
        return
    confirm = preview.context["confirm_form"]
    data = {
        name: confirm.initial.get(name, field.initial) for name, field in confirm.fields.items()
    }
    client.post(reverse("admin:alliances_treaty_process_import"), data)


DOORS = {"admin action": admin_action, "API": api_patch, "CSV import": csv_import}


@pytest.fixture
def draft():
    treaty = Treaty.objects.get(slug=SLUG)
    treaty.status = Status.DRAFT
    treaty.save()
    return treaty


@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_reviewer_publishes_a_draft_through_each_door_with_the_same_history(door, draft):
    reviewer = person("reviewer")
    before = draft.history.count()
    DOORS[door](reviewer, draft)
    treaty = Treaty.objects.get(pk=draft.pk)
    assert treaty.status == Status.PUBLISHED
    new = list(treaty.history.order_by("history_id")[before:])
    assert [(entry.history_type, entry.status, entry.history_user) for entry in new] == [
        ("~", Status.PUBLISHED, reviewer)
    ]


@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_curator_cannot_publish_through_any_door(door, draft):
    before = draft.history.count()
    DOORS[door](person("curator"), draft)
    treaty = Treaty.objects.get(pk=draft.pk)
    assert treaty.status == Status.DRAFT
    assert treaty.history.count() == before
