"""oEmbed 1.0 at /api/v1/oembed/: a rich answer with the iframe for a record's page or embed,
sized within maxwidth and maxheight; 404 for what it does not know or may not show, 501 for
xml, 400 naming the problem. Every answer here is also checked against the committed schema
(tests/strict_schema.py, wrapped around the test client)."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from alliances.models import Country
from milidip.records import Status
from tests import strict_schema
from tests.embeds.helpers import page, text

pytestmark = pytest.mark.django_db

OEMBED = "/api/v1/oembed/"
# oEmbed 1.0, section 2.3.4: every response has these; a rich one also html, width, height.
REQUIRED = {"type", "version", "html", "width", "height"}


def oembed(client, status=200, **params):
    response = client.get(OEMBED, params)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def iframe_src(answer):
    return re.search(r'<iframe src="([^"]+)"', answer["html"]).group(1)


@pytest.mark.parametrize(
    ("url", "src", "size"),
    [
        ("http://testserver/countries/KOR/", "http://testserver/embed/countries/KOR/", (480, 440)),
        ("http://testserver/embed/countries/KOR/", "http://testserver/embed/countries/KOR/", None),
        (
            "http://testserver/embed/countries/kor/timeline/",
            "http://testserver/embed/countries/KOR/timeline/",
            (640, 560),
        ),
        (
            "http://testserver/embed/missions/rok-peacekeeping-lebanon/strength/",
            "http://testserver/embed/missions/rok-peacekeeping-lebanon/strength/",
            (640, 420),
        ),
        ("http://testserver/alliances/rok-us-alliance", None, None),  # no trailing slash
        # A map and a network are no record's: their query is the filter they draw, kept.
        (
            "http://testserver/embed/map/?resource=exercises&country=KOR",
            "http://testserver/embed/map/?resource=exercises&amp;country=KOR",
            (800, 520),
        ),
        (
            "http://testserver/embed/network/?country=KOR&year=1990",
            "http://testserver/embed/network/?country=KOR&amp;year=1990",
            (640, 700),
        ),
    ],
)
def test_a_page_or_embed_url_gets_a_rich_answer_with_its_iframe(client, url, src, size):
    answer = oembed(client, url=url)
    assert set(answer) >= REQUIRED
    assert (answer["type"], answer["version"]) == ("rich", "1.0")
    assert answer["provider_name"] == "milidip"
    assert answer["provider_url"] == "http://testserver/"
    if src:
        assert iframe_src(answer) == src
    if size:
        assert (answer["width"], answer["height"]) == size
    assert f'width="{answer["width"]}" height="{answer["height"]}"' in answer["html"]
    assert ("GET", OEMBED) in strict_schema.VALIDATED


def test_the_iframe_fits_within_maxwidth_and_maxheight(client):
    answer = oembed(client, url="http://testserver/countries/KOR/", maxwidth="320", maxheight="200")
    assert (answer["width"], answer["height"]) == (320, 200)
    answer = oembed(client, url="http://testserver/countries/KOR/", maxwidth="5000")
    assert (answer["width"], answer["height"]) == (480, 440)  # never larger than it reads well


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/countries/KOR/",
        "http://testserver/countries/XXQ/",
        "http://testserver/no/such/page/",
        "http://testserver/search/",
        "http://testserver/embed/countries/XXQ/timeline/",
        "http://testserver/embed/missions/no-such-mission/strength/",
    ],
)
def test_a_url_it_does_not_know_is_a_404(client, url):
    answer = oembed(client, status=404, url=url)
    assert answer["detail"].startswith("url:")


def test_a_draft_or_retracted_record_is_a_404(client):
    kor = Country.objects.get(code="KOR")
    Country.objects.filter(pk=kor.pk).update(status=Status.DRAFT)
    for url in (
        "http://testserver/countries/KOR/",
        "http://testserver/embed/countries/KOR/timeline/",
    ):
        assert "no public country" in oembed(client, status=404, url=url)["detail"]
    Country.objects.filter(pk=kor.pk).update(status=Status.RETRACTED, retraction_reason="Test.")
    oembed(client, status=404, url="http://testserver/countries/KOR/")


def test_xml_is_not_implemented(client):
    answer = oembed(client, status=501, url="http://testserver/countries/KOR/", format="xml")
    assert "format" in answer["detail"] and answer["code"] == "not_implemented"
    assert oembed(client, url="http://testserver/countries/KOR/", format="json")["type"] == "rich"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "url"),
        ({"url": "countries/KOR/"}, "url"),
        ({"url": "ftp://testserver/countries/KOR/"}, "url"),
        ({"url": "http://testserver/" + "a" * 2000}, "url"),
        ({"url": "http://testserver/countries/KOR/", "maxwidth": "wide"}, "maxwidth"),
        ({"url": "http://testserver/countries/KOR/", "maxheight": "0"}, "maxheight"),
        ({"url": "http://testserver/countries/KOR/", "maxwidth": "10001"}, "maxwidth"),
        ({"url": "http://testserver/countries/KOR/", "callback": "f"}, "callback"),
    ],
)
def test_a_missing_or_bad_parameter_is_a_400_naming_it(client, params, named):
    answer = oembed(client, status=400, **params)
    assert named in answer["errors"], answer


def test_record_pages_name_their_oembed_and_offer_each_embeds_snippet(client):
    html = text(page(client, "/countries/KOR/"))
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    href = unescape(link.group(1))
    query = parse_qs(urlsplit(href).query)
    assert query == {"url": ["http://testserver/countries/KOR/"], "format": ["json"]}
    answer = client.get(href).json()
    assert iframe_src(answer) == "http://testserver/embed/countries/KOR/"
    snippets = html.split('<section id="embed"')[1]
    for src in ("/embed/countries/KOR/", "/embed/countries/KOR/timeline/"):
        assert f"&lt;iframe src=&quot;http://testserver{src}&quot;" in snippets
        assert f"url=http%3A%2F%2Ftestserver{src.replace('/', '%2F')}" in snippets
    mission = text(page(client, "/missions/rok-peacekeeping-lebanon/"))
    assert "/embed/missions/rok-peacekeeping-lebanon/strength/" in mission
    assert "/timeline/" not in mission.split('<section id="embed"')[1]


def test_a_curator_reading_a_draft_gets_no_snippet_or_discovery_link(client, django_user_model):
    Country.objects.filter(code="KOR").update(status=Status.DRAFT)
    client.force_login(django_user_model.objects.create_superuser("embed-reader"))
    html = text(page(client, "/countries/KOR/"))
    assert "json+oembed" not in html and 'id="embed"' not in html
