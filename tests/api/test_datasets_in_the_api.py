"""The datasets through the API: the links to the articles' records, the `collection` filter,
the new fields and the monthly strengths, with every dataset imported from the real files.

The datasets are imported once for this module (inside a transaction rolled back at its end);
each test runs in its own savepoint on top, as everywhere else.
"""

import csv

import pytest

from alliances.models import Alliance, Country
from milidip.sources.models import Source
from missions.models import Exercise, Mission
from tests.api.helpers import API, RESOURCES
from tests.api.test_stable_paging import assert_each_exactly_once, orderings, page_through
from tests.datasets.conftest import DATASETS_DIR, imported_for_the_module

pytestmark = pytest.mark.django_db

COW_ALLIANCES = 414
ATOP_ALLIANCES = 745
UN_MISSIONS = 81
KOREAN_DEPLOYMENTS_IN_UN_MISSIONS = 2  # they cite the UNIFIL and UNMISS rows
FOAL_EAGLE_IN_MME = 16  # series "FE" in mme_v7.csv: Foal Eagle 89 ... Foal Eagle 2010


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(django_db_blocker, "all")


def get(api, path, status=200):
    response = api.get(API + path)
    assert response.status_code == status, response.content[:500]
    return response.json()


def collections(record):
    return {citation["source"]["collection"] for citation in record["citations"]}


def test_the_1953_treaty_names_its_alliance_with_its_cow_and_atop_ids(api):
    treaty = get(api, "treaties/rok-us-mutual-defense-treaty/")
    assert treaty["alliance"]["slug"] == "rok-us-alliance"
    assert treaty["alliance"]["cow_id"] == 236
    assert treaty["alliance"]["atop_id"] == 3240


def test_the_articles_alliance_is_cow_236_and_atop_3240_not_a_duplicate(api):
    alliance = get(api, "alliances/rok-us-alliance/")
    assert (alliance["cow_id"], alliance["atop_id"]) == (236, 3240)
    assert collections(alliance) == {"articles", "cow", "atop"}
    codes = sorted(membership["country"]["code"] for membership in alliance["memberships"])
    assert codes == ["KOR", "USA"]
    for dataset_id in ("cow_id=236", "atop_id=3240"):
        page = get(api, f"alliances/?{dataset_id}")
        assert [record["slug"] for record in page["results"]] == ["rok-us-alliance"]
    assert get(api, "alliances/?cow_id=236&collection=articles")["count"] == 1


def test_cow_and_atop_codings_of_one_alliance_are_one_record(api):
    # ATOP 3785 (1977) and 3810 (1978) both give cow4id 300, the ECOWAS-area pacts: the first
    # by start is COW 300's record, the other stays apart, linked to it.
    cow = get(api, "alliances/?cow_id=300")["results"][0]
    assert cow["atop_id"] == 3785
    assert get(api, "alliances/?atop_id=3785")["results"][0]["slug"] == cow["slug"]
    assert collections(cow) == {"cow", "atop"}
    other = get(api, "alliances/?atop_id=3810")["results"][0]
    assert other["cow_alliance"]["slug"] == cow["slug"]
    assert other["cow_alliance"]["cow_id"] == 300
    assert collections(other) == {"atop"}
    assert [ref["atop_id"] for ref in cow["atop_alliances"]] == [3810]


def test_memberships_show_each_members_obligations_and_censoring(api):
    alliance = get(api, "alliances/rok-us-alliance/")
    by_code = {membership["country"]["code"]: membership for membership in alliance["memberships"]}
    # COW codes the United States' promise to defend South Korea, not the reverse; ATOP and
    # the article say both promised: shown true, COW's false kept as a claim, in dispute.
    assert by_code["USA"]["obligations"]["defence"] is True
    assert by_code["KOR"]["obligations"]["defence"] is True
    assert "members/KOR/defence" in alliance["disputed"]
    assert by_code["USA"]["right_censored"] is True


def test_foal_eagle_in_the_articles_is_the_series_of_its_mme_iterations(api):
    series = get(api, "exercises/foal-eagle/")
    assert series["kind"] == "series"
    assert series["mme_series"] == "FE"
    assert "articles" in collections(series) and "mme" in collections(series)
    iterations = get(api, f"exercises/?series=foal-eagle&page_size={FOAL_EAGLE_IN_MME + 10}")
    assert iterations["count"] == FOAL_EAGLE_IN_MME
    for iteration in iterations["results"]:
        assert iteration["kind"] == "iteration"
        assert iteration["series"]["slug"] == "foal-eagle"
        assert iteration["mme_id"].startswith("mme")
        assert {p["country"]["code"] for p in iteration["participants"]} >= {"KOR", "USA"}
    assert get(api, "exercises/?mme_id=mme832")["results"][0]["name"] == "Foal Eagle 89"


@pytest.mark.parametrize(
    ("deployment", "acronym"),
    [("rok-peacekeeping-lebanon", "UNIFIL"), ("rok-peacekeeping-south-sudan", "UNMISS")],
)
def test_a_deployment_in_the_articles_names_the_un_mission_it_serves_in(api, deployment, acronym):
    record = get(api, f"missions/{deployment}/")
    assert record["part_of"]["un_acronym"] == acronym
    mission = get(api, f"missions/?un_acronym={acronym}")["results"][0]
    assert mission["slug"] == record["part_of"]["slug"]
    assert deployment in [ref["slug"] for ref in mission["deployments"]]
    assert {"un", "ipi"} <= collections(mission)
    served = get(api, f"missions/?part_of={mission['slug']}")
    assert [ref["slug"] for ref in served["results"]] == [deployment]
    assert get(api, f"missions/?un_acronym={acronym}&collection=articles")["count"] == 0


