"""Public pages of the datasets' records: a sample of each dataset's records of every kind
renders, showing each dataset row it cites with the dataset's citation and licence, and its
JSON-LD names the dataset with its licence. The datasets are imported once for the module
(inside a transaction rolled back at its end)."""

import pytest
from django.test import Client
from django.utils.html import escape

from milidip.pages.records import DOSSIER_LIMIT, KINDS
from milidip.records import Status
from milidip.sources.models import Source
from missions.models import ExerciseParticipant
from tests.datasets.conftest import imported_for_the_module
from tests.pages.helpers import jsonld, page, page_path, text

pytestmark = pytest.mark.django_db

SAMPLE = 3


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(django_db_blocker, "all")


def sample(kind, source):
    """The first SAMPLE published records of `kind` that cite `source`."""
    citations = kind.model.citations.rel.related_model.objects.filter(source=source)
    records = kind.model.objects.published().filter(pk__in=citations.values("record"))
    return list(records.order_by(kind.lookup)[:SAMPLE])


@pytest.mark.parametrize("collection", ["cow", "atop", "mme", "un", "ipi"])
def test_a_sample_of_each_datasets_records_renders_with_its_rows_citation_and_licence(
    collection,
):
    client = Client()
    sources = list(Source.objects.filter(collection=collection, kind="dataset"))
    assert sources, f"the {collection} dataset is imported"
    shown = 0
    for source in sources:
        for kind in KINDS.values():
            if kind.model is Source:
                continue
            for record in sample(kind, source):
                response = page(client, page_path(kind.name, record))
                html = text(response)
                for citation in record.citations.filter(source=source):
                    assert citation.locator in html
                assert (source.licence or "unknown") in html
                assert escape(source.citation_text) in html
                data = jsonld(response)
                based_on = {item["name"]: item for item in data["isBasedOn"]}
                assert based_on[source.title].get("license", "") == source.licence
                shown += 1
        source_page = page(client, page_path("source", source))
        assert jsonld(source_page)["@type"] == "Dataset"
    assert shown >= SAMPLE, f"records of {collection} were shown"


def test_the_sitemap_of_a_large_section_lists_exactly_the_published_records():
    client = Client()
    kind = KINDS["exercise"]
    listed = set()
    number = 1
    while True:
        response = client.get(f"/sitemap-{kind.plural}.xml", {"p": number})
        if response.status_code == 404:
            break
        body = text(response)
        listed |= {
            chunk.split("</loc>")[0].removeprefix("http://testserver")
            for chunk in body.split("<loc>")[1:]
        }
        number += 1
    expected = {record.get_absolute_url() for record in kind.model.objects.published()}
    assert len(expected) > 100
    assert listed == expected


def test_a_big_country_page_summarises_its_sections_with_links_to_the_filtered_lists(
    django_assert_max_num_queries,
):
    client = Client()
    # The data version, the country, its citations, a query per section (six), and a count for
    # each section longer than the page shows (at most six): 15 at most, 11 here.
    with django_assert_max_num_queries(11):
        html = text(page(client, "/countries/USA/"))
    assert "/exercises/?country=USA" in html
    assert "See all" in html
    exercises = ExerciseParticipant.objects.filter(
        country__code="USA", exercise__status=Status.PUBLISHED
    ).count()
    assert exercises > DOSSIER_LIMIT
    assert f'<a href="#exercises">Exercises ({exercises})</a>' in html
    assert f"Showing {DOSSIER_LIMIT} of {exercises}." in html
