"""What issue 11 fills from the files, through the API, with every dataset imported from the
real files: each contributing country's personnel month by month (IPI's country series), the
monthly strengths flagged outside their missions' dates, mission hosts from IPI, readable
generated alliance names, regions and Gleditsch-Ward codes from country-converter, and end
dates that say what they mean.

The datasets are imported once for this module (inside a transaction rolled back at its end);
each test runs in its own savepoint on top, as everywhere else.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models

from alliances.models import Alliance
from milidip.datasets.importers.alliance_names import name_coded_alliances
from missions.models import ContributorMonth, MissionStrength
from tests.api.helpers import API
from tests.datasets.conftest import DATASETS_DIR, imported_for_the_module

pytestmark = pytest.mark.django_db

KOR_MONTHS = 245  # rows of "Republic of Korea" in ipi_contributor_months.csv


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(django_db_blocker, "all")


def get(api, path, status=200):
    response = api.get(API + path)
    assert response.status_code == status, response.content[:500]
    return response.json()


def test_kor_country_month_series_is_served_with_its_row(api):
    line = next(
        number
        for number, text in enumerate(
            (DATASETS_DIR / "ipi_contributor_months.csv").read_text().splitlines(), start=1
        )
        if text.startswith("Republic of Korea,2010-01-31,")
    )
    page = get(api, "countries/KOR/contributions/?year_from=2010&year_to=2010")
    assert page["count"] == 12
    january = page["results"][0]
    assert january == {
        "month": "2010-01",
        "month_earliest": "2010-01-01",
        "month_latest": "2010-01-31",
        "troops": 480,
        "police": 4,
        "experts": 25,
        "total": 509,
        "source": "ipi-peacekeeping-contributor-months",
        "locator": f"ipi_contributor_months.csv:{line}",
    }
    assert [point["month"] for point in page["results"]] == [
        f"2010-{month:02d}" for month in range(1, 13)
    ]
    assert get(api, "countries/KOR/contributions/")["count"] == KOR_MONTHS
    first = get(api, "countries/KOR/contributions/?page_size=1")["results"][0]
    assert (first["month"], first["troops"], first["police"]) == ("1993-06", 61, None)


def test_the_dossier_sums_up_the_series_and_links_it(api):
    summary = get(api, "countries/KOR/dossier/")["un_personnel"]
    months = ContributorMonth.objects.filter(country__code="KOR")
    assert summary["months"] == KOR_MONTHS
    assert (summary["first_month"], summary["last_month"]) == ("1993-06", "2014-03")
    assert summary["troop_months"] == sum(point.troops or 0 for point in months)
    assert summary["url"].endswith(f"{API}countries/KOR/contributions/")


def test_bad_year_range_and_unknown_parameters_are_4xx(api):
    assert get(api, "countries/KOR/contributions/?year_from=abc", status=400)
    assert get(api, "countries/KOR/contributions/?mission=unifil", status=400)
    assert get(api, "countries/XXZ/contributions/", status=404)


def test_reimporting_the_country_series_changes_nothing():
    before = ContributorMonth.objects.count()
    out = StringIO()
    call_command("import_dataset", "ipi-contributors", stdout=out, stderr=StringIO())
    assert "0 created, 0 updated, 25657 unchanged" in out.getvalue()
    assert ContributorMonth.objects.count() == before == 25657


def test_strengths_outside_their_missions_dates_are_flagged_and_filterable(api):
    flagged = MissionStrength.objects.filter(outside_mission_dates=True)
    missions = set(flagged.values_list("mission__slug", flat=True))
    assert len(missions) == 17
    slug = sorted(missions)[0]
    page = get(api, f"missions/{slug}/strengths/?outside_mission_dates=true&page_size=100")
    assert page["count"] == flagged.filter(mission__slug=slug).count() > 0
    assert all(point["outside_mission_dates"] for point in page["results"])
    inside = get(api, f"missions/{slug}/strengths/?outside_mission_dates=false")
    assert not any(point["outside_mission_dates"] for point in inside["results"])
    get(api, f"missions/{slug}/strengths/?outside_mission_dates=maybe", status=400)


def test_unifil_is_hosted_by_lebanon_from_ipi_and_found_by_host(api):
    unifil = get(api, "missions/?un_acronym=UNIFIL")["results"][0]
    assert [host["code"] for host in unifil["hosts"]] == ["LBN"]
    notes = {citation["note"] for citation in unifil["citations"]}
    assert "Country of mission LBN" in notes
    found = get(api, "missions/?host=LBN&page_size=100")
    assert unifil["slug"] in {mission["slug"] for mission in found["results"]}


def test_an_ipi_only_mission_starts_at_its_first_ipi_month_marked_as_such(api):
    unmin = get(api, "missions/un-unmin/")
    assert unmin["start"] == "2007-02"
    assert any(
        "start: its first month in IPI" in citation["note"] for citation in unmin["citations"]
    )


def test_south_sudan_has_its_gleditsch_ward_code_and_a_cited_region(api):
    south_sudan = get(api, "countries/SSD/")
    assert (south_sudan["gw_code"], south_sudan["region"]) == (626, "africa")
    cited = [
        citation
        for citation in south_sudan["citations"]
        if citation["source"]["slug"] == "country-converter-v1-3-2"
    ]
    assert [citation["note"] for citation in cited] == [
        "UN M49 sub-region Eastern Africa; Gleditsch-Ward code 626"
    ]
    korea = get(api, "countries/KOR/")
    assert korea["region"] == "east-asia"


def test_coded_alliances_get_readable_generated_names_and_a_curators_name_wins(api):
    pact = get(api, "alliances/?atop_id=4125")["results"][0]
    assert pact["short_name"] == "Non-aggression pact: PRK, KOR (1991)"
    assert Alliance.objects.get(atop_id=4125).short_name_generated
    assert not Alliance.objects.filter(short_name__regex=r"^(ATOP|COW) [0-9]+$").exists()
    named = Alliance.objects.get(atop_id=4125)
    named.short_name = "Inter-Korean Basic Agreement"
    named.save()
    assert not named.short_name_generated
    assert name_coded_alliances() == 0
    named.refresh_from_db()
    assert named.short_name == "Inter-Korean Basic Agreement"
    # The curated alliances keep their own names.
    assert get(api, "alliances/rok-us-alliance/")["short_name"] == "US-South Korea alliance"


def slugs(api, path):
    page = get(api, path + "&page_size=100")
    assert page["count"] <= 100
    return {record["slug"] for record in page["results"]}


def test_censored_and_unknown_ends_are_told_apart_by_the_filters(api):
    # ATOP 4930 (1999) has no end: in force when ATOP's coverage ends (2016), censored.
    pact = get(api, "alliances/?atop_id=4930")["results"][0]
    assert (pact["end"], pact["end_kind"], pact["coverage_end"]) == (None, "censored", "2016")
    assert slugs(api, "alliances/?atop_id=4930&end_kind=censored") == {pact["slug"]}
    assert slugs(api, "alliances/?atop_id=4930&active_in=2010") == {pact["slug"]}
    assert slugs(api, "alliances/?atop_id=4930&active_in=2017") == set()
    assert slugs(api, "alliances/?atop_id=4930&ended_by=2020") == set()
    # The EU partnership's end is blank and no source says why: unknown, never counted as
    # in force or as ended (`european-union` was merged into it: seeds/datasets/curated_merges.csv).
    eu = "rok-eu-strategic-partnership"
    union = get(api, f"alliances/{eu}/")
    assert (union["end"], union["end_kind"]) == (None, "unknown")
    # No coverage end: null on every database, now that it is shown as a partial date (as
    # plain text it read "" on PostgreSQL after the merge and null on SQLite).
    assert union["coverage_end"] is None
    assert (union["coverage_end_earliest"], union["coverage_end_latest"]) == (None, None)
    assert eu in slugs(api, "alliances/?end_kind=unknown&search=European")
    assert eu not in slugs(api, "alliances/?active_in=2010&search=European")
    assert eu not in slugs(api, "alliances/?ended_by=2020&search=European")
    # A COW alliance without an end is censored at COW's 2012.
    cow = Alliance.objects.filter(slug__startswith="cow-", end="").first()
    assert (cow.end_kind, cow.coverage_end) == ("censored", "2012")


def test_an_ended_alliance_counts_by_its_end_year(api):
    ended = Alliance.objects.filter(end_kind="ended", atop_id__isnull=False).exclude(
        end__startswith=models.F("start")
    )[0]
    year = int(ended.end[:4])
    path = f"alliances/?atop_id={ended.atop_id}"
    assert slugs(api, f"{path}&ended_by={year}") == {ended.slug}
    assert slugs(api, f"{path}&ended_by={year - 1}") == set()
    assert slugs(api, f"{path}&active_in={year}") == {ended.slug}
    assert slugs(api, f"{path}&active_in={year + 1}") == set()


def test_a_mission_ipi_still_reports_is_censored_at_its_last_month(api):
    unama = get(api, "missions/un-unama/")
    assert (unama["end"], unama["end_kind"], unama["coverage_end"]) == (None, "censored", "2017-03")
    assert "un-unama" in slugs(api, "missions/?end_kind=censored&un_acronym=UNAMA")
    assert "un-unama" in slugs(api, "missions/?active_in=2017&un_acronym=UNAMA")
    assert "un-unama" not in slugs(api, "missions/?active_in=2018&un_acronym=UNAMA")


def test_bad_end_filters_are_400(api):
    get(api, "alliances/?end_kind=forever", status=400)
    get(api, "alliances/?active_in=abc", status=400)
    get(api, "missions/?ended_by=0", status=400)


def test_the_dossier_says_what_each_membership_end_means(api):
    memberships = get(api, "countries/KOR/dossier/")["alliances"]
    kinds = {
        m["alliance"]["slug"]: (m["end"], m["end_kind"], m["coverage_end"]) for m in memberships
    }
    # The 1991 inter-Korean pact: COW 344 and ATOP 4125 are one record, in force when each
    # source's coverage ends (COW's 2012 or ATOP's 2016: the last import's coding).
    pact = Alliance.objects.get(atop_id=4125).slug
    end, kind, coverage_end = kinds[pact]
    assert (end, kind) == (None, "censored") and coverage_end in ("2012", "2016")
    assert all(kind != "ended" or end for end, kind, _ in kinds.values())