def test_a_missions_monthly_strengths_are_paged_with_their_rows(api):
    rows = [
        (number, row)
        for number, row in enumerate(
            csv.DictReader((DATASETS_DIR / "ipi_pko_data_mission.csv").open()), start=2
        )
        if row["Mission"] == "UNIFIL"
    ]
    slug = Mission.objects.get(un_acronym="UNIFIL").slug
    first = get(api, f"missions/{slug}/strengths/?page_size=12")
    assert first["count"] == len(rows)
    number, row = rows[0]
    assert first["results"][0] == {
        "month": row["Date"][:7],
        "month_earliest": row["Date"][:8] + "01",
        "month_latest": row["Date"],  # IPI dates each month by its last day
        "troops": int(row["Troops"]),
        "police": None if row["Police"] == "NA" else int(row["Police"]),
        "observers": None if row["Observers"] == "NA" else int(row["Observers"]),
        "total": int(row["Total"]),
        "outside_mission_dates": False,
        "source": first["results"][0]["source"],
        "locator": f"ipi_pko_data_mission.csv:{number}",
    }
    assert Source.objects.get(slug=first["results"][0]["source"]).collection == "ipi"
    months = [point["month"] for point in first["results"]]
    assert months == sorted(months) and len(months) == 12
    assert get(api, f"missions/{slug}/strengths/?page_size=501", status=400)
    assert get(api, f"missions/{slug}/strengths/?year_from=2000", status=400)
    assert get(api, "missions/no-such-mission/strengths/", status=404)


def test_monthly_strengths_cost_the_same_queries_whatever_the_page_size(
    api, django_assert_num_queries
):
    slug = Mission.objects.get(un_acronym="UNIFIL").slug
    # The mission, the count and the page; the session and throttle need none.
    with django_assert_num_queries(3):
        assert len(get(api, f"missions/{slug}/strengths/?page_size=1")["results"]) == 1
    with django_assert_num_queries(3):
        assert len(get(api, f"missions/{slug}/strengths/?page_size=500")["results"]) == 316


def test_the_collection_filter_lists_records_by_where_they_come_from(api):
    assert get(api, "alliances/?collection=cow")["count"] == COW_ALLIANCES
    assert get(api, "alliances/?collection=atop")["count"] == ATOP_ALLIANCES
    assert get(api, "alliances/?collection=articles")["count"] == (
        Alliance.objects.filter(citations__source__collection="articles").distinct().count()
    )
    assert get(api, "missions/?collection=un")["count"] == (
        UN_MISSIONS + KOREAN_DEPLOYMENTS_IN_UN_MISSIONS
    )
    assert get(api, "countries/?collection=cow")["count"] == Country.objects.count()
    mme = Exercise.objects.exclude(mme_id="", mme_series="").count()
    assert get(api, "exercises/?collection=mme")["count"] == mme > 3707
    both = get(api, "alliances/?collection=cow,atop")["count"]
    assert both == Alliance.objects.exclude(cow_id=None, atop_id=None).count()
    sources = get(api, "sources/?page_size=100")["results"]
    assert {source["collection"] for source in sources} == {
        "articles",
        "cow",
        "atop",
        "mme",
        "un",
        "ipi",
        "curated",
    }


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("alliances/?collection=wikipedia", "collection"),
        ("alliances/?collection=cow,", "collection"),
        ("alliances/?cow_id=two", "cow_id"),
        ("alliances/?atop_id=0", "atop_id"),
        ("missions/?part_of=no-such-mission", "part_of"),
        ("exercises/?mme_id=" + "m" * 21, "mme_id"),
    ],
)
def test_bad_dataset_filters_are_a_400_naming_the_parameter(api, query, parameter):
    body = get(api, query, status=400)
    assert parameter in body["errors"]


@pytest.mark.parametrize("resource", ["alliances", "exercises", "missions", "countries"])
def test_a_full_page_of_dataset_records_takes_a_fixed_number_of_queries(
    api, resource, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        page = get(api, f"{resource}/?page_size=500")
    # Every list holds more dataset records than a page, except missions (81 UN + IPI's own)
    # and countries (217 COW states with the curated ones).
    expected = {"missions": range(91, 500), "countries": range(217, 500)}.get(resource, [500])
    assert len(page["results"]) in expected


@pytest.mark.parametrize("ordering", orderings(RESOURCES["alliances"]))
def test_the_alliances_page_through_each_dataset_record_exactly_once(api, settings, ordering):
    """With the real datasets, 63 COW alliance names repeat: with `page_size=50` and the order
    by name alone, cow-115 was on pages 9 and 10 and cow-120 on none. Each alliance is on exactly
    one page, in every allowed order. (Every order of every list is paged with made-up twins in
    test_stable_paging.py; the real MME exercises, paged so in every order, showed no repeat.)"""
    settings.API_ANON_BUDGET = settings.API_ANON_HEAVY_BUDGET = None  # hundreds of pages
    settings.API_ANON_HEAVY_CONCURRENCY = None
    params = {"ordering": ordering} if ordering else {}
    seen, count = page_through(api, RESOURCES["alliances"].url, "slug", page_size=50, **params)
    # COW and ATOP codings of one alliance are one record: fewer than the two files' sum.
    assert Alliance.objects.count() == count > COW_ALLIANCES
    assert_each_exactly_once(seen, count, f"alliances ordering={ordering}")
