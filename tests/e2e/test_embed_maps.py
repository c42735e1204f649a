"""The map and network embeds framed by a page on another origin, in Debian's Chromium.

The framing page is served by a server of its own (http.server on 127.0.0.1 and another port);
the embeds come from the live server (localhost). They must draw as many points and nodes as the
API gives, with no console error, no CSP violation and no request to any third host (each is
intercepted and failed). With all of a country's ~1,900 exercises on the map it must stay quick:
the time the map took to draw is printed (and bounded loosely, for a shared machine).

Screenshots go to test-artifacts/screenshots/embed-*.png (git-ignored).
"""

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from alliances.models import Country
from missions.models import Exercise, ExerciseParticipant

from .conftest import SCREENSHOTS, TIMEOUT_MS
from .test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)

MAP = "/embed/map/?resource=exercises&country=USA"
NETWORK = "/embed/network/?country=USA&year=1990"
POINTS = 1900


def framing_page(embed_origin):
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>A front end</title></head><body>
<h1>Our page</h1>
<iframe id="map" title="map" src="{embed_origin}{MAP}" width="800" height="560"></iframe>
<iframe id="network" title="network" src="{embed_origin}{NETWORK}" width="640" height="720">
</iframe></body></html>""".encode()


@pytest.fixture
def many_exercises(records):
    """POINTS located US exercises (with South Korea), as the MME data gives the US."""
    usa, _ = Country.objects.get_or_create(code="USA", defaults={"name": "United States"})
    kor, _ = Country.objects.get_or_create(code="KOR", defaults={"name": "South Korea"})
    exercises = Exercise.objects.bulk_create(
        Exercise(
            slug=f"us-drill-{n}",
            name=f"US drill {n}",
            start=f"{1970 + n % 50}",
            latitude=-60 + (n * 7.3) % 130,
            longitude=-179 + (n * 13.7) % 358,
            status="published",
        )
        for n in range(POINTS)
    )
    ExerciseParticipant.objects.bulk_create(
        ExerciseParticipant(exercise=exercise, country=country)
        for exercise in exercises
        for country in (usa, kor)
    )


@pytest.fixture
def framed(browser, live_server, many_exercises):
    embed_origin = live_server.url
    body = framing_page(embed_origin)

    class FrontEnd(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontEnd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    assert urlsplit(origin).netloc != urlsplit(embed_origin).netloc
    allowed = {urlsplit(origin).netloc, urlsplit(embed_origin).netloc}
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    elsewhere, problems = [], []

    def route(route):
        url = route.request.url
        if url.startswith("data:") or urlsplit(url).netloc in allowed:
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(message.text),
    )
    page.goto(f"{origin}/")
    yield page, embed_origin, elsewhere, problems
    context.close()
    server.shutdown()


def api(embed_origin, path):
    with urllib.request.urlopen(embed_origin + path) as response:
        return json.load(response)


def violations(frame):
    return frame.evaluate("window.__cspViolations")


def test_the_map_and_network_draw_in_frames_on_another_origin(framed):
    page, embed_origin, elsewhere, problems = framed
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    drawn = page.frame_locator("#map").locator("figure.map.drawn svg")
    expect(drawn).to_be_visible()
    features = api(embed_origin, "/api/v1/exercises/?country=USA&format=geojson")["features"]
    assert len(features) >= POINTS
    assert drawn.get_attribute("data-drawn") == str(len(features))
    render_ms = int(
        page.frame_locator("#map").locator("figure.map").get_attribute("data-render-ms")
    )
    print(f"map of {len(features)} points drawn in {render_ms} ms (fetch, project, draw)")
    assert render_ms < 5000
    page.frame_locator("#map").locator("figure.map").screenshot(
        path=str(SCREENSHOTS / "embed-map-usa.png")
    )

    graph = api(embed_origin, "/api/v1/graph/?country=USA&year=1990")
    circles = page.frame_locator("#network").locator("svg circle")
    expect(circles.first).to_be_visible()
    assert circles.count() == len(graph["nodes"]) >= 2
    links = page.frame_locator("#network").locator("svg a")
    assert links.first.get_attribute("href").endswith(f"/countries/{graph['nodes'][0]['code']}/")
    page.frame_locator("#network").locator("figure.network").screenshot(
        path=str(SCREENSHOTS / "embed-network-usa-1990.png")
    )
    page.screenshot(path=str(SCREENSHOTS / "embed-maps-framed.png"), full_page=True)

    for frame in page.frames:
        assert not violations(frame), violations(frame)
    assert not problems, problems
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
