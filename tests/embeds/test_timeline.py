"""A country's alliance timeline: every membership of a public alliance, each linking its
alliance's page, with what the sources do not say drawn and worded as unknown; drafts never;
a fixed number of queries however many memberships."""

import re

import pytest

from alliances.models import Alliance, Country, Membership
from milidip.dates import EndKind
from milidip.embeds.timeline import axis, segments
from milidip.records import Status
from tests.embeds.helpers import changed, page, text
from tests.factories import AllianceFactory, CountryFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def rows(html):
    """{alliance page URL: the row's HTML} of a timeline."""
    found = re.findall(r'<li>\s*<p class="who"><a href="([^"]+)"(.*?)</li>', html, re.S)
    return dict(found)


def test_every_membership_of_a_public_alliance_is_a_row_linking_its_page(client):
    html = text(page(client, "/embed/countries/KOR/timeline/"))
    shown = rows(html)
    expected = {
        f"http://testserver{m.alliance.get_absolute_url()}"
        for m in Membership.objects.filter(
            country__code="KOR", alliance__status=Status.PUBLISHED
        ).select_related("alliance")
    }
    assert expected and set(shown) == expected
    # The bar links the same page as the name.
    for url, row in shown.items():
        if "<svg" in row:
            assert f'<a class="bar" href="{url}"' in row


@pytest.fixture
def nzl():
    """New Zealand in four alliances, each dated differently."""
    country = CountryFactory()
    dated = AllianceFactory(name="Dated pact", start="1951")
    MembershipFactory(alliance=dated, country=country, start="1951-09-01", end="1986")
    censored = AllianceFactory(name="Censored pact", start="1971")
    MembershipFactory(
        alliance=censored,
        country=country,
        start="1971",
        end_kind=EndKind.CENSORED,
        coverage_end="2012",
    )
    unknown_start = AllianceFactory(name="Start-unknown pact", start="1960")
    MembershipFactory(alliance=unknown_start, country=country, start="", end="1999")
    undated = AllianceFactory(name="Undated pact")
    MembershipFactory(alliance=undated, country=country, start="", end="")
    return country


def test_unknown_starts_open_ends_and_undated_spans_say_so(client, nzl):
    shown = rows(text(page(client, f"/embed/countries/{nzl.code}/timeline/")))
    by_name = {re.search(r">([^<]+)</a>", row).group(1): row for row in shown.values()}
    assert "1951-09-01 – 1986" in by_name["Dated pact"]
    assert 'class="known"' in by_name["Dated pact"] and 'class="open"' not in by_name["Dated pact"]
    censored = by_name["Censored pact"]
    assert "1971 – in force at dataset end (2012)" in censored
    assert 'class="known"' in censored and 'class="open"' in censored
    start_unknown = by_name["Start-unknown pact"]
    assert "start unknown – 1999" in start_unknown
    assert 'class="unknown-start"' in start_unknown
    assert "dates unknown" in by_name["Undated pact"] and "<svg" not in by_name["Undated pact"]
    # Undated memberships come last.
    assert list(by_name)[-1] == "Undated pact"


def test_a_draft_alliance_or_country_never_appears(client, nzl):
    Alliance.objects.filter(name="Censored pact").update(status=Status.DRAFT)
    changed()
    html = text(page(client, f"/embed/countries/{nzl.code}/timeline/"))
    assert "Censored pact" not in html and "Dated pact" in html
    Country.objects.filter(pk=nzl.pk).update(status=Status.DRAFT)
    changed()
    page(client, f"/embed/countries/{nzl.code}/timeline/", status=404)


def test_the_bars_fall_where_the_years_are():
    start, stop, step, labels = axis(1951, 2026)
    assert (start, stop, step) == (1950, 2030, 10) and labels[0] == 1950 and len(labels) == 8
    assert axis(1816, 2026)[2] == 50  # two centuries: at most eight labels
    membership = Membership(start="1971", end="", end_kind=EndKind.CENSORED, coverage_end="2012")
    assert segments(membership, 1960, 2030) == [("known", 1971, 2013), ("open", 2013, 2030)]
    decade = Membership(start="195", end="199", end_kind=EndKind.ENDED)
    assert segments(decade, 1940, 2030) == [("known", 1950, 2000)]
    assert segments(Membership(start="", end="1999"), 1960, 2030) == [("unknown-start", 1960, 2000)]


def test_the_timeline_costs_a_fixed_number_of_queries(client, nzl, django_assert_max_num_queries):
    for number in range(30):
        MembershipFactory(alliance=AllianceFactory(), country=nzl, start=str(1950 + number))
    with django_assert_max_num_queries(6):
        html = text(page(client, f"/embed/countries/{nzl.code}/timeline/"))
    assert len(rows(html)) == 34
