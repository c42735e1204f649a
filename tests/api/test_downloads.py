"""Whole-dataset downloads (issue 13, point 10): every published record of each resource as CSV
and JSON Lines, and the whole public database as one Frictionless Data Package; streamed, with no
page cap, in constant memory, costed by their size, and never with a draft in them."""

import csv
import gc
import io
import json
import tracemalloc
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from milidip.explore.downloads import DATASETS
from milidip.records import Status
from missions.models import Challenge
from tests.api.helpers import API, RESOURCES, ChallengeFactory, DatasetSourceFactory
from tests.factories import AllianceFactory, ExerciseFactory, TreatyFactory

pytestmark = pytest.mark.django_db

DOWNLOADS = f"{API}downloads/"
PACKAGE = f"{DOWNLOADS}milidip-datapackage.zip"


def content(response):
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    return b"".join(response.streaming_content)


def download(client, name, file_format, **headers):
    return content(client.get(f"{DOWNLOADS}{name}.{file_format}", **headers))


def csv_of(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def jsonl_of(data):
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def list_pages(client, name, fmt="json"):
    """Every page of a list as an anonymous reader gets it, walking the Link header."""
    url = f"{RESOURCES[name].url}?page_size=500&format={fmt}"
    results, header = [], None
    while url:
        response = client.get(url)
        assert response.status_code == 200
        if fmt == "json":
            results += response.json()["results"]
        else:
            rows = csv_of(response.content)
            header, results = rows[0], results + rows[1:]
        url = next(
            (
                part.split(">")[0][1:]
                for part in response["Link"].split(", ")
                if 'rel="next"' in part
            ),
            None,
        )
    return header, results


@pytest.fixture
def no_budgets(settings):
    settings.API_ANON_BUDGET = None
    settings.API_USER_BUDGET = None
    settings.API_ANON_HEAVY_BUDGET = None
    settings.API_ANON_HEAVY_CONCURRENCY = None
    return settings


@pytest.fixture
def drafts():
    """A draft and a retracted record of several resources, and a published treaty of a draft
    alliance: the slugs that must appear in no download."""
    draft_alliance = AllianceFactory(slug="draft-pact-xyz", name="Draft Pact", status=Status.DRAFT)
    TreatyFactory(slug="public-treaty-of-draft-pact", alliance=draft_alliance)
    ExerciseFactory(slug="draft-drill-xyz", status=Status.DRAFT)
    ChallengeFactory(slug="draft-challenge-xyz", status=Status.DRAFT)
    DatasetSourceFactory(slug="draft-dataset-xyz", status=Status.DRAFT)
    AllianceFactory(
        slug="retracted-pact-xyz", status=Status.RETRACTED, retraction_reason="Not a pact."
    )
    return [
        "draft-pact-xyz",
        "draft-drill-xyz",
        "draft-challenge-xyz",
        "draft-dataset-xyz",
        "retracted-pact-xyz",
        "Draft Pact",
    ]


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_csv_download_is_every_page_of_the_list_in_one_file(api, name):
    header, rows = list_pages(api, name, "csv")
    assert csv_of(download(api, name, "csv")) == [header, *rows]


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_json_lines_download_is_every_record_of_the_list_one_a_line(api, name):
    _, records = list_pages(api, name)
    assert records
    assert jsonl_of(download(api, name, "jsonl")) == records


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
@pytest.mark.parametrize("name", list(DATASETS))
def test_drafts_never_appear_in_a_download_even_for_a_curator(curator, drafts, name, file_format):
    data = download(curator, name, file_format).decode("utf-8")
    for text in drafts:
        assert text not in data


def test_drafts_never_appear_in_the_data_package_even_for_a_curator(curator, drafts, no_budgets):
    archive = zipfile.ZipFile(io.BytesIO(content(curator.get(PACKAGE))))
    for member in archive.namelist():
        data = archive.read(member).decode("utf-8")
        for text in drafts:
            assert text not in data, (member, text)
    assert "public-treaty-of-draft-pact" in archive.read("treaties.jsonl").decode()


def test_a_published_record_hides_its_reference_to_a_draft(api, drafts):
    treaties = {row["slug"]: row for row in jsonl_of(download(api, "treaties", "jsonl"))}
    assert treaties["public-treaty-of-draft-pact"]["alliance"] is None


def test_a_download_has_no_page_cap(api, no_budgets):
    Challenge.objects.bulk_create(
        Challenge(slug=f"bulk-{n}", name=f"Bulk {n}", category="cyber", status=Status.PUBLISHED)
        for n in range(1234)
    )
    published = Challenge.objects.filter(status=Status.PUBLISHED).count()
    assert published > 1234
    assert len(jsonl_of(download(api, "challenges", "jsonl"))) == published
    assert len(csv_of(download(api, "challenges", "csv"))) == published + 1


def test_the_data_package_holds_every_file_and_names_each_sources_citation_and_licence(
    api, no_budgets
):
    DatasetSourceFactory(
        slug="un-pko", citation_text="United Nations, Peace and Security Data Hub", licence="CC BY"
    )
    archive = zipfile.ZipFile(io.BytesIO(content(api.get(PACKAGE))))
    package = json.loads(archive.read("datapackage.json"))
    paths = {resource["path"] for resource in package["resources"]}
    assert paths == {f"{name}.{fmt}" for name in DATASETS for fmt in ("csv", "jsonl")}
    assert set(archive.namelist()) == paths | {"datapackage.json"}
    for name in DATASETS:
        assert archive.read(f"{name}.csv") == download(api, name, "csv")
        assert archive.read(f"{name}.jsonl") == download(api, name, "jsonl")
        resource = next(r for r in package["resources"] if r["path"] == f"{name}.csv")
        header = csv_of(archive.read(f"{name}.csv"))[0]
        assert [field["name"] for field in resource["schema"]["fields"]] == header
        assert resource["schema"]["primaryKey"] in header
    sources = {source["slug"]: source for source in package["sources"]}
    assert sources["un-pko"]["citation"] == "United Nations, Peace and Security Data Hub"
    assert sources["un-pko"]["licence"] == "CC BY"
    for source in jsonl_of(download(api, "sources", "jsonl")):
        assert sources[source["slug"]]["title"] == source["title"]
    assert package["licenses"] and package["profile"] == "data-package"


def test_the_index_lists_each_dataset_with_its_rows_and_files(api):
    index = api.get(DOWNLOADS)
    assert index.status_code == 200
    data = index.json()
    assert [dataset["name"] for dataset in data["datasets"]] == list(DATASETS)
    assert data["package"] == f"http://testserver{PACKAGE}"
    for dataset in data["datasets"]:
        rows = jsonl_of(download(api, dataset["name"], "jsonl"))
        assert dataset["rows"] == len(rows)
        assert dataset["csv"] == f"http://testserver{DOWNLOADS}{dataset['name']}.csv"
        assert dataset["jsonl"] == f"http://testserver{DOWNLOADS}{dataset['name']}.jsonl"
    assert data["sources"] and all("citation" in s and "licence" in s for s in data["sources"])
    assert api.get(API).json()["downloads"] == f"http://testserver{DOWNLOADS}"


def test_a_download_is_a_named_attachment_readable_from_any_origin(api):
    response = api.get(f"{DOWNLOADS}exercises.csv", HTTP_ORIGIN="https://example.org")
    content(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="milidip-exercises.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    jsonl = api.get(f"{DOWNLOADS}exercises.jsonl", HTTP_ACCEPT="text/csv")
    content(jsonl)
    assert jsonl["Content-Type"] == "application/jsonl; charset=utf-8"


def test_a_download_takes_no_parameters(api):
    response = api.get(f"{DOWNLOADS}exercises.csv", {"page_size": "10"})
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


@pytest.mark.parametrize("path", ["nothing.csv", "exercises.xml", "exercises.csv/"])
def test_an_unknown_dataset_or_format_is_a_404(api, path):
    assert api.get(f"{DOWNLOADS}{path}").status_code == 404


def test_a_download_costs_as_much_as_a_list_of_as_many_rows(api, settings):
    settings.API_ANON_BUDGET = (150, 86400)
    settings.API_ANON_HEAVY_BUDGET = None
    settings.API_ANON_HEAVY_CONCURRENCY = None
    Challenge.objects.bulk_create(
        Challenge(slug=f"bulk-{n}", name=f"Bulk {n}", category="cyber", status=Status.PUBLISHED)
        for n in range(1500)
    )
    # 1 + 1,500+ rows / 10 + 5 (CSV) > 150: the download is served, and the budget is spent.
    content(api.get(f"{DOWNLOADS}challenges.csv"))
    assert api.get(f"{API}countries/").status_code == 429


def peak_memory(client, url):
    """The peak of Python memory allocated while one response is made and read to its end.

    What the process held before is frozen out of the collector's sight (gc.freeze) for the
    measure: Python collects its oldest generation only once it has grown by a quarter, so in a
    process holding millions of objects (the whole suite's) the garbage a download leaves was
    collected late and counted in its peak: +10 MB in a full run, and +53 MB with three million
    objects held, where alone it is +3 MB (and +3 MB with them held, frozen)."""
    gc.collect()
    gc.freeze()
    gc.collect()  # a full collection of nothing: the oldest generation now counts as empty
    tracemalloc.start()
    tracemalloc.reset_peak()
    response = client.get(url)
    size = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    gc.unfreeze()
    assert response.status_code == 200
    return peak, size


def test_a_download_streams_in_constant_memory(api, no_budgets, capsys):
    """Reading 6,000 records takes about the memory of 2,000: the 4,000 more cost less than twice
    their bytes, far less than holding them would (figures printed for the record)."""
    bulk = [
        Challenge(
            slug=f"bulk-{n}",
            name=f"Bulk challenge {n}",
            category="cyber",
            description="A challenge made for the memory test. " * 5,
            status=Status.PUBLISHED,
        )
        for n in range(6000)
    ]
    Challenge.objects.bulk_create(bulk[:2000])
    peak_memory(api, f"{DOWNLOADS}challenges.jsonl")  # once first: imports and caches warm up
    peak_memory(api, f"{API}challenges/?page_size=500")
    # The lower of two peaks: one pass can catch the collector late by a few megabytes.
    small, small_size = min(peak_memory(api, f"{DOWNLOADS}challenges.jsonl") for _ in range(2))
    Challenge.objects.bulk_create(bulk[2000:])
    large, large_size = min(peak_memory(api, f"{DOWNLOADS}challenges.jsonl") for _ in range(2))
    page, page_size = peak_memory(api, f"{API}challenges/?page_size=500")
    with capsys.disabled():
        print(
            f"\npeak memory: download of 2,000 records {small / 1e6:.1f} MB "
            f"({small_size:,} bytes); of 6,000 {large / 1e6:.1f} MB ({large_size:,} bytes); "
            f"a 500-record list page {page / 1e6:.1f} MB ({page_size:,} bytes)"
        )
    assert large_size > 2.5 * small_size
    # Held in memory, the 4,000 more records would cost several times their bytes (a model
    # instance and a dict of Python strings each, ~3.5 KB against ~640 bytes of JSON: ~14 MB);
    # streamed, the peak grows by about their bytes and then stays flat (measured: +2.3 to
    # +6.5 MB for 2.5 MB more, the most on a loaded machine; flat from 6,000 to 24,000
    # records at ~21 MB). A list page is no longer the yardstick: since the read plans, a
    # 500-record page costs ~1.7 MB.
    assert large - small < 4 * (large_size - small_size)


@pytest.mark.parametrize("name", list(DATASETS))
def test_a_download_costs_a_few_queries_per_500_records_not_per_record(api, no_budgets, name):
    """Each chunk of 500 records is read with its prefetches: the count grows with the chunks."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            download(api, name, "jsonl")
        return len(captured)

    before = queries()
    for _ in range(40):
        RESOURCES[name].make()
    assert queries() == before


def test_a_head_request_reads_no_records(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = api.head(f"{DOWNLOADS}exercises.jsonl")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b""
    assert response["Content-Disposition"] == 'attachment; filename="milidip-exercises.jsonl"'
