"""Reading public pages in tests: fetch a page, and take its JSON-LD and citations apart."""

import json
import re
from html import unescape

from milidip.pages.records import KINDS

JSONLD_RE = re.compile(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', re.S)
QUOTE_RE = re.compile(r"<blockquote[^>]*><p>(.*?)</p></blockquote>", re.S)


def page(client, path, status=200, **headers):
    response = client.get(path, **headers)
    assert response.status_code == status, (path, response.status_code, response.content[:300])
    return response


def text(response):
    return response.content.decode()


def jsonld(response):
    found = JSONLD_RE.findall(text(response))
    assert len(found) == 1, "a record page carries exactly one JSON-LD block"
    return json.loads(found[0])


def quotes(response):
    return [unescape(quote) for quote in QUOTE_RE.findall(text(response))]


def page_path(kind_name, record):
    kind = KINDS[kind_name]
    return f"/{kind.plural}/{getattr(record, kind.lookup)}/"
