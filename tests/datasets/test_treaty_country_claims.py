"""Claims on treaties and countries with the real files: the Mutual Defense Treaty's day from
COW and ATOP refining the articles' year; each country's region and Gleditsch-Ward code as the
claims of country-converter's table (and MME's codes), a curator's or an article's other
region shown beside it, never overwritten."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from alliances.models import Country, CountryCitation, Treaty, TreatyCitation
from milidip.sources.claims import derive, resolve
from milidip.sources.models import Conflict, Source
from tests.datasets.conftest import imported_for_the_module

pytestmark = pytest.mark.django_db

COW_FILE = "alliance_v4.1_by_member.csv"
ALLIANCE_FILE = "atop4_alliance_level.csv"
COCO_FILE = "country_converter_country_data.tsv"


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(
        django_db_blocker, "cow-states", "country-converter", "cow-alliances", "atop"
    )


def values(field):
    return [(claim["collection"], claim.get("locator", "quote"), claim["value"]) for claim in field]


def test_the_mutual_defense_treaty_is_signed_on_the_day_cow_and_atop_give_its_alliance():
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    assert treaty.signed == "1953-10-01"
    assert treaty.disputed == []
    body = APIClient().get("/api/v1/treaties/rok-us-mutual-defense-treaty/").json()
    assert body["signed"] == "1953-10-01"
    signed = body["claims"]["signed"]
    assert signed["rule"] == "agreed", "a day within the articles' year refines it"
    assert signed["shown"] == "1953-10-01"
    # The articles' three quotes of 1953, then COW 236's first row, then ATOP 3240's row.
    assert values(signed["claims"]) == [
        ("articles", "quote", "1953"),
        ("articles", "quote", "1953"),
        ("articles", "quote", "1953"),
        ("cow", f"{COW_FILE}:715", "1953-10-01"),
        ("atop", f"{ALLIANCE_FILE}:267", "1953-10-01"),
    ]


def test_the_treaty_rows_are_the_curated_pairs_only():
    cited = TreatyCitation.objects.filter(source__kind=Source.Kind.DATASET)
    assert sorted(cited.values_list("record__slug", "locator", "states")) == [
        ("rok-us-mutual-defense-treaty", f"{COW_FILE}:715", {"signed": "1953-10-01"}),
        ("rok-us-mutual-defense-treaty", f"{ALLIANCE_FILE}:267", {"signed": "1953-10-01"}),
        ("us-japan-security-treaty", f"{ALLIANCE_FILE}:295", {"signed": "1960-01-19"}),
    ]
    assert Treaty.objects.get(slug="us-japan-security-treaty").signed == "1960-01-19"


def test_a_treatys_year_that_disagrees_is_disputed_and_listed(django_user_model):
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    article = TreatyCitation.objects.filter(record=treaty, states__signed="1953").first()
    article.states = {"signed": "1954"}
    article.save()
    derive(Treaty, [treaty.pk])
    treaty.refresh_from_db()
    assert treaty.signed == "1954" and treaty.disputed == ["signed"]
    listed = APIClient().get("/api/v1/treaties/", {"disputed": "signed"}).json()
    assert [t["slug"] for t in listed["results"]] == ["rok-us-mutual-defense-treaty"]
    assert Conflict.objects.filter(object_id=treaty.pk, field="signed").exists()
    curator = User.objects.create_user("curator")
    resolve(
        record=treaty, field="signed", value="1953-10-01", reason="Signed in 1953.", user=curator
    )
    treaty.refresh_from_db()
    assert (treaty.signed, treaty.disputed) == ("1953-10-01", [])


def test_every_region_and_gw_code_cites_country_converters_row():
    korea = Country.objects.get(code="KOR")
    assert (korea.region, korea.gw_code) == ("east-asia", 732)
    assert Country.objects.get(code="SSD").gw_code == 626
    with_region = Country.objects.exclude(region="")
    cited = CountryCitation.objects.filter(source__slug="country-converter-v1-3-2")
    assert with_region.count() == cited.filter(states__has_key="region").count()
    assert not with_region.exclude(pk__in=cited.values("record")).exists()
    body = APIClient().get("/api/v1/countries/KOR/").json()
    assert body["disputed"] == []
    region = body["claims"]["region"]
    assert region["rule"] == "agreed"
    # M49's sub-region, then the article's "East Asia": they agree.
    assert [claim["collection"] for claim in region["claims"]] == ["un", "articles"]
    assert region["claims"][0]["locator"].startswith(f"{COCO_FILE}:")
    assert region["claims"][1]["quote"]


def test_an_article_placing_a_country_elsewhere_is_disputed_and_resolvable():
    turkey = Country.objects.get(code="TUR")
    assert turkey.region == "middle-east", "M49: Western Asia"
    article = Source.objects.filter(collection=Source.Collection.ARTICLES).first()
    quote = article.path.read_text(encoding="utf-8").split(".")[0].strip()
    citation = CountryCitation(
        record=turkey, source=article, quote=quote, states={"region": "europe"}
    )
    citation.full_clean()
    citation.save()
    derive(Country, [turkey.pk])
    turkey.refresh_from_db()
    assert (turkey.region, turkey.disputed) == ("middle-east", ["region"])
    body = APIClient().get("/api/v1/countries/TUR/").json()
    assert body["disputed"] == ["region"]
    assert [claim["value"] for claim in body["claims"]["region"]["claims"]] == [
        "middle-east",
        "europe",
    ]
    listed = APIClient().get("/api/v1/countries/", {"disputed": "region"}).json()
    assert [country["code"] for country in listed["results"]] == ["TUR"]
    page = APIClient().get("/countries/TUR/").content.decode()
    assert "Europe" in page and "Middle East and North Africa" in page

    curator = User.objects.create_user("curator")
    resolve(record=turkey, field="region", value="europe", reason="NATO's.", user=curator)
    turkey.refresh_from_db()
    assert (turkey.region, turkey.disputed) == ("europe", [])
    assert not Conflict.objects.filter(object_id=turkey.pk, field="region").exists()
    assert APIClient().get("/api/v1/countries/", {"disputed": "region"}).json()["count"] == 0


def test_a_rerun_of_country_converter_changes_nothing(import_dataset, stored):
    before = stored()
    output = import_dataset("country-converter")
    assert stored() == before
    assert "alliances.CountryCitation" in output.out
