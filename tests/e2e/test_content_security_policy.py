"""Every page works under the Content-Security-Policy, in a real browser, with no violation.

The policy (milidip/settings.py) allows scripts and styles from this server only, plus inline
ones that carry the response's nonce; Chromium reports anything it blocks as a
`securitypolicyviolation` event and a console error, and both are collected here from before
the first script of each page runs.
"""

import pytest
from playwright.sync_api import expect

from alliances.models import Treaty

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any script of each page (Playwright injects it outside the page's CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample || ""}`
  );
});
"""


def expected(report):
    """Redoc shows its maker's logo from cdn.redoc.ly: blocking it is the policy doing its job
    (the documentation loads nothing from other hosts), and Redoc then leaves it out."""
    return "https://cdn.redoc.ly/" in report and "img-src" in report


@pytest.fixture
def watched(browser, live_server, records):
    """watched() -> (page, violations): a fresh page whose CSP reports are collected."""
    contexts = []
    reports = []

    def open_page():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        # Chromium also reports each blocked resource as a console error; a page that breaks
        # throws (a page error).
        page.on(
            "console",
            lambda message: (
                reports.append(f"console: {message.text}")
                if "Content Security Policy" in message.text and not expected(message.text)
                else None
            ),
        )
        page.on("pageerror", lambda error: reports.append(f"page error: {error}"))
        return page

    def assert_no_violation(page):
        """Nothing was blocked on this page and no script failed."""
        events = page.evaluate("window.__cspViolations")
        found = [event for event in events if not expected(event)] + reports
        assert not found, "\n".join(found)

    yield open_page, assert_no_violation
    for context in contexts:
        context.close()


def assert_policy_header(response):
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, policy
    assert "unsafe-inline" not in policy, policy
    assert response.headers.get("x-frame-options") == "DENY"


def test_the_admin_login_and_a_change_form_render_without_a_policy_violation(watched, make_user):
    open_page, assert_no_violation = watched
    page = open_page()
    user, password = make_user("curator")
    assert_policy_header(page.goto("/admin/login/?next=/admin/"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(user.username)

    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    assert_policy_header(page.goto(f"/admin/alliances/treaty/{treaty.pk}/change/"))
    expect(page.locator("#treaty_form")).to_be_visible()
    # The form's scripts ran: the autocomplete widgets (select2) and the inlines' "add" links.
    expect(page.locator(".select2-container").first).to_be_visible()
    expect(page.locator(".add-row a").first).to_be_visible()
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-search__field").first).to_be_visible()

    assert_no_violation(page)

    # The curators' other pages: lists, history, deleted records, CSV import and export.
    for url in (
        "/admin/",
        "/admin/alliances/treaty/?q=defense",
        "/admin/alliances/treaty/add/",
        f"/admin/alliances/treaty/{treaty.pk}/history/",
        "/admin/alliances/treaty/recover/",
        "/admin/alliances/treaty/import/",
        "/admin/alliances/treaty/export/",
        "/admin/missions/exercise/add/",
        "/admin/sources/revision/?state__exact=pending",
    ):
        assert page.goto(url).status == 200, url
        expect(page.locator("#content")).to_be_visible()
        assert_no_violation(page)


def test_swagger_ui_renders_without_a_policy_violation(watched):
    open_page, assert_no_violation = watched
    page = open_page()
    assert_policy_header(page.goto("/api/v1/docs/"))
    # The operations appear only once the inline start-up script has run and fetched the schema.
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("milidip API")
    assert_no_violation(page)


def test_redoc_renders_without_a_policy_violation(watched):
    open_page, assert_no_violation = watched
    page = open_page()
    assert_policy_header(page.goto("/api/v1/redoc/"))
    expect(page.locator("h1").first).to_contain_text("milidip API")
    expect(page.get_by_text("countries", exact=False).first).to_be_visible()
    assert_no_violation(page)


def test_the_browsable_api_and_json_render_without_a_policy_violation(watched, make_user):
    open_page, assert_no_violation = watched
    page = open_page()
    # The browsable API is for signed-in users (anonymous readers get JSON).
    user, password = make_user("curator")
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(user.username)
    assert_policy_header(page.goto("/api/v1/countries/?format=api"))
    expect(page.locator(".response-info")).to_contain_text("KOR")
    assert_policy_header(page.goto("/api/v1/countries/KOR/"))
    assert_no_violation(page)
