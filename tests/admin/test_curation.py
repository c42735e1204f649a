"""Curation in the admin, through Django's test client: pages, locking, review, history,
recovery, import and export. (The same flows in a real browser are in tests/e2e/.)"""

import csv
import io
import json
import secrets

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from alliances.models import Alliance, Country, Treaty
from milidip.records import Status
from milidip.services import record_recover
from milidip.tokens.models import ApiToken
from milidip.tokens.services import token_issue
from missions.models import Challenge, Exercise, Mission
from tests.factories import (
    QUOTE_004,
    AllianceCitationFactory,
    AllianceFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db

ARTICLE = "us-south-korea-military-alliance"

ADMINS = [
    ("sources", "source"),
    ("alliances", "country"),
    ("alliances", "alliance"),
    ("alliances", "treaty"),
    ("missions", "exercise"),
    ("missions", "mission"),
    ("missions", "challenge"),
]


def member_of(group):
    user = User.objects.create_user(
        f"{group}-{secrets.token_hex(3)}", password=secrets.token_urlsafe(), is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


def change_form_data(client, url):
    """The change form's current values, as the browser would post them back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = getattr(value, "pk", value)
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for index, inline_form in enumerate(formset.formset.forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if isinstance(value, dict) and value:  # a citation's states, as JSON text
                    value = json.dumps(value)
                if value is not None:
                    data[f"{formset.formset.prefix}-{index}-{name}"] = getattr(value, "pk", value)
    return data


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_every_record_admin_page_renders_for_a_curator(app, model):
    _, client = member_of("curator")
    changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert changelist.status_code == 200
    assert b"Deleted " in changelist.content
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_recover_list")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_export")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_import")).status_code == 200
    searched = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "korea"})
    assert searched.status_code == 200


def test_autocomplete_finds_countries_by_name():
    _, client = member_of("curator")
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Korea",
            "app_label": "alliances",
            "model_name": "treaty",
            "field_name": "parties",
        },
    )
    assert response.status_code == 200
    names = {result["text"] for result in response.json()["results"]}
    assert {"South Korea (KOR)", "North Korea (PRK)"} <= names


def test_a_second_save_over_a_newer_version_is_refused_and_the_first_survives():
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    url = reverse("admin:alliances_treaty_change", args=[treaty.pk])
    first_user, first = member_of("reviewer")
    _, second = member_of("reviewer")
    first_data = change_form_data(first, url)
    second_data = change_form_data(second, url)
    first_data["name"] = "Mutual Defense Treaty (first curator)"
    assert first.post(url, first_data).status_code == 302
    second_data["name"] = "Mutual Defense Treaty (second curator)"
    response = second.post(url, second_data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "someone else changed this record" in errors
    assert first_user.username in errors
    assert "Mutual Defense Treaty (first curator)" in errors
    assert Treaty.objects.get(pk=treaty.pk).name == "Mutual Defense Treaty (first curator)"


def test_a_quote_not_in_the_article_is_an_error_on_the_quote_and_nothing_is_saved():
    challenge = Challenge.objects.get(slug="cyber-threats")
    url = reverse("admin:missions_challenge_change", args=[challenge.pk])
    _, client = member_of("curator")
    data = change_form_data(client, url)
    prefix = client.get(url).context["inline_admin_formsets"][0].formset.prefix
    data["name"] = "Renamed with a bad quote"
    data[f"{prefix}-0-quote"] = "A passage that no article contains at all."
    response = client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "not found verbatim" in " ".join(formset.forms[0].errors["quote"])
    assert Challenge.objects.get(pk=challenge.pk).name == challenge.name


def test_deleting_every_citation_is_an_error_and_the_record_keeps_its_sources():
    """The admin's form obeys the rule the API and CSV import obey (services.check_cited)."""
    challenge = Challenge.objects.get(slug="cyber-threats")
    cited = challenge.citations.count()
    url = reverse("admin:missions_challenge_change", args=[challenge.pk])
    _, client = member_of("curator")
    data = change_form_data(client, url)
    formset = client.get(url).context["inline_admin_formsets"][0].formset
    for index in range(len(formset.forms)):
        data[f"{formset.prefix}-{index}-DELETE"] = "on"
    data["name"] = "Renamed with no sources"
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert "at least 1" in " ".join(errors), errors
    assert Challenge.objects.get(pk=challenge.pk).name == challenge.name
    assert challenge.citations.count() == cited


def test_an_end_before_the_start_is_an_error_on_the_end_field():
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    url = reverse("admin:alliances_alliance_change", args=[alliance.pk])
    _, client = member_of("curator")
    data = change_form_data(client, url)
    data["end"] = "1950"
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end"] == [
        "1950 is before the established date (1953)."
    ]
    assert Alliance.objects.get(pk=alliance.pk).end == ""


def test_only_reviewers_publish():
    exercise = Exercise.objects.get(slug="foal-eagle")
    Exercise.objects.filter(pk=exercise.pk).update(status=Status.DRAFT)
    changelist = reverse("admin:missions_exercise_changelist")
    action = {"action": "publish_selected", "_selected_action": [exercise.pk]}
    _, curator = member_of("curator")
    change_page = curator.get(reverse("admin:missions_exercise_change", args=[exercise.pk]))
    assert "status" in change_page.context["adminform"].readonly_fields
    action_form = curator.get(changelist).context["action_form"]
    assert action_form is None or "publish_selected" not in dict(
        action_form.fields["action"].choices
    )
    curator.post(changelist, action)
    assert Exercise.objects.get(pk=exercise.pk).status == Status.DRAFT
    reviewer_user, reviewer = member_of("reviewer")
    assert reviewer.post(changelist, action).status_code == 302
    exercise.refresh_from_db()
    assert exercise.status == Status.PUBLISHED
    assert exercise.history.first().history_user == reviewer_user


def test_history_shows_who_changed_what_and_reverts():
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    url = reverse("admin:alliances_treaty_change", args=[treaty.pk])
    user, client = member_of("reviewer")
    data = change_form_data(client, url)
    data["name"] = "Renamed treaty"
    data["parties"] = [treaty.parties.get(code="KOR").pk]
    assert client.post(url, data).status_code == 302
    history = client.get(reverse("admin:alliances_treaty_history", args=[treaty.pk]))
    assert history.status_code == 200
    page = history.content.decode()
    assert user.username in page
    assert "Renamed treaty" in page
    original = treaty.history.filter(name="Mutual Defense Treaty").latest("history_date")
    revert_url = reverse(
        "admin:alliances_treaty_simple_history", args=[treaty.pk, original.history_id]
    )
    revert_data = change_form_data(client, revert_url)
    assert revert_data["name"] == "Mutual Defense Treaty"
    assert client.post(revert_url, revert_data).status_code == 302
    assert Treaty.objects.get(pk=treaty.pk).name == "Mutual Defense Treaty"
    assert set(treaty.parties.values_list("code", flat=True)) == {"KOR", "USA"}


def test_a_deleted_record_is_recovered_with_its_links_and_citations():
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    pk, parties = treaty.pk, set(treaty.parties.values_list("code", flat=True))
    quotes = set(treaty.citations.values_list("quote", flat=True))
    treaty.delete()
    assert not treaty.citations.model.objects.filter(record_id=pk).exists()
    treaty_again = record_recover(model=Treaty, pk=pk)
    assert set(treaty_again.parties.values_list("code", flat=True)) == parties
    assert set(treaty_again.citations.values_list("quote", flat=True)) == quotes


def test_the_recover_page_lists_a_deleted_record_and_recovers_it():
    challenge = Challenge.objects.get(slug="cyber-threats")
    pk, citations = challenge.pk, challenge.citations.count()
    challenge.delete()
    _, client = member_of("curator")
    listing = client.get(reverse("admin:missions_challenge_recover_list"))
    assert challenge.name in listing.content.decode()
    response = client.post(reverse("admin:missions_challenge_recover", args=[pk]))
    assert response.status_code == 302
    recovered = Challenge.objects.get(pk=pk)
    assert recovered.citations.count() == citations
    assert recovered.countries.exists()


def import_csv(client, model_path, text):
    preview = client.post(
        reverse(f"admin:{model_path}_import"),
        {
            "import_file": SimpleUploadedFile("rows.csv", text.encode(), "text/csv"),
            "format": "0",
            "resource": "0",
        },
    )
    assert preview.status_code == 200
    return preview


def test_import_previews_row_errors_and_saves_nothing_when_a_row_is_bad():
    _, client = member_of("curator")
    before = Treaty.objects.count()
    text = (
        "slug,name,kind,parties,signed,citation_source,citation_quote\n"
        f"good-pact,Good Pact,security-treaty,KOR;USA,1960,{ARTICLE},{QUOTE_004}\n"
        f"bad-pact,Bad Pact,security-treaty,KOR,1960,{ARTICLE},Not in the article at all.\n"
        "uncited-pact,Uncited Pact,security-treaty,KOR,1961,,\n"
    )
    preview = import_csv(client, "alliances_treaty", text)
    result = preview.context["result"]
    assert result.has_validation_errors()
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert "not found verbatim" in " ".join(invalid[2]["citation_quote"])
    assert "needs a citation" in " ".join(invalid[3]["citation_source"])
    assert Treaty.objects.count() == before


def test_import_confirms_after_the_preview_and_records_history():
    user, client = member_of("curator")
    text = (
        "slug,name,kind,parties,signed,citation_source,citation_quote\n"
        f"good-pact,Good Pact,security-treaty,KOR;USA,1960,{ARTICLE},{QUOTE_004}\n"
    )
    preview = import_csv(client, "alliances_treaty", text)
    assert not preview.context["result"].has_validation_errors()
    confirm = preview.context["confirm_form"]
    data = {
        name: confirm.initial.get(name, field.initial) for name, field in confirm.fields.items()
    }
    response = client.post(reverse("admin:alliances_treaty_process_import"), data)
    assert response.status_code == 302
    treaty = Treaty.objects.get(slug="good-pact")
    assert set(treaty.parties.values_list("code", flat=True)) == {"KOR", "USA"}
    assert treaty.citations.get().quote == QUOTE_004
    assert treaty.status == Status.DRAFT
    assert treaty.history.first().history_user == user


def test_import_keeps_a_mission_that_ended_on_an_unknown_date_ended():
    _, client = member_of("curator")
    text = (
        "slug,name,kind,start,end,ended,citation_source,citation_quote\n"
        f"undated-mission,Undated Mission,peacekeeping,,,1,{ARTICLE},{QUOTE_004}\n"
        f"dated-mission,Dated Mission,peacekeeping,2001,2003,0,{ARTICLE},{QUOTE_004}\n"
    )
    preview = import_csv(client, "missions_mission", text)
    assert not preview.context["result"].has_validation_errors()
    confirm = preview.context["confirm_form"]
    data = {
        name: confirm.initial.get(name, field.initial) for name, field in confirm.fields.items()
    }
    assert client.post(reverse("admin:missions_mission_process_import"), data).status_code == 302
    imported = Mission.objects.filter(slug__in=["undated-mission", "dated-mission"])
    ended = dict(imported.values_list("slug", "ended"))
    assert ended == {"undated-mission": True, "dated-mission": True}, "an end implies ended"


def test_a_curator_cannot_publish_through_an_import():
    _, client = member_of("curator")
    text = (
        "slug,name,kind,signed,status,citation_source,citation_quote\n"
        f"sneaky-pact,Sneaky Pact,security-treaty,1960,published,{ARTICLE},{QUOTE_004}\n"
    )
    preview = import_csv(client, "alliances_treaty", text)
    invalid = preview.context["result"].invalid_rows
    assert "reviewers" in " ".join(invalid[0].error_dict["status"])


def test_export_gives_csv_with_a_citation_per_record():
    _, client = member_of("curator")
    response = client.post(
        reverse("admin:alliances_treaty_export"),
        {
            "format": "0",
            "resource": "0",
            "treatyresource_slug": True,
            "treatyresource_name": True,
            "treatyresource_citation_source": True,
        },
    )
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode()
    assert "rok-us-mutual-defense-treaty" in text
    assert "us-south-korea-military-alliance" in text or "exploring-south-korean" in text


def test_reverting_restores_the_citations_of_that_version():
    alliance = Alliance.objects.get(slug="nato")
    url = reverse("admin:alliances_alliance_change", args=[alliance.pk])
    _, client = member_of("reviewer")
    data = change_form_data(client, url)
    data["description"] = "First curated description."
    assert client.post(url, data).status_code == 302
    version = alliance.history.latest("history_date")
    quotes_then = set(alliance.citations.values_list("quote", flat=True))
    data = change_form_data(client, url)
    prefix = client.get(url).context["inline_admin_formsets"][1].formset.prefix
    data["description"] = "Second description, one citation dropped."
    data[f"{prefix}-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert alliance.citations.count() == len(quotes_then) - 1
    revert_url = reverse(
        "admin:alliances_alliance_simple_history", args=[alliance.pk, version.history_id]
    )
    assert client.post(revert_url, change_form_data(client, revert_url)).status_code == 302
    alliance.refresh_from_db()
    assert alliance.description == "First curated description."
    assert set(alliance.citations.values_list("quote", flat=True)) == quotes_then


def alliance_with_rows(rows):
    """An alliance with `rows` memberships and `rows` citations (each row distinct)."""
    alliance = AllianceFactory()
    korea = Country.objects.get(code="KOR")
    for number in range(rows):
        MembershipFactory(alliance=alliance, country=korea, start=str(1900 + number))
        AllianceCitationFactory(record=alliance, locator=f"row {number}")
    return alliance


def test_a_record_page_costs_the_same_queries_with_many_rows_as_with_few(
    django_assert_num_queries,
):
    """Rows name their countries and sources by autocomplete: the selected records are
    fetched once for all rows, not once a row."""
    _, client = member_of("curator")
    few, many = alliance_with_rows(2), alliance_with_rows(40)
    url = "admin:alliances_alliance_change"
    client.get(reverse(url, args=[few.pk]))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as baseline:
        response = client.get(reverse(url, args=[few.pk]))
    assert response.status_code == 200
    with django_assert_num_queries(len(baseline)):
        response = client.get(reverse(url, args=[many.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        page.count(
            '<option value="{}" selected>South Korea (KOR)</option>'.format(
                Country.objects.get(code="KOR").pk
            )
        )
        == 40
    )


FORMULA = '=HYPERLINK("http://x","y")'


def export_treaties(client, format_index="0"):
    response = client.post(
        reverse("admin:alliances_treaty_export"),
        {
            "format": format_index,
            "resource": "0",
            "treatyresource_slug": True,
            "treatyresource_description": True,
        },
    )
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_export_escapes_formulas_as_owasp_advises():
    _, client = member_of("curator")
    formula = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    formula.description = FORMULA
    formula.save()
    dash = Treaty.objects.exclude(pk=formula.pk).first()
    dash.description = "-@SUM(1+1)*cmd|' /C calc'!A0"
    dash.save()
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(export_treaties(client)))}
    assert rows[formula.slug] == "'" + FORMULA
    assert rows[dash.slug] == "'-@SUM(1+1)*cmd|' /C calc'!A0"


def test_an_escaped_export_imports_back_unchanged():
    _, client = member_of("curator")
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    treaty.description = "- signed after the armistice"
    treaty.save()
    exported = [
        row for row in csv.reader(io.StringIO(export_treaties(client))) if row[0] == treaty.slug
    ]
    assert exported == [[treaty.slug, "'- signed after the armistice"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["slug", "description"], exported[0]])
    preview = import_csv(client, "alliances_treaty", buffer.getvalue())
    assert not preview.context["result"].has_validation_errors()
    row = preview.context["result"].rows[0]
    assert row.import_type == "skip", "unchanged: the quote is taken off again"


def api_client_of(user):
    _, key = token_issue(user=user, name="cross-door test", scope=ApiToken.Scope.WRITE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def both_doors():
    """A reviewer signed in to the admin and holding a write token, and one challenge's admin
    page and API URL: (challenge, admin URL, API URL, browser, API client)."""
    challenge = Challenge.objects.get(slug="cyber-threats")
    admin_url = reverse("admin:missions_challenge_change", args=[challenge.pk])
    user, browser = member_of("reviewer")
    return challenge, admin_url, "/api/v1/challenges/cyber-threats/", browser, api_client_of(user)


def test_an_admin_save_makes_the_apis_older_etag_a_412(both_doors):
    """One version token for both doors: an ETag read before an admin save no longer matches."""
    challenge, admin_url, api_url, browser, api = both_doors
    etag = api.get(api_url)["ETag"]
    data = change_form_data(browser, admin_url)
    data["name"] = "Cyber threats (saved in the admin)"
    assert browser.post(admin_url, data).status_code == 302
    response = api.patch(
        api_url, {"name": "Cyber threats (API)"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412, response.content
    assert Challenge.objects.get(pk=challenge.pk).name == "Cyber threats (saved in the admin)"


def test_an_api_write_makes_an_open_admin_form_a_conflict(both_doors):
    """The admin form opened before an API write is refused on save, naming who changed it."""
    challenge, admin_url, api_url, browser, api = both_doors
    data = change_form_data(browser, admin_url)
    response = api.patch(
        api_url,
        {"name": "Cyber threats (API)"},
        format="json",
        HTTP_IF_MATCH=api.get(api_url)["ETag"],
    )
    assert response.status_code == 200, response.content
    data["name"] = "Cyber threats (stale admin form)"
    response = browser.post(admin_url, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "someone else changed this record" in errors
    assert Challenge.objects.get(pk=challenge.pk).name == "Cyber threats (API)"
