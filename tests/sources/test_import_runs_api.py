"""A dataset's import runs are served under its Source, newest first with their rows, at a cost
that does not grow with the page; the admin shows them read-only."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from milidip.sources.models import ImportRun, ImportRunRow, Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/sources/mme-test/runs/"


@pytest.fixture
def dataset():
    return SourceFactory(
        slug="mme-test",
        title="MME (test)",
        kind=Source.Kind.DATASET,
        collection=Source.Collection.MME,
        file="datasets/mme_v7.csv",
        checksum="",
    )


def make_runs(dataset, number, *, rows=3):
    start = timezone.now() - datetime.timedelta(days=10)
    for index in range(number):
        started = start + datetime.timedelta(hours=index)
        run = ImportRun.objects.create(
            dataset="mme",
            files=[{"input": "exercises", "file": "seeds/datasets/mme_v7.csv", "sha256": "0" * 64}],
            started=started,
            finished=started + datetime.timedelta(seconds=30),
            counts={"missions.Exercise": {"created": index, "skipped": 1}},
        )
        run.sources.set([dataset])
        ImportRunRow.objects.bulk_create(
            ImportRunRow(
                run=run,
                model="missions.Exercise",
                locator=f"seeds/datasets/mme_v7.csv:{198 + line}",
                outcome="corrected",
                reason="the exercise ends before it starts: imported without its end",
            )
            for line in range(rows)
        )


def test_the_runs_come_newest_first_with_their_rows(dataset):
    make_runs(dataset, 2)
    source = APIClient().get("/api/v1/sources/mme-test/").json()
    assert source["runs"] == f"http://testserver{RUNS}"
    body = APIClient().get(RUNS).json()
    assert body["count"] == 2
    newest = body["results"][0]
    assert newest["counts"] == {"missions.Exercise": {"created": 1, "skipped": 1}}
    assert newest["files"][0]["sha256"] == "0" * 64
    assert newest["user"] is None
    assert newest["rows"][0] == {
        "model": "missions.Exercise",
        "locator": "seeds/datasets/mme_v7.csv:198",
        "outcome": "corrected",
        "reason": "the exercise ends before it starts: imported without its end",
    }
    assert body["results"][1]["started"] < newest["started"]


def test_an_article_has_no_runs_and_an_unknown_source_is_a_404(dataset):
    assert (
        APIClient().get("/api/v1/sources/us-south-korea-military-alliance/").json()["runs"] is None
    )
    assert (
        APIClient().get("/api/v1/sources/us-south-korea-military-alliance/runs/").json()["count"]
        == 0
    )
    assert APIClient().get("/api/v1/sources/no-such-source/runs/").status_code == 404
    refused = APIClient().get(RUNS, {"page_size": 501})
    assert refused.status_code == 400
    assert "page_size" in refused.json()["errors"]


def test_the_runs_cost_the_same_queries_whatever_the_page_size(dataset):
    make_runs(dataset, 12, rows=5)
    counts = []
    for size in (1, 12):
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().get(RUNS, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_admin_shows_runs_read_only(dataset):
    make_runs(dataset, 1)
    run = ImportRun.objects.get()
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="not-used-12345"))
    assert client.get("/admin/sources/importrun/").status_code == 200
    page = client.get(f"/admin/sources/importrun/{run.pk}/change/")
    assert page.status_code == 200
    assert b"seeds/datasets/mme_v7.csv:198" in page.content
    assert b'name="_save"' not in page.content
    assert client.get("/admin/sources/importrun/add/").status_code == 403


@pytest.mark.parametrize("model", ["importrun", "mergedslug", "conflict"])
def test_rows_milidip_writes_are_read_only_even_to_a_superuser(db, model):
    """Import runs, merged slugs and conflicts are written by milidip's own code: the admin lists
    them but offers no way to add one or delete them in bulk."""
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="not-used-12345"))
    listing = client.get(f"/admin/sources/{model}/")
    assert listing.status_code == 200
    assert b'value="delete_selected"' not in listing.content
    assert client.get(f"/admin/sources/{model}/add/").status_code == 403
