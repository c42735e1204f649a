"""Reading embeds in tests: fetch one, and the headers every embed (and no other page) has."""

from milidip import versions
from tests.pages.helpers import page, text

__all__ = ["EMBED_PATHS", "changed", "frame_ancestors", "page", "text"]

# One embed of each kind the curated records have (cards of every kind: test_cards.py).
EMBED_PATHS = [
    "/embed/countries/KOR/",
    "/embed/alliances/rok-us-alliance/",
    "/embed/countries/KOR/timeline/",
    "/embed/missions/rok-peacekeeping-lebanon/strength/",
]


def frame_ancestors(response):
    """The sources of the response's CSP frame-ancestors directive."""
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        if name == "frame-ancestors":
            return sources
    return None


def changed():
    """Say the data changed, as every real write does (a queryset's update() sends no signal):
    embeds are kept under the data version (READ_CACHE_PATHS, milidip.api.caching)."""
    versions.bump()
