"""A page on another origin reads the API as a front end would, in a real browser (issue 13,
point 8): Chromium sends the CORS preflight for If-None-Match itself, and the page gets its 304.

The front end's page is served by a server of its own (Python's http.server, on 127.0.0.1 and
another port), while the API is at the live server's http://localhost:<port>/: another origin,
and both on the loopback interface, so no private-network rule applies. (A page made up by
Playwright's routing has no address, and Chromium refuses its requests to a local one.)
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.django_db(transaction=True)

FRONT_END_PAGE = "<!doctype html><title>A front end</title><p>Reads milidip from elsewhere.</p>"

# Runs in the front end's page: read a record, then ask again with its ETag (and date).
CONDITIONAL_READS = """
async (url) => {
  const first = await fetch(url);
  const etag = first.headers.get("ETag");
  const lastModified = first.headers.get("Last-Modified");
  const byEtag = await fetch(url, {headers: {"If-None-Match": etag}});
  const byDate = await fetch(url, {headers: {"If-Modified-Since": lastModified}});
  const list = await fetch(url.replace(/KOR\\/$/, "") + "?page_size=2");
  return {
    first: first.status,
    etag,
    byEtag: byEtag.status,
    byDate: byDate.status,
    link: list.headers.get("Link"),
    total: list.headers.get("X-Total-Count"),
  };
}
"""


class FrontEndPage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = FRONT_END_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def front_end(browser, live_server, records):
    """A page whose origin is not the API's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontEndPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    assert not live_server.url.startswith(origin)
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{origin}/")
    yield page
    context.close()
    server.shutdown()
    server.server_close()


def test_a_page_on_another_origin_gets_a_304_for_a_conditional_fetch(front_end, live_server):
    result = front_end.evaluate(CONDITIONAL_READS, f"{live_server.url}/api/v1/countries/KOR/")
    assert result["first"] == 200
    assert result["etag"], "the ETag is exposed to page code"
    assert result["byEtag"] == 304
    assert result["byDate"] == 304
    assert 'rel="next"' in result["link"]
    assert int(result["total"]) > 2
