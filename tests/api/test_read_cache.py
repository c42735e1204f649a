"""Reads that cost almost nothing (issue 12): an anonymous 304 or a cached 200 reads no record;
a write through any door moves the data version, so no stale 304 or body is left behind; drafts
never reach an anonymous reader through the cache.

The shared cache is Redis (database 11, a fresh key prefix per test: tests/api/conftest.py), as
with REDIS_URL set. The
tests run inside a transaction that is never committed, so each write is wrapped in
`django_capture_on_commit_callbacks(execute=True)`: its commit hooks (the version's move) run as
a commit would run them.
"""

import csv
import io
import logging
import re
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from alliances.models import Treaty
from milidip import versions
from milidip.records import Status
from milidip.sources.models import Revision
from milidip.tokens.models import ApiToken
from milidip.tokens.services import token_issue
from missions.models import Challenge, Exercise

pytestmark = pytest.mark.django_db

TREATY = "rok-us-mutual-defense-treaty"
TREATY_URL = f"/api/v1/treaties/{TREATY}/"
LIST_URL = "/api/v1/exercises/?country=USA&page_size=50"


def staff(group):
    user = User.objects.create_user(f"{group}-{uuid.uuid4().hex[:6]}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def browser_of(user):
    client = Client()
    client.force_login(user)
    return client


def token_client_of(user):
    _, key = token_issue(user=user, name="read cache test", scope=ApiToken.Scope.WRITE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def change_form_data(client, url):
    from tests.admin.test_curation import change_form_data as form_data

    return form_data(client, url)


def test_a_matching_if_none_match_is_a_304_without_a_single_query(
    shared_cache, django_assert_num_queries
):
    api = APIClient()
    etag = api.get(LIST_URL)["ETag"]
    with django_assert_num_queries(0):
        response = api.get(LIST_URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_a_record_s_304_keeps_its_etag_and_last_modified(shared_cache, django_assert_num_queries):
    api = APIClient()
    first = api.get(TREATY_URL)
    with django_assert_num_queries(0):
        response = api.get(TREATY_URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 304
    assert (response["ETag"], response["Last-Modified"]) == (first["ETag"], first["Last-Modified"])


def test_a_cached_200_is_the_same_response_without_a_single_query(
    shared_cache, django_assert_num_queries
):
    api = APIClient()
    first = api.get(LIST_URL)
    with django_assert_num_queries(0):
        again = api.get(LIST_URL)
    assert again.status_code == 200
    assert again.content == first.content
    for header in ("ETag", "Last-Modified", "X-Total-Count", "Link", "Content-Type"):
        assert again.get(header) == first.get(header), header
    assert again["Cache-Control"] == first["Cache-Control"]
    assert "public" in again["Cache-Control"] and "max-age=60" in again["Cache-Control"]


def test_a_client_asking_for_no_cache_gets_a_fresh_rendering(
    shared_cache, django_assert_max_num_queries
):
    api = APIClient()
    first = api.get(LIST_URL)
    with django_assert_max_num_queries(50) as queries:
        fresh = api.get(LIST_URL, HTTP_CACHE_CONTROL="no-cache")
    assert len(queries) > 0
    assert fresh.content == first.content


def test_the_same_answer_asked_afresh_is_not_kept_again(shared_cache, monkeypatch):
    """A client asking for no cache gets a fresh rendering; when it is the answer already kept
    for this version (the same validators: the body's digest), the body is not written again.
    A different one (here, a kept answer tampered with) replaces what was kept."""
    from milidip.api.caching import cache_keys

    api = APIClient()
    first = api.get(LIST_URL)
    cache = caches["default"]
    writes = []
    set_many = cache.set_many
    monkeypatch.setattr(
        cache, "set_many", lambda data, **kw: writes.append(list(data)) or set_many(data, **kw)
    )
    for _ in range(3):
        assert api.get(LIST_URL, HTTP_CACHE_CONTROL="no-cache").content == first.content
    assert writes == []
    # What was kept for this version is made to differ from what the view answers.
    validators_key, body_key = cache_keys(first.wsgi_request)
    version, validators = cache.get(validators_key)
    tampered = [(n, '"tampered"' if n == "ETag" else v) for n, v in validators]
    cache.set(validators_key, (version, tampered))
    _, headers, _ = cache.get(body_key)
    cache.set(body_key, (version, headers, b"tampered"))
    writes.clear()
    assert api.get(LIST_URL, HTTP_CACHE_CONTROL="no-cache").content == first.content
    assert writes == [[validators_key, body_key]]
    again = api.get(LIST_URL)
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_without_redis_the_version_is_one_read_of_the_database(django_assert_num_queries):
    """With REDIS_URL unset (the test settings' default), the version lives in the database:
    a 304 costs that one indexed read and nothing else."""
    api = APIClient()
    etag = api.get(LIST_URL)["ETag"]
    with django_assert_num_queries(1) as queries:
        response = api.get(LIST_URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert "sources_dataversion" in queries.captured_queries[0]["sql"]


def test_requests_that_differ_get_their_own_answers(shared_cache):
    api = APIClient()
    as_json = api.get("/api/v1/treaties/")
    as_csv = api.get("/api/v1/treaties/", HTTP_ACCEPT="text/csv")
    assert as_json["Content-Type"] == "application/json"
    assert as_csv["Content-Type"].startswith("text/csv")
    elsewhere = api.get("/api/v1/treaties/?page_size=1", HTTP_HOST="localhost")
    here = api.get("/api/v1/treaties/?page_size=1", HTTP_HOST="127.0.0.1")
    assert elsewhere.json()["next"].startswith("http://localhost/")
    assert here.json()["next"].startswith("http://127.0.0.1/")
    # The same parameters in another order are the same request.
    one = api.get("/api/v1/treaties/?page_size=2&page=2")
    other = api.get("/api/v1/treaties/?page=2&page_size=2")
    assert one["ETag"] == other["ETag"]


def test_a_draft_never_reaches_an_anonymous_reader_through_the_cache(shared_cache, committed):
    with committed():
        Exercise.objects.filter(slug="foal-eagle").update(status=Status.DRAFT)
        versions.data_changed()
    curator = APIClient()
    curator.force_authenticate(staff("curator"))
    url = "/api/v1/exercises/?page_size=500"

    def slugs(response):
        return {record["slug"] for record in response.json()["results"]}

    assert "foal-eagle" in slugs(curator.get(url))
    assert "foal-eagle" not in slugs(APIClient().get(url))
    assert "foal-eagle" in slugs(curator.get(url))
    signed_in = browser_of(staff("curator"))
    assert "foal-eagle" in slugs(signed_in.get(url))
    assert "foal-eagle" not in slugs(APIClient().get(url))
    assert "private" in curator.get(url)["Cache-Control"]


def count_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_a_list_s_count_is_kept_under_the_data_version(
    shared_cache, committed, django_assert_max_num_queries
):
    """The next page of a list, or the same page asked afresh, does not count again while the
    data version stands; a write moves it, and the next read counts what is there now."""
    api = APIClient()
    url = "/api/v1/exercises/?country=KOR&page_size=2"
    total = api.get(url).json()["count"]
    with django_assert_max_num_queries(50) as queries:
        second = api.get(url + "&page=2")
    assert second.json()["count"] == total
    assert count_queries(queries) == []
    with django_assert_max_num_queries(50) as queries:
        fresh = api.get(url, HTTP_CACHE_CONTROL="no-cache")
    assert fresh.json()["count"] == total and count_queries(queries) == []

    with committed():
        Exercise.objects.filter(slug="foal-eagle").update(status=Status.DRAFT)
        versions.data_changed()
    with django_assert_max_num_queries(50) as queries:
        after = api.get(url + "&page=2")
    assert len(count_queries(queries)) == 1
    assert after.json()["count"] == total - 1
    # A curator's count (drafts included) is counted and kept apart from the readers'.
    curator = APIClient()
    curator.force_authenticate(staff("curator"))
    assert curator.get(url).json()["count"] == total
    assert api.get(url + "&page=2").json()["count"] == total - 1


def test_a_process_asks_the_shared_cache_for_a_list_s_count_once_a_version(
    shared_cache, committed, monkeypatch
):
    """Kept with the list in the process (views.CompiledForList), the count is asked of Redis
    once per data version, not on every page: another worker's count is still found there."""
    api = APIClient()
    url = "/api/v1/exercises/?country=KOR&page_size=2"
    cache = caches["default"]
    asked = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: asked.append(key) or get(key, *a, **kw))
    total = api.get(url, HTTP_CACHE_CONTROL="no-cache").json()["count"]
    for page in (1, 2, 1):
        response = api.get(f"{url}&page={page}", HTTP_CACHE_CONTROL="no-cache")
        assert response.json()["count"] == total
    assert len([key for key in asked if key.startswith("count:")]) == 1
    # Another process (its kept lists forgotten here) finds the count in Redis, uncounted.
    versions.forget_kept_in_process()
    asked.clear()
    assert api.get(url, HTTP_CACHE_CONTROL="no-cache").json()["count"] == total
    assert len([key for key in asked if key.startswith("count:")]) == 1
    with committed():
        Exercise.objects.filter(slug="foal-eagle").update(status=Status.DRAFT)
        versions.data_changed()
    assert api.get(url, HTTP_CACHE_CONTROL="no-cache").json()["count"] == total - 1


def test_a_version_is_never_repeated_even_when_redis_loses_it(shared_cache):
    before = versions.current()
    caches["default"].delete(versions.CACHE_KEY)
    versions.bump()
    assert versions.current() > before


# The doors. Each prepares what it needs and returns (URL read anonymously, the write).


def door_admin_save():
    browser = browser_of(staff("reviewer"))
    url = reverse("admin:alliances_treaty_change", args=[Treaty.objects.get(slug=TREATY).pk])

    def write():
        data = change_form_data(browser, url)
        data["name"] = "Renamed in the admin"
        assert browser.post(url, data).status_code == 302

    return TREATY_URL, write


def door_api_write():
    client = token_client_of(staff("reviewer"))

    def write():
        etag = client.get(TREATY_URL)["ETag"]
        body = {"description": "Written through the API."}
        assert client.patch(TREATY_URL, body, format="json", HTTP_IF_MATCH=etag).status_code == 200

    return TREATY_URL, write


def door_csv_import():
    browser = browser_of(staff("reviewer"))

    def write():
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["slug", "description"], [TREATY, "Imported from CSV."]])
        preview = browser.post(
            reverse("admin:alliances_treaty_import"),
            {
                "import_file": SimpleUploadedFile("rows.csv", buffer.getvalue().encode()),
                "format": "0",
                "resource": "0",
            },
        )
        assert not preview.context["result"].has_validation_errors()
        confirm = preview.context["confirm_form"]
        data = {name: confirm.initial.get(name, f.initial) for name, f in confirm.fields.items()}
        response = browser.post(reverse("admin:alliances_treaty_process_import"), data)
        assert response.status_code == 302
        assert Treaty.objects.get(slug=TREATY).description == "Imported from CSV."

    return "/api/v1/treaties/", write


def door_dataset_import():
    def write():
        call_command("import_dataset", "cow-states", verbosity=0, stdout=io.StringIO())

    return "/api/v1/countries/?page_size=500", write


def door_revert():
    reviewer = staff("reviewer")
    browser = browser_of(reviewer)
    treaty = Treaty.objects.get(slug=TREATY)
    original = treaty.history.latest("history_date")
    url = reverse("admin:alliances_treaty_change", args=[treaty.pk])
    data = change_form_data(browser, url)
    data["name"] = "A name to revert"
    assert browser.post(url, data).status_code == 302
    revert_url = reverse(
        "admin:alliances_treaty_simple_history", args=[treaty.pk, original.history_id]
    )

    def write():
        assert browser.post(revert_url, change_form_data(browser, revert_url)).status_code == 302
        assert Treaty.objects.get(slug=TREATY).name != "A name to revert"

    return TREATY_URL, write


def door_delete():
    browser = browser_of(staff("reviewer"))
    challenge = Challenge.objects.get(slug="cyber-threats")
    url = reverse("admin:missions_challenge_delete", args=[challenge.pk])

    def write():
        assert browser.post(url, {"post": "yes"}).status_code == 302
        assert not Challenge.objects.filter(pk=challenge.pk).exists()

    return "/api/v1/challenges/", write


def door_recover():
    challenge = Challenge.objects.get(slug="cyber-threats")
    pk = challenge.pk
    challenge.delete()
    browser = browser_of(staff("reviewer"))

    def write():
        response = browser.post(reverse("admin:missions_challenge_recover", args=[pk]))
        assert response.status_code == 302
        assert Challenge.objects.filter(pk=pk).exists()

    return "/api/v1/challenges/", write


def door_publish():
    exercise = Exercise.objects.get(slug="foal-eagle")
    Exercise.objects.filter(pk=exercise.pk).update(status=Status.DRAFT)
    versions.data_changed()  # a bulk update sends no signal
    browser = browser_of(staff("reviewer"))

    def write():
        action = {"action": "publish_selected", "_selected_action": [exercise.pk]}
        changelist = reverse("admin:missions_exercise_changelist")
        assert browser.post(changelist, action).status_code == 302
        assert Exercise.objects.get(pk=exercise.pk).status == Status.PUBLISHED

    return "/api/v1/exercises/?page_size=500", write


def door_review():
    curator = APIClient()
    curator.force_authenticate(staff("curator"))
    etag = curator.get(TREATY_URL)["ETag"]
    body = {"description": "Approved by a reviewer."}
    proposal = curator.patch(TREATY_URL, body, format="json", HTTP_IF_MATCH=etag)
    assert proposal.status_code == 202
    revision = Revision.objects.get(pk=proposal.json()["revision"])
    browser = browser_of(staff("reviewer"))

    def write():
        action = {"action": "approve_selected", "_selected_action": [revision.pk]}
        changelist = reverse("admin:sources_revision_changelist")
        assert browser.post(changelist, action).status_code == 302
        assert Treaty.objects.get(slug=TREATY).description == "Approved by a reviewer."

    return TREATY_URL, write


DOORS = [
    door_admin_save,
    door_api_write,
    door_csv_import,
    door_dataset_import,
    door_revert,
    door_delete,
    door_recover,
    door_publish,
    door_review,
]


@pytest.mark.parametrize("door", DOORS, ids=lambda door: door.__name__.removeprefix("door_"))
def test_a_write_through_any_door_leaves_no_stale_304_or_body(shared_cache, committed, door):
    with committed():
        url, write = door()
    api = APIClient()
    before = api.get(url)
    assert before.status_code == 200
    etag = before["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(url).content == before.content
    version = versions.current()
    with committed():
        write()
    assert versions.current() > version
    after = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after.content != before.content
    assert after["ETag"] != etag
    # What the next reader gets is what a fresh rendering gives. (Every entry is made stale by
    # a new version, not by clearing the cache: that would flush Redis database 11 under any
    # other run of these tests at the same time.)
    versions.bump()
    assert APIClient().get(url).content == after.content


class RolledBack(Exception):
    pass


def test_a_write_that_is_rolled_back_does_not_move_the_version(shared_cache):
    version = versions.current()
    with pytest.raises(RolledBack), transaction.atomic():
        Treaty.objects.get(slug=TREATY).save()
        assert versions.uncommitted_changes()
        raise RolledBack
    assert not versions.uncommitted_changes()
    assert versions.current() == version


def test_a_304_is_answered_before_sessions_and_auth_yet_gets_every_outer_guarantee(
    shared_cache, django_assert_num_queries, caplog
):
    """The read cache sits outside sessions, CSRF, authentication and the API middleware: a 304
    reads no session and no user (no query), and still carries what the outer middleware give
    every response: CORS, the request id and its log line, the security headers, CSP, and the
    API's Cache-Control and Vary (kept with the validators)."""
    api = APIClient()
    first = api.get(TREATY_URL, HTTP_ORIGIN="https://elsewhere.example")
    # The request log writes to its own handler only (propagate off); the test listens too.
    request_log = logging.getLogger("milidip.requests")
    request_log.addHandler(caplog.handler)
    try:
        with django_assert_num_queries(0):
            response = api.get(
                TREATY_URL,
                HTTP_IF_NONE_MATCH=first["ETag"],
                HTTP_ORIGIN="https://elsewhere.example",
                HTTP_X_REQUEST_ID="read-cache-test-0001",
            )
    finally:
        request_log.removeHandler(caplog.handler)
    assert response.status_code == 304
    assert not hasattr(response.wsgi_request, "session")
    assert "user" not in response.wsgi_request.__dict__
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert response["X-Request-ID"] == "read-cache-test-0001"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == first["Cache-Control"] == "public, max-age=60"
    assert {"Accept", "Authorization", "Cookie"} <= set(
        name.strip() for name in response["Vary"].split(",")
    )
    logged = [r for r in caplog.records if getattr(r, "request_id", "") == "read-cache-test-0001"]
    assert [(r.status, r.path) for r in logged] == [(304, TREATY_URL)]


def test_a_304_and_a_cached_200_still_spend_from_the_client_s_budget(
    shared_cache, early_in_a_window
):
    """Three units a minute: the 200 (1 unit), a 304 and a cached 200 spend them all, so the
    next request is refused although each was answered from the cache."""
    shared_cache.API_ANON_BUDGET = (3, 60)
    api = APIClient()
    etag = api.get(TREATY_URL)["ETag"]
    assert api.get(TREATY_URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(TREATY_URL).status_code == 200
    refused = api.get(TREATY_URL, HTTP_IF_NONE_MATCH=etag)
    assert refused.status_code == 429
    assert "budget" in refused.json()["detail"]


def test_a_response_whose_rendering_made_a_csp_nonce_is_never_kept(shared_cache):
    """The docs page puts the response's nonce on its inline script: each reader gets a page
    rendered for it, whose nonce is the one its Content-Security-Policy names."""
    nonces = []
    for _ in range(2):
        response = Client().get("/api/v1/docs/")
        assert response.status_code == 200
        (nonce,) = set(re.findall(r"nonce=\"([^\"]+)\"", response.content.decode()))
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
