"""A card for every public record of every kind: its name, a link to its page (absolute, as an
embed is read on another site), the sources it cites with their licences, under 100 KB and a
bounded number of queries; a draft is a 404 and a retraction a 410 with its reason."""

import pytest

from alliances.models import Country
from milidip.pages.records import KINDS
from milidip.records import Status
from milidip.sources.models import Source
from tests.embeds.helpers import changed, page, text

pytestmark = pytest.mark.django_db

MAX_CARD_BYTES = 100 * 1024


def card_path(kind, record):
    return f"/embed/{kind.plural}/{getattr(record, kind.lookup)}/"


def cited(record):
    if isinstance(record, Source):
        return [record]
    return list(
        Source.objects.published().filter(pk__in=record.citations.values("source")).distinct()
    )


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_every_public_record_has_a_card_naming_it_its_page_and_its_sources(client, kind_name):
    kind = KINDS[kind_name]
    records = list(kind.model.objects.published().order_by(kind.lookup)[:40])
    assert records, f"the curated records have {kind.plural}"
    for record in records:
        response = page(client, card_path(kind, record))
        html = text(response)
        assert len(response.content) < MAX_CARD_BYTES
        assert f'href="http://testserver{record.get_absolute_url()}"' in html
        title = str(getattr(record, kind.title_field))
        assert f"<title>{title}" in html.replace("&#x27;", "'").replace("&amp;", "&")
        footer = html.split('<footer class="attribution">')[1]
        for source in cited(record)[:8]:
            assert f"http://testserver{source.get_absolute_url()}" in footer, source.slug
            assert (source.licence or "licence not stated") in footer.replace("&#x27;", "'")


def test_the_largest_country_card_stays_under_100_kb(client):
    sizes = {
        country.code: len(page(client, f"/embed/countries/{country.code}/").content)
        for country in Country.objects.published()
    }
    assert max(sizes.values()) < MAX_CARD_BYTES, max(sizes.items(), key=lambda item: item[1])


def test_a_draft_is_a_404_and_a_retracted_record_a_410_with_its_reason(client):
    kind = KINDS["treaty"]
    treaty = kind.model.objects.published().first()
    kind.model.objects.filter(pk=treaty.pk).update(status=Status.DRAFT)
    changed()
    response = page(client, card_path(kind, treaty), status=404)
    assert treaty.name not in text(response)
    reason = "The date of signature was misread from the article."
    kind.model.objects.filter(pk=treaty.pk).update(
        status=Status.RETRACTED, retraction_reason=reason
    )
    changed()
    response = page(client, card_path(kind, treaty), status=410)
    assert reason in text(response)
    page(client, "/embed/treaties/no-such-treaty/", status=404)


def test_a_draft_source_or_party_is_not_named_on_a_card(client):
    kind = KINDS["country"]
    kor = Country.objects.get(code="KOR")
    source = cited(kor)[0]
    Source.objects.filter(pk=source.pk).update(status=Status.DRAFT)
    changed()
    assert source.title not in text(page(client, card_path(kind, kor)))
    treaty = KINDS["treaty"].model.objects.published().filter(parties__code="USA").first()
    usa = 'href="http://testserver/countries/USA/"'
    assert usa in text(page(client, card_path(KINDS["treaty"], treaty)))
    Country.objects.filter(code="USA").update(status=Status.DRAFT)
    changed()
    assert usa not in text(page(client, card_path(KINDS["treaty"], treaty)))


def test_unknown_values_say_unknown_and_a_country_card_speaks_the_readers_language(client):
    Country.objects.filter(code="KOR").update(official_name="")
    changed()
    html = text(page(client, "/embed/countries/KOR/?lang=ko"))
    assert "<dt>Official name</dt><dd>unknown</dd>" in html
    assert '<span lang="ko">대한민국</span>' in html


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/embed/countries/KOR/", 10),
        ("/embed/countries/USA/", 10),
        ("/embed/alliances/rok-us-alliance/", 5),
        ("/embed/treaties/rok-us-mutual-defense-treaty/", 5),
        ("/embed/exercises/foal-eagle/", 5),
        ("/embed/missions/rok-peacekeeping-lebanon/", 6),
        ("/embed/challenges/north-korean-nuclear-and-missile-threat/", 9),
        ("/embed/sources/us-south-korea-military-alliance/", 2),
    ],
)
def test_a_card_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries, path, most):
    with django_assert_max_num_queries(most):
        page(client, path)


def test_a_kept_card_costs_one_query_until_a_write_renews_it(  # the read cache, as for pages
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    page(client, "/embed/countries/KOR/")
    with django_assert_max_num_queries(1):  # the data version
        again = page(client, "/embed/countries/KOR/")
    assert "Republic of Korea" in text(again)
    kor = Country.objects.get(code="KOR")
    kor.official_name = "Republic of Korea (renamed in a test)"
    with django_capture_on_commit_callbacks(execute=True):
        kor.save()
    assert "renamed in a test" in text(page(client, "/embed/countries/KOR/"))
