"""Publication is the reviewers' call: their action makes a draft public; curators cannot."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from alliances.models import Treaty
from milidip.records import Status
from milidip.sources.models import Source
from missions.models import Exercise, ExerciseCitation

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "e2e-draft-coastal-drill"
NAME = "E2E draft coastal drill"
QUOTE = (
    "These exercises have evolved from small-scale drills to large-scale, complex military "
    "simulations."
)


def anonymous_get(url):
    """(status, JSON body or None) of an anonymous GET, as any API client would see it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.fixture
def draft_exercise(records):
    exercise = Exercise.objects.create(slug=SLUG, name=NAME, kind=Exercise.Kind.EXERCISE)
    ExerciseCitation.objects.create(
        record=exercise,
        source=Source.objects.get(slug="us-south-korea-military-alliance"),
        quote=QUOTE,
    )
    assert exercise.status == Status.DRAFT
    return exercise


def test_reviewer_publishes_a_draft_and_curator_cannot(open_admin, live_server, draft_exercise):
    api_url = f"{live_server.url}/api/v1/exercises/{SLUG}/"
    assert anonymous_get(api_url) == (404, None)

    # A curator: no publish action in the list, a read-only status, and a forged request fails.
    curator = open_admin("curator")
    curator.goto("/admin/missions/exercise/")
    expect(curator.locator("#result_list")).to_contain_text(NAME)
    expect(curator.locator("select[name=action] option[value=publish_selected]")).to_have_count(0)
    token = curator.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    forged = curator.request.post(
        "/admin/missions/exercise/",
        form={
            "csrfmiddlewaretoken": token,
            "action": "publish_selected",
            "_selected_action": str(draft_exercise.pk),
            "index": "0",
        },
    )
    assert forged.status < 500
    draft_exercise.refresh_from_db()
    assert draft_exercise.status == Status.DRAFT

    curator.goto(f"/admin/missions/exercise/{draft_exercise.pk}/change/")
    expect(curator.locator("#id_name")).to_have_value(NAME)
    expect(curator.locator("[name=status]")).to_have_count(0)
    expect(curator.locator(".field-status .readonly")).to_have_text("Draft")
    assert anonymous_get(api_url) == (404, None)

    # A reviewer: select the draft, run the action, and it is public.
    reviewer = open_admin("reviewer")
    reviewer.goto("/admin/missions/exercise/")
    row = reviewer.locator("#result_list tbody tr", has_text=NAME)
    row.locator("input.action-select").check()
    reviewer.select_option("select[name=action]", "publish_selected")
    expect(reviewer.locator("select[name=action] option:checked")).to_have_text(
        "Publish the selected records"
    )
    reviewer.click(".actions button[type=submit]")
    expect(reviewer.locator(".messagelist .success")).to_contain_text("Published 1 record(s).")

    draft_exercise.refresh_from_db()
    assert draft_exercise.status == Status.PUBLISHED
    assert draft_exercise.history.first().history_user == reviewer.user
    status, body = anonymous_get(api_url)
    assert status == 200
    assert body["slug"] == SLUG
    assert body["status"] == "published"


def test_a_curators_edit_of_a_published_record_waits_until_a_reviewer_approves(
    open_admin, live_server
):
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    api_url = f"{live_server.url}/api/v1/treaties/{treaty.slug}/"
    curator = open_admin("curator")
    curator.goto(f"/admin/alliances/treaty/{treaty.pk}/change/")
    curator.fill("#id_name", "Mutual Defense Treaty of 1953")
    curator.click("input[name=_save]")
    expect(curator.locator(".messagelist .warning").first).to_contain_text("waits for a reviewer")
    assert anonymous_get(api_url)[1]["name"] == "Mutual Defense Treaty"

    reviewer = open_admin("reviewer")
    reviewer.goto(f"/admin/alliances/treaty/{treaty.pk}/change/")
    expect(reviewer.locator(".messagelist .warning")).to_contain_text("wait for review")
    reviewer.goto("/admin/sources/revision/?state__exact=pending")
    row = reviewer.locator("#result_list tbody tr", has_text="Mutual Defense Treaty")
    expect(row).to_contain_text("name")
    row.locator("input.action-select").check()
    reviewer.select_option("select[name=action]", "approve_selected")
    reviewer.click(".actions button[type=submit]")
    expect(reviewer.locator(".messagelist .success")).to_contain_text("Approved 1 revision(s).")
    assert anonymous_get(api_url)[1]["name"] == "Mutual Defense Treaty of 1953"
