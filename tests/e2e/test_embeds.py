"""The embeds in Debian's Chromium, framed by a page on another origin (a second local port):
the card, the timeline and the strength chart each render, at 320 px too, with no console
error, no CSP violation and no request to any host but milidip (each is intercepted and failed);
a page that is not an embed is refused in a frame.

Screenshots of the host page and of each framed embed go to test-artifacts/screenshots/
(git-ignored; CI keeps them). With EMBED_DOCS=1 the embeds' screenshots are also written to
docs/embeds/, the README's pictures: `EMBED_DOCS=1 pytest tests/e2e/test_embeds.py`.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from missions.models import MissionStrength

from .conftest import SCREENSHOTS, TIMEOUT_MS
from .test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(settings.BASE_DIR) / "docs" / "embeds"
MISSION = "un-unifil"
EMBEDS = {
    "card": ("/embed/countries/KOR/", 480, 440),
    "alliance-card": ("/embed/alliances/rok-us-alliance/", 480, 440),
    "timeline": ("/embed/countries/KOR/timeline/", 640, 560),
    "strength": (f"/embed/missions/{MISSION}/strength/", 640, 420),
}


class HostPage:
    """A tiny web server on its own port: another origin, serving one HTML page."""

    def __init__(self):
        self.html = b""
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(host.html)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, frames):
        """Serve a page framing each (id, src, width, height)."""
        iframes = "\n".join(
            f'<h2>{name}</h2><iframe id="{name}" src="{src}" width="{width}" height="{height}" '
            f'title="{name}"></iframe>'
            for name, src, width, height in frames
        )
        self.html = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>A page elsewhere"
            f"</title></head><body><h1>A page elsewhere</h1>{iframes}</body></html>"
        ).encode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def strengths(records):
    """UNIFIL's monthly strengths, imported from the IPI file as `make run` does (the curated
    records have none)."""
    for dataset in ("un-pko", "ipi"):
        call_command("import_dataset", dataset, stdout=StringIO(), stderr=StringIO())
    assert MissionStrength.objects.filter(mission__slug=MISSION).exists()


@pytest.fixture
def host(browser, live_server, records, strengths):
    """(host page server, browser page, check): every request to any host but milidip and the
    host page is failed and recorded; console errors, page errors and CSP violations (in every
    frame) are collected; check(name) takes the screenshots and asserts there were none."""
    server = HostPage()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    allowed = {urlsplit(live_server.url).netloc, urlsplit(server.url).netloc}
    elsewhere, errors = [], []

    def route(route):
        url = route.request.url
        if url.startswith("data:") or urlsplit(url).netloc in allowed:
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: errors.append(f"page: {error}"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(name):
        page.screenshot(path=str(SCREENSHOTS / f"embeds-{name}.png"), full_page=True)
        violations = [
            report for frame in page.frames for report in frame.evaluate("window.__cspViolations")
        ]
        assert not elsewhere, f"requests to other hosts: {elsewhere}"
        assert not violations and not errors, violations + errors

    yield server, page, check
    context.close()
    server.close()


def framed(page, name):
    frame = page.frame_locator(f"#{name}")
    expect(frame.locator("h1")).to_be_visible()
    return frame


def test_another_origin_frames_the_card_the_timeline_and_the_strength_chart(host, live_server):
    server, page, check = host
    server.serve([(name, live_server.url + path, w, h) for name, (path, w, h) in EMBEDS.items()])
    page.goto(server.url)
    card = framed(page, "card")
    expect(card.locator("h1")).to_contain_text("South Korea")
    expect(card.locator("footer.attribution a").first).to_have_attribute(
        "href", f"{live_server.url}/countries/KOR/"
    )
    expect(framed(page, "alliance-card").locator("dl.facts")).to_contain_text("Members")
    timeline = framed(page, "timeline")
    expect(timeline.locator("ol.memberships li").first).to_be_visible()
    expect(timeline.get_by_role("link", name="US-South Korea alliance").first).to_be_visible()
    strength = framed(page, "strength")
    expect(strength.locator("svg.chart path.line")).to_be_visible()
    expect(strength.locator("footer.attribution")).to_contain_text("IPI")
    check("host-page")
    for name in EMBEDS:
        element = page.locator(f"#{name}")
        element.screenshot(path=str(SCREENSHOTS / f"embeds-{name}.png"))
        if os.environ.get("EMBED_DOCS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            element.screenshot(path=str(DOCS / f"{name}.png"))


def test_each_embed_reads_in_a_320_px_frame(host, live_server):
    server, page, check = host
    server.serve([(name, live_server.url + path, 320, h) for name, (path, w, h) in EMBEDS.items()])
    page.goto(server.url)
    for name in EMBEDS:
        framed(page, name)
        frame = page.locator(f"#{name}").element_handle().content_frame()
        width = frame.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name} is {width}px wide in a 320px frame"
    check("320px")


def test_a_page_that_is_not_an_embed_is_refused_in_a_frame(host, live_server):
    server, page, _check = host
    server.serve(
        [
            ("page", live_server.url + "/countries/KOR/", 480, 360),
            ("card", live_server.url + "/embed/countries/KOR/", 480, 360),
        ]
    )
    page.goto(server.url)
    expect(page.frame_locator("#card").locator("h1")).to_contain_text("South Korea")
    frame = page.locator("#page").element_handle().content_frame()
    frame.wait_for_load_state()
    # Chromium puts its own error page in place of a refused frame: none of milidip's shows.
    assert frame.url.startswith("chrome-error://"), frame.url
    assert frame.locator("h1", has_text="South Korea").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "embeds-refused.png"), full_page=True)
