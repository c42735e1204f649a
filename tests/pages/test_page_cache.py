"""Pages are read like the API (issue 14, point 6): an anonymous reader's conditional GET is a
304 from the stored validators, and a page asked again is the stored one, both keyed by the data
version so a write is seen on the next read; each language is its own page; no page carries a
nonce or anything else made for one reader. A merged record's old slug answers 301 to the page
of the record it now is.

The shared cache is Redis (tests/pages/conftest.py), as with REDIS_URL set."""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include
from django.urls import path as route

from alliances.models import Alliance
from milidip import versions
from milidip.embeds.framing import embeddable
from milidip.records import Status
from milidip.sources.merges import record_merge
from tests.factories import AllianceFactory
from tests.pages.helpers import page, text

pytestmark = pytest.mark.django_db

KOR = "/countries/KOR/"
PAGES = ["/", "/countries/KOR/", "/alliances/", "/alliances/rok-us-alliance/", "/search/?q=korea"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_s_304_and_its_cached_200_read_nothing(page_cache, path, django_assert_num_queries):
    first = page(Client(), path)
    with django_assert_num_queries(0):
        not_modified = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        again = Client().get(path)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]
    assert again.status_code == 200
    assert again.content == first.content
    for response in (not_modified, again):
        assert response["Cache-Control"] == "public, max-age=60"
        assert "Accept-Language" in response["Vary"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert again["X-Frame-Options"] == "DENY"


def test_pages_make_no_nonce_so_a_kept_page_hands_none_on(page_cache):
    """The pages have no inline script or style (their JSON-LD is a data block, which CSP does
    not run): no page asks for the response's nonce, so none is in a body kept for others nor in
    the CSP header sent with it."""
    for path in PAGES:
        for response in (page(Client(), path), page(Client(), path)):
            assert "nonce" not in text(response), path
            assert "nonce-" not in response["Content-Security-Policy"], path
            assert "_csp_nonce" not in response.wsgi_request.__dict__, path


def test_each_language_is_its_own_page(page_cache):
    english = page(Client(), KOR)
    korean = page(Client(), KOR, HTTP_ACCEPT_LANGUAGE="ko")
    japanese = page(Client(), f"{KOR}?lang=ja")
    korean_name, japanese_name = '<span lang="ko">대한민국</span>', '<span lang="ja">韓国</span>'
    assert korean_name in text(korean) and korean_name not in text(english)
    assert japanese_name in text(japanese) and japanese_name not in text(korean)
    # Asked again, each comes from the cache as it was stored, and keeps its own ETag.
    assert page(Client(), KOR, HTTP_ACCEPT_LANGUAGE="ko").content == korean.content
    assert page(Client(), KOR).content == english.content
    assert len({english["ETag"], korean["ETag"], japanese["ETag"]}) == 3
    stale = Client().get(KOR, HTTP_IF_NONE_MATCH=english["ETag"], HTTP_ACCEPT_LANGUAGE="ko")
    assert stale.status_code == 200


def test_a_write_is_on_the_next_page_read(page_cache, django_capture_on_commit_callbacks):
    path = "/alliances/rok-us-alliance/"
    first = page(Client(), path)
    with django_capture_on_commit_callbacks(execute=True):
        Alliance.objects.filter(slug="rok-us-alliance").update(name="Renamed alliance")
        versions.data_changed()
    after = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert "Renamed alliance" in text(after)
    assert "Renamed alliance" in text(page(Client(), path))


def test_a_signed_in_reader_never_reads_nor_fills_the_page_cache(
    page_cache, django_capture_on_commit_callbacks, admin_client
):
    with django_capture_on_commit_callbacks(execute=True):
        Alliance.objects.filter(slug="rok-us-alliance").update(status=Status.DRAFT)
        versions.data_changed()
    assert admin_client.get("/alliances/rok-us-alliance/").status_code == 200
    assert Client().get("/alliances/rok-us-alliance/").status_code == 404
    assert "private" in admin_client.get("/alliances/")["Cache-Control"]


def test_a_merged_slug_answers_301_to_the_page_of_the_record_it_now_is():
    kept = AllianceFactory(slug="kept-alliance-test")
    merged = AllianceFactory(slug="merged-alliance-test")
    record_merge(record=merged, into=kept, reason="recorded twice")
    response = Client().get("/alliances/merged-alliance-test/?lang=ko")
    assert response.status_code == 301
    assert response["Location"] == "/alliances/kept-alliance-test/?lang=ko"
    assert page(Client(), response["Location"]).status_code == 200
    assert Client().get("/alliances/never-there-test/").status_code == 404


def test_an_atop_or_cow_slug_leads_to_its_alliance_s_page_but_never_to_a_draft():
    AllianceFactory(slug="us-japan-test", cow_id=99233, atop_id=99220)
    for slug in ("atop-99220", "cow-99233"):
        response = Client().get(f"/alliances/{slug}/")
        assert (response.status_code, response["Location"]) == (301, "/alliances/us-japan-test/")
    AllianceFactory(slug="draft-alliance-test", atop_id=99300, status=Status.DRAFT)
    assert Client().get("/alliances/atop-99300/").status_code == 404


def framed_page(request):
    return HttpResponse("<!doctype html><title>embed</title><p>An embed.</p>")


urlpatterns = [
    route("embed/test/", embeddable(framed_page)),
    route("", include("milidip.urls")),
]


@pytest.mark.urls("tests.pages.test_page_cache")
def test_an_embed_is_kept_with_its_own_framing_policy(page_cache, django_assert_num_queries):
    """/embed/ is in READ_CACHE_PATHS: an embed view is kept like a page, and what its view
    changed in the CSP (any origin may frame it) and dropped (X-Frame-Options) stays so when it
    is answered from the cache."""
    first = page(Client(), "/embed/test/")
    with django_assert_num_queries(0):
        again = Client().get("/embed/test/")
        not_modified = Client().get("/embed/test/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert not_modified.status_code == 304
    for response in (first, again, not_modified):
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert not response.has_header("X-Frame-Options")
    assert "Accept-Language" in again["Vary"]
