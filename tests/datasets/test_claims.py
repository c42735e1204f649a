"""The headline cases of issue 11 with the real files: COW, then ATOP, then the articles' own
claims, each kept as its source's claim; the shown value chosen by the precedence table or a
curator's resolution; every disagreement visible."""

import csv

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from alliances.models import Alliance, AllianceCitation
from milidip.sources.claims import resolve
from milidip.sources.models import Conflict, Source
from tests.datasets.conftest import DATASETS_DIR, imported_for_the_module

pytestmark = pytest.mark.django_db

MEMBER_FILE = "atop4_01_member_level.csv"
ALLIANCE_FILE = "atop4_alliance_level.csv"
COW_FILE = "alliance_v4.1_by_member.csv"


@pytest.fixture(scope="module", autouse=True)
def datasets(django_db_setup, django_db_blocker):
    yield from imported_for_the_module(django_db_blocker, "cow-states", "cow-alliances", "atop")


def claims(slug):
    return APIClient().get(f"/api/v1/alliances/{slug}/").json()


def values(field):
    return [(claim["collection"], claim.get("locator", "quote"), claim["value"]) for claim in field]


def test_rok_us_shows_the_defence_and_non_aggression_its_treaty_text_and_article_give():
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    korea = alliance.memberships.get(country__code="KOR")
    assert (korea.defence, korea.non_aggression) == (True, True)
    assert alliance.non_aggression is True
    body = claims("rok-us-alliance")
    assert body["memberships"][0]["country"]["code"] == "KOR"
    assert body["memberships"][0]["obligations"]["defence"] is True
    defence = body["claims"]["members/KOR/defence"]
    assert defence["rule"] == "precedence"
    assert values(defence["claims"]) == [
        ("articles", "quote", True),
        ("atop", f"{MEMBER_FILE}:922", True),
        ("cow", f"{COW_FILE}:{cow_row('236', '732')}", False),
    ]
    assert "members/KOR/defence" in body["disputed"]
    assert values(body["claims"]["non_aggression"]["claims"]) == [
        ("atop", f"{ALLIANCE_FILE}:267", True),
        ("cow", f"{COW_FILE}:{cow_row('236', '2')}", False),
    ]


def cow_row(alliance, ccode):
    """The row number COW's file gives a member of an alliance (header is row 1)."""
    with (DATASETS_DIR / COW_FILE).open(newline="", encoding="utf-8") as file:
        for number, row in enumerate(csv.DictReader(file), start=2):
            if (row["version4id"], row["ccode"]) == (alliance, ccode):
                return number
    raise AssertionError(f"no COW row {alliance} {ccode}")


def test_us_japans_start_is_openly_disputed_between_cow_233_and_its_cited_atop_3375():
    alliance = Alliance.objects.get(slug="us-japan-alliance")
    assert "start" in alliance.disputed
    start = claims("us-japan-alliance")["claims"]["start"]
    assert start["shown"] == alliance.start == "1951-09-08"
    assert values(start["claims"]) == [
        ("cow", f"{COW_FILE}:{cow_row('233', '2')}", "1951-09-08"),
        ("atop", f"{ALLIANCE_FILE}:295", "1960-01-19"),
    ]
    listed = APIClient().get("/api/v1/alliances/", {"disputed": "start", "page_size": 500})
    assert "us-japan-alliance" in [a["slug"] for a in listed.json()["results"]]
    assert Conflict.objects.filter(object_id=alliance.pk, field="start").exists()


def test_a_later_import_never_overwrites_an_earlier_sources_claim(import_dataset):
    cow = Source.objects.get(collection="cow", kind=Source.Kind.DATASET, slug__contains="alliance")
    before = dict(
        AllianceCitation.objects.filter(source=cow).values_list("pk", "states").order_by("pk")
    )
    korea = AllianceCitation.objects.get(source=cow, locator=f"{COW_FILE}:{cow_row('236', '732')}")
    assert before[korea.pk] == {
        "members/KOR/start": "1953-10-01",
        "members/KOR/defence": False,
        "members/KOR/neutrality": False,
        "members/KOR/non_aggression": False,
        "members/KOR/entente": True,
    }
    import_dataset("atop")
    after = dict(
        AllianceCitation.objects.filter(source=cow).values_list("pk", "states").order_by("pk")
    )
    assert after == before


def test_a_curators_resolution_wins_and_survives_a_reimport(import_dataset):
    alliance = Alliance.objects.get(slug="us-japan-alliance")
    curator = User.objects.create_user("curator")
    resolve(
        record=alliance,
        field="start",
        value="1960-01-19",
        source=Source.objects.get(slug="atop-v4-01-alliance-level"),
        reason="The record describes the 1960 treaty's alliance (ATOP 3375); 1951 is its "
        "predecessor's.",
        user=curator,
    )
    for dataset in ("cow-alliances", "atop"):
        import_dataset(dataset)
    alliance.refresh_from_db()
    assert alliance.start == "1960-01-19"
    assert "start" not in alliance.disputed
    start = claims("us-japan-alliance")["claims"]["start"]
    assert (start["shown"], start["rule"]) == ("1960-01-19", "curator")
    assert len(start["claims"]) == 2


def test_cow_and_atop_codings_of_one_alliance_are_one_record_with_both_ids():
    # 16 curated, 411 from COW alone, and of ATOP's 745 only the 351 that are no COW record.
    assert Alliance.objects.count() == 778
    assert not Alliance.objects.filter(slug__startswith="atop-", atop_id=3785).exists()
    pact = Alliance.objects.get(cow_id=300)
    assert (pact.slug, pact.atop_id) == ("cow-300", 3785)
    assert (
        APIClient().get("/api/v1/alliances/", {"atop_id": 3785}).json()["results"][0]["slug"]
        == "cow-300"
    )
    # Each member once per spell, each source's dates its own claim.
    spells = [(m.country.code, m.start) for m in pact.memberships.select_related("country")]
    assert len(spells) == len(set(spells))
    body = claims("cow-300")
    starts = [key for key in body["claims"] if key.startswith("members/") and "start" in key]
    assert any(
        {claim["collection"] for claim in body["claims"][key]["claims"]} == {"cow", "atop"}
        for key in starts
    )
    assert {claim["collection"] for claim in body["claims"]["start"]["claims"]} == {"cow", "atop"}
