"""Claims on treaties (their dates) and countries (region, Gleditsch-Ward code), with
factories: the shown value by precedence, the disagreement listed and filterable, a curator's
resolution, and the API's 400 for a field that is not claimed."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from alliances.models import Country, CountryCitation, Treaty, TreatyCitation
from milidip.sources.claims import derive, resolve
from milidip.sources.models import Conflict
from tests.factories import QUOTE_004, SourceFactory, TreatyFactory
from tests.sources.test_claims_missions_exercises import dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def pact():
    """A treaty an article dates to 1961 and COW to 1960-05-02."""
    treaty = TreatyFactory(slug="claimed-pact", signed="1961")
    TreatyCitation.objects.create(
        record=treaty, source=SourceFactory(), quote=QUOTE_004, states={"signed": "1961"}
    )
    TreatyCitation.objects.create(
        record=treaty, source=dataset("cow"), locator="cow.csv:3", states={"signed": "1960-05-02"}
    )
    derive(Treaty, [treaty.pk])
    treaty.refresh_from_db()
    return treaty


def test_a_treatys_article_year_wins_over_a_dataset_day_that_disagrees_and_is_disputed(pact):
    assert (pact.signed, pact.disputed) == ("1961", ["signed"])
    body = APIClient().get("/api/v1/treaties/claimed-pact/").json()
    assert body["disputed"] == ["signed"]
    assert [claim["value"] for claim in body["claims"]["signed"]["claims"]] == [
        "1961",
        "1960-05-02",
    ]
    listed = APIClient().get("/api/v1/treaties/", {"disputed": "signed"}).json()
    assert [treaty["slug"] for treaty in listed["results"]] == ["claimed-pact"]
    assert APIClient().get("/api/v1/treaties/", {"disputed": "ended"}).json()["count"] == 0
    assert "disputed" in APIClient().get("/api/v1/treaties/").json()["results"][0]


def test_a_treatys_page_and_the_admins_open_conflicts_show_the_disagreement(pact, admin_client):
    page = APIClient().get("/treaties/claimed-pact/").content.decode()
    assert "Where the sources disagree" in page and "1960-05-02" in page
    conflicts = admin_client.get("/admin/sources/conflict/").content.decode()
    assert str(pact) in conflicts and "cow.csv:3" in conflicts


def test_a_curators_resolution_of_a_treatys_date_wins(pact):
    curator = User.objects.create_user("curator")
    resolve(record=pact, field="signed", value="1960-05-02", reason="The day.", user=curator)
    pact.refresh_from_db()
    assert (pact.signed, pact.disputed) == ("1960-05-02", [])
    assert not Conflict.objects.filter(object_id=pact.pk, content_type__model="treaty").exists()


def test_a_countrys_region_from_m49_and_an_article_that_disagrees_is_disputed_and_resolvable():
    country = Country.objects.get(code="KOR")
    CountryCitation.objects.create(
        record=country, source=dataset("un"), locator="coco.tsv:120", states={"region": "oceania"}
    )
    derive(Country, [country.pk])
    country.refresh_from_db()
    assert (country.region, country.disputed) == ("oceania", ["region"]), "M49 first"
    listed = APIClient().get("/api/v1/countries/", {"disputed": "region"}).json()
    assert [row["code"] for row in listed["results"]] == ["KOR"]
    region = APIClient().get("/api/v1/countries/KOR/").json()["claims"]["region"]
    assert [(claim["collection"], claim["value"]) for claim in region["claims"]] == [
        ("un", "oceania"),
        ("articles", "east-asia"),
    ]
    curator = User.objects.create_user("curator")
    resolve(record=country, field="region", value="east-asia", reason="Wrong row.", user=curator)
    country.refresh_from_db()
    assert (country.region, country.disputed) == ("east-asia", [])


@pytest.mark.parametrize(
    ("path", "claimed", "not_claimed"),
    [("treaties", "signed", "name"), ("countries", "gw_code", "name")],
)
def test_an_unknown_disputed_field_of_treaties_or_countries_is_a_400_naming_the_claimed_ones(
    path, claimed, not_claimed
):
    response = APIClient().get(f"/api/v1/{path}/", {"disputed": not_claimed})
    assert response.status_code == 400
    message = str(response.json()["errors"]["disputed"])
    assert f"'{not_claimed}' is not a claimed field" in message
    assert claimed in message and "members/" not in message


def test_a_country_citation_may_state_only_its_claimed_fields():
    citation = CountryCitation(
        record=Country.objects.get(code="KOR"),
        source=dataset("cow"),
        locator="cow.csv:1",
        states={"cow_code": 732, "region": "east-asia"},
    )
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "'cow_code' is not a field a source can state for a country" in str(error.value)
