"""The public pages in Debian's Chromium: a reader goes home -> search -> country -> alliance ->
source and follows a citation, with no script of ours, no CSP violation, no request to any other
host (each is intercepted and failed), and no serious or critical axe-core violation.

Screenshots of each step go to test-artifacts/screenshots/ (kept by CI as test artifacts).
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, TIMEOUT_MS
from .test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 900}


@pytest.fixture
def reader(browser, live_server, records):
    """A fresh page for an anonymous reader; every request to another host is failed and
    recorded, and CSP violations are collected. Yields (page, check) where check(name) takes a
    screenshot and asserts nothing left the server and nothing was blocked."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    own_host = urlsplit(live_server.url).netloc
    elsewhere = []

    def route(route):
        url = route.request.url
        if url.startswith("data:") or urlsplit(url).netloc == own_host:
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(name):
        page.screenshot(path=str(SCREENSHOTS / f"public-pages-{name}.png"), full_page=True)
        assert not elsewhere, f"requests to other hosts: {elsewhere}"
        violations = page.evaluate("window.__cspViolations")
        assert not violations and not errors, violations + errors

    yield page, check
    context.close()


def test_a_reader_goes_from_search_to_a_country_an_alliance_and_a_cited_source(reader):
    page, check = reader
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Military diplomacy")
    check("1-home")
    page.fill("#home-q", "대한민국")
    page.locator("form.search.big button").click()
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    check("2-search")
    page.get_by_role("link", name="South Korea (KOR)").click()
    expect(page).to_have_url(re.compile(r"/countries/KOR/$"))
    expect(page.locator("h1")).to_contain_text("South Korea")
    expect(page.locator("#alliances ol.timeline li").first).to_be_visible()
    check("3-country")
    page.locator("#alliances").get_by_role("link", name="US-South Korea alliance").click()
    expect(page).to_have_url(re.compile(r"/alliances/rok-us-alliance/$"))
    expect(page.locator("ol.citations li.citation").first).to_be_visible()
    check("4-alliance")
    citation = page.locator("li.citation", has=page.locator("blockquote")).first
    quote = citation.locator("blockquote p").inner_text()
    source_link = citation.locator("p.cite a").first
    title = source_link.inner_text()
    source_link.click()
    expect(page).to_have_url(re.compile(r"/sources/[\w-]+/$"))
    expect(page.locator("h1")).to_have_text(title)
    # The source's page shows the same passage among what cites it.
    expect(page.locator("ul.cited blockquote p", has_text=quote[:40]).first).to_be_visible()
    check("5-source")


def test_the_country_page_reads_at_phone_width_in_korean(reader):
    page, check = reader
    page.set_viewport_size(PHONE)
    page.goto("/countries/KOR/?lang=ko")
    expect(page.locator('h1 span[lang="ko"]')).to_have_text("대한민국")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide at a {PHONE['width']}px screen"
    check("country-phone")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search/?q=korea",
        "/countries/KOR/",
        "/alliances/rok-us-alliance/",
        "/alliances/",
        "/treaties/rok-us-mutual-defense-treaty/",
        "/exercises/?country=KOR",
        "/sources/us-south-korea-military-alliance/",
    ],
)
def test_pages_have_no_serious_or_critical_accessibility_violation(reader, path):
    page, check = reader
    page.goto(path)
    results = Axe().run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"{[node['target'] for node in violation['nodes']][:5]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)
    check("axe-" + re.sub(r"\W+", "-", path).strip("-"))
