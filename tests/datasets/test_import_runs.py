"""Every import run is kept with what it skipped, merged and corrected, and the curated merges
come out of every fresh import: the real files, imported once for the module, in the order of
`import_dataset all`."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from alliances.models import Alliance
from milidip.datasets.importers import DATASETS
from milidip.sources.models import ImportRun, MergedSlug
from missions.models import Exercise, Mission
from tests.datasets.conftest import imported_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def everything(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(django_db_blocker, *DATASETS)


def rows(dataset, outcome):
    run = ImportRun.objects.filter(dataset=dataset).latest("started")
    return list(run.rows.filter(outcome=outcome).values_list("locator", "reason"))


def test_the_atop_run_keeps_the_row_it_skipped_and_the_phases_it_merged():
    run = ImportRun.objects.filter(dataset="atop").earliest("started")
    assert [file["file"] for file in run.files] == [
        "seeds/datasets/atop4_alliance_level.csv",
        "seeds/datasets/atop4_01_member_level.csv",
    ]
    assert all(len(file["sha256"]) == 64 for file in run.files)
    assert run.finished >= run.started
    assert run.counts["alliances.Membership"]["skipped"] == 1
    # The row whose member (COW 8152) is no state: atop-1320 is left with France alone.
    assert rows("atop", "skipped") == [
        (
            "seeds/datasets/atop4_01_member_level.csv:203",
            "unknown country: no country has COW code 8152",
        )
    ]
    assert list(
        Alliance.objects.get(slug="atop-1320").memberships.values_list("country__code", flat=True)
    ) == ["FRA"]
    merged = rows("atop", "merged")
    assert len(merged) == 7
    assert all("enters two phases of ATOP" in reason for _, reason in merged)


def test_the_mme_run_keeps_the_unnamed_participants_and_the_dropped_ends():
    skipped = [reason for _, reason in rows("mme", "skipped")]
    assert skipped.count("the participant is coded -9: MME names no one") == 208
    corrected = rows("mme", "corrected")
    assert [locator for locator, _ in corrected] == [
        f"seeds/datasets/mme_v7.csv:{row}" for row in (198, 322, 1887, 2456, 2903, 3367)
    ]
    assert "imported without its end" in corrected[0][1]


def test_a_second_run_is_recorded_as_a_run_of_its_own():
    before = ImportRun.objects.filter(dataset="atop").count()
    call_command("import_dataset", "atop", stdout=StringIO(), stderr=StringIO())
    runs = ImportRun.objects.filter(dataset="atop")
    assert runs.count() == before + 1
    assert rows("atop", "skipped")[0][0] == "seeds/datasets/atop4_01_member_level.csv:203"
    # The 7 phase pairs; ATOP 4125 is no merge of a row: the import codes it on COW 344 itself.
    assert len(rows("atop", "merged")) == 7


def test_the_source_serves_its_runs_with_their_rows():
    source = APIClient().get("/api/v1/sources/atop-v4-01-member-level/").json()
    assert source["runs"].endswith("/api/v1/sources/atop-v4-01-member-level/runs/")
    runs = APIClient().get(source["runs"]).json()
    latest = runs["results"][0]
    assert latest["dataset"] == "atop"
    assert {
        "model": "alliances.Membership",
        "locator": "seeds/datasets/atop4_01_member_level.csv:203",
        "outcome": "skipped",
        "reason": "unknown country: no country has COW code 8152",
    } in latest["rows"]
    article = APIClient().get("/api/v1/sources/us-south-korea-military-alliance/").json()
    assert article["runs"] is None


def test_aggregate_un_missions_are_the_parents_of_their_parts():
    def parts(slug):
        return sorted(Mission.objects.filter(part_of__slug=slug).values_list("slug", flat=True))

    assert parts("un-unosom") == ["un-unosom-i", "un-unosom-ii"]
    assert parts("un-unavem") == ["un-unavem-i", "un-unavem-ii"]
    assert parts("un-unef") == ["un-unef-i", "un-unef-ii"]


def test_the_exercise_series_spelt_two_ways_are_one():
    for gone, kept in [
        ("peninsual-shield", "peninsula-shield"),
        ("vzaimodeystviye", "vzaimodeistviye"),
        ("malindo-darsara", "malindo-darsasa"),
        ("nikoforos", "nikiforos"),
        ("mme3156", "mme3485"),
    ]:
        assert not Exercise.objects.filter(slug=gone).exists()
        response = APIClient().get(f"/api/v1/exercises/{gone}/")
        assert response.status_code == 301
        assert response["Location"].endswith(f"/api/v1/exercises/{kept}/")
    assert Exercise.objects.get(slug="nikiforos").iterations.count() == 7
    assert Exercise.objects.filter(name="VENBRA 5").count() == 1
    run = MergedSlug.objects.get(old_slug="nikoforos").run
    assert run.dataset == "curated-merges"


def test_the_eu_partnership_is_one_record_and_the_old_slug_leads_to_it():
    response = APIClient().get("/api/v1/alliances/european-union/")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/alliances/rok-eu-strategic-partnership/")
    partnership = Alliance.objects.get(slug="rok-eu-strategic-partnership")
    assert list(partnership.memberships.values_list("country__code", "role")) == [("KOR", "member")]


def test_south_koreas_dossier_shows_the_1991_inter_korean_pact_once():
    dossier = APIClient().get("/api/v1/countries/KOR/dossier/").json()
    pacts = [
        entry
        for entry in dossier["alliances"]
        if entry["start"] == "1991-12-13" and entry["role"] == "member"
    ]
    assert len(pacts) == 1
    assert pacts[0]["alliance"]["slug"] == "cow-344"
    assert (
        APIClient()
        .get("/api/v1/alliances/atop-4125/")["Location"]
        .endswith("/api/v1/alliances/cow-344/")
    )


def test_a_re_import_does_not_bring_a_merged_record_back():
    call_command("import_dataset", "mme", stdout=StringIO(), stderr=StringIO())
    assert not Exercise.objects.filter(slug__in=["nikoforos", "mme3156"]).exists()
    assert Exercise.objects.get(slug="mme1580").series.slug == "nikiforos"
    merged = rows("mme", "merged")
    assert (
        "seeds/datasets/mme_v7.csv:3367",
        "mme3156 was merged into mme3485: the row goes to that record",
    ) in merged
