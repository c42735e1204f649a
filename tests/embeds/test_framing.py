"""Embeds, and only embeds, may be framed by any origin; they set no cookie, are the same for
every reader (no draft even for a curator) and are public and cacheable."""

import pytest
from django.test import Client

from alliances.models import Alliance
from milidip.records import Status
from tests.embeds.helpers import EMBED_PATHS, changed, frame_ancestors, page, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", EMBED_PATHS)
def test_an_embed_may_be_framed_by_any_origin_and_sets_no_cookie(client, path):
    response = page(client, path)
    assert frame_ancestors(response) == ["*"]
    assert "X-Frame-Options" not in response
    assert not response.cookies and "Set-Cookie" not in response
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/countries/KOR/", "/alliances/rok-us-alliance/", "/", "/api/v1/oembed/"]
)
def test_every_other_page_refuses_frames(client, path):
    response = client.get(path)
    assert frame_ancestors(response) == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_refusal_is_framable_too_so_the_host_page_shows_why(client):
    response = page(client, "/embed/countries/XXQ/", status=404)
    assert frame_ancestors(response) == ["*"]
    assert "X-Frame-Options" not in response


def test_a_signed_in_curator_gets_the_public_embed_and_no_cookie(django_user_model):
    curator = Client()
    curator.force_login(django_user_model.objects.create_superuser("embed-curator"))
    alliance = Alliance.objects.get(slug="rok-us-alliance")
    Alliance.objects.filter(pk=alliance.pk).update(status=Status.DRAFT)
    changed()
    assert curator.get("/alliances/rok-us-alliance/").status_code == 200  # the page shows it
    response = page(curator, "/embed/alliances/rok-us-alliance/", status=404)
    assert alliance.name not in text(response)
    timeline = page(curator, "/embed/countries/KOR/timeline/")
    assert "/alliances/rok-us-alliance/" not in text(timeline)
    assert not timeline.cookies


@pytest.mark.parametrize("path", EMBED_PATHS)
def test_an_embed_asks_nothing_of_another_host_and_needs_no_script(client, path):
    html = text(page(client, path))
    head = html.split("</head>")[0]
    for attribute in ("src=", "href="):
        for value in head.split(attribute)[1:]:
            assert value[1] == "/" or value.startswith('"data:'), value[:60]
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "<img" not in html and "<iframe" not in html
