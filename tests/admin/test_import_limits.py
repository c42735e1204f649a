"""The admin's CSV import is bounded: a file over ADMIN_IMPORT_MAX_BYTES or with more than
ADMIN_IMPORT_MAX_ROWS rows is refused on the form with a message, and nothing is previewed or
imported; the largest import allowed previews with a bounded amount of work per row.

That the largest preview stays well inside gunicorn's 30 s worker timeout is a matter of time on
a given machine, so it is timed by a benchmark CI prints (.ci/admin_import_benchmark.py), not
judged here, where other work on the machine would make it fail; what this test holds is its
cause: the database queries per row, counted exactly, with no per-row growth.
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Treaty
from tests.admin.test_curation import ARTICLE, member_of
from tests.factories import QUOTE_004

pytestmark = pytest.mark.django_db

HEADER = "slug,name,kind,parties,signed,description,citation_source,citation_quote\n"
# A treaty row's preview, measured: looking up the row, its parties and source, the model's
# checks (twice: the resource's and record_save's), the writes (with their history) that
# the preview then rolls back, and since treaties are claimed (issue 11) the derivation of its
# shown dates from its claims (its citations, resolutions and open conflicts, read and
# rewritten).
QUERIES_PER_ROW = 62


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


def preview_queries(client, rows):
    """Preview `rows` treaty rows: (the preview's result, the database queries it made)."""
    with CaptureQueriesContext(connection) as queries:
        preview = post_import(client, HEADER + treaty_rows(rows, description="d" * 200))
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_validation_errors()
    assert len(result.rows) == rows
    return result, len(queries)


def test_the_largest_import_allowed_previews_with_bounded_work_per_row():
    _, client = member_of("curator")
    limit = settings.ADMIN_IMPORT_MAX_ROWS
    _, few = preview_queries(client, 10)
    _, most = preview_queries(client, limit)
    # Every row beyond the tenth costs the same queries, and no more than a row's share.
    assert most - few == QUERIES_PER_ROW * (limit - 10), (few, most)
    assert not Treaty.objects.filter(slug="pact-0").exists(), "a preview saves nothing"
