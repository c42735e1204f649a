"""The admin's CSV import is bounded: a file over ADMIN_IMPORT_MAX_BYTES or with more than
ADMIN_IMPORT_MAX_ROWS rows is refused on the form with a message, and nothing is previewed or
imported; the largest import allowed previews well inside the worker's 30 s timeout."""

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.models import Treaty
from tests.admin.test_curation import ARTICLE, member_of
from tests.factories import QUOTE_004

pytestmark = pytest.mark.django_db

HEADER = "slug,name,kind,parties,signed,description,citation_source,citation_quote\n"
WORKER_TIMEOUT = 30  # gunicorn's default; gunicorn.conf.py keeps it


def treaty_rows(count, description="A pact."):
    return "".join(
        f'pact-{i},Pact {i},security-treaty,KOR;USA,1960,{description},{ARTICLE},"{QUOTE_004}"\n'
        for i in range(count)
    )


def post_import(client, text):
    return client.post(
        reverse("admin:alliances_treaty_import"),
        {
            "import_file": SimpleUploadedFile("rows.csv", text.encode(), "text/csv"),
            "format": "0",
            "resource": "0",
        },
    )


def assert_refused(response, words):
    assert response.status_code == 200
    assert "result" not in response.context, "no preview of a refused file"
    assert "confirm_form" not in response.context
    errors = " ".join(response.context["form"].errors.get("import_file", []))
    assert words in errors, errors
    assert "Nothing was imported" in errors
    assert words in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_and_nothing_changes():
    _, client = member_of("curator")
    before = set(Treaty.objects.values_list("slug", "updated"))
    limit = settings.ADMIN_IMPORT_MAX_BYTES
    text = HEADER + treaty_rows(3, description="x" * limit)
    assert len(text.encode()) > limit
    assert_refused(post_import(client, text), f"at most {limit:,} can be imported")
    assert set(Treaty.objects.values_list("slug", "updated")) == before


def test_a_file_with_too_many_rows_is_refused_and_nothing_changes():
    _, client = member_of("curator")
    before = set(Treaty.objects.values_list("slug", "updated"))
    limit = settings.ADMIN_IMPORT_MAX_ROWS
    response = post_import(client, HEADER + treaty_rows(limit + 1))
    assert_refused(response, f"has {limit + 1:,} rows; at most {limit:,}")
    assert set(Treaty.objects.values_list("slug", "updated")) == before


def test_the_limits_are_configurable(settings):
    settings.ADMIN_IMPORT_MAX_ROWS = 2
    _, client = member_of("curator")
    assert_refused(post_import(client, HEADER + treaty_rows(3)), "has 3 rows; at most 2")
    preview = post_import(client, HEADER + treaty_rows(2))
    assert not preview.context["result"].has_validation_errors()


def test_the_largest_import_allowed_previews_well_inside_the_worker_timeout():
    _, client = member_of("curator")
    limit = settings.ADMIN_IMPORT_MAX_ROWS
    started = time.perf_counter()
    preview = post_import(client, HEADER + treaty_rows(limit, description="d" * 200))
    elapsed = time.perf_counter() - started
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_validation_errors()
    assert len(result.rows) == limit
    assert elapsed < WORKER_TIMEOUT * 2 / 3, f"{limit} rows previewed in {elapsed:.1f} s"
    assert not Treaty.objects.filter(slug="pact-0").exists(), "a preview saves nothing"
