"""Country names in the reader's language (Accept-Language or ?lang=), in the API's `names`,
and found by search in any language, as users name today's states."""

import pytest
from django.test import Client

from alliances.models import Country
from tests.pages.helpers import page, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


@pytest.mark.parametrize(
    ("accept", "name"), [("ko", "대한민국"), ("ko-KR,ko;q=0.9", "대한민국"), ("ja", "韓国")]
)
def test_the_kor_page_names_it_in_the_accepted_language(client, accept, name):
    html = text(page(client, "/countries/KOR/", headers={"accept-language": accept}))
    assert f'<span lang="{accept[:2]}">{name}</span>' in html


def test_lang_parameter_chooses_the_names_language(client):
    html = text(page(client, "/countries/KOR/?lang=zh-hans", headers={"accept-language": "ko"}))
    assert '<span lang="zh-hans">韩国</span>' in html
    html = text(page(client, "/countries/KOR/"))
    assert "<h1>South Korea" in html


def test_the_api_gives_names_in_at_least_seven_languages(client):
    names = client.get("/api/v1/countries/KOR/").json()["names"]
    assert {"ko", "ja", "zh-hans", "ru", "fr", "es", "ar"} <= set(names)
    assert names["ko"] == "대한민국"


@pytest.mark.parametrize("query", ["대한민국", "韓国", "Южная Корея"])
def test_search_in_another_language_finds_south_korea(client, query):
    hits = client.get("/api/v1/search/", {"q": query, "type": "country"}).json()["results"]
    assert "KOR" in [hit["id"] for hit in hits]
    found = client.get("/api/v1/countries/", {"search": query}).json()["results"]
    assert "KOR" in [country["code"] for country in found]
    html = text(page(client, f"/search/?q={query}"))
    assert 'href="/countries/KOR/"' in html


def test_a_state_named_by_an_older_name_is_found_by_todays(client):
    Country.objects.update_or_create(
        code="SRB", defaults={"name": "Yugoslavia", "status": "published"}
    )
    found = client.get("/api/v1/countries/", {"search": "Serbia"}).json()["results"]
    assert "SRB" in [country["code"] for country in found]
    record = client.get("/api/v1/countries/SRB/").json()
    assert record["names"]["en"] == "Serbia"


def test_a_renamed_state_is_found_by_its_iso_name(client):
    Country.objects.update_or_create(
        code="SWZ", defaults={"name": "Swaziland", "status": "published"}
    )
    found = client.get("/api/v1/countries/", {"search": "Eswatini"}).json()["results"]
    assert "SWZ" in [country["code"] for country in found]
