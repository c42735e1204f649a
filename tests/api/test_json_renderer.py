"""The API's JSON writer (milidip.api.renderers.FastJSONRenderer) writes what DRF's would."""

import pytest
from rest_framework.renderers import JSONRenderer

from milidip.api.renderers import FastJSONRenderer


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "line\u2028separator and paragraph\u2029separator",
        "Korea\u2019s \u201calliance\u201d \u2014 no separator, the same first two bytes",
        "\u2029",
        "한국 \u2028",
    ],
)
def test_line_and_paragraph_separators_are_escaped_as_drf_escapes_them(text):
    data = {"description": text, "items": [text, {"nested": text}]}
    written = FastJSONRenderer().render(data)
    assert written == JSONRenderer().render(data)
    assert "\u2028".encode() not in written and "\u2029".encode() not in written
