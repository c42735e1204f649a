"""The API's JSON parser: DRF's, refusing JSON nested deeper than MAX_JSON_DEPTH.

Python's json module recurses once per level of nesting, so a body like `[[[[...` 50,000 deep
would end in a RecursionError (a 500). Before parsing, the body is scanned for its depth with
strings left out (their brackets do not count): escapes are dropped, then strings, then
everything but brackets, so the one Python loop runs over brackets only and stops at the first
level too deep. A body nested deeper is a 400 (`parse_error`) that says so. milidip's records are
at most four levels deep (a record, its list of rows, a row, its fields); 32 leaves room.

The body's size is bounded before it is read (DATA_UPLOAD_MAX_MEMORY_SIZE; see
milidip.api.middleware), so the scan costs at most a few tens of milliseconds.
"""

import io
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32

ESCAPE = re.compile(rb"\\.", re.DOTALL)
STRING = re.compile(rb'"[^"]*"')
NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
OPENERS = (ord("["), ord("{"))


def nesting_depth_exceeds(body, limit):
    """True when the JSON text `body` (UTF-8 bytes) nests arrays and objects deeper than limit.

    Malformed JSON is not judged here: the parser reports it.
    """
    brackets = STRING.sub(b"", ESCAPE.sub(b"", body)).translate(None, NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in OPENERS:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class DepthLimitedJSONParser(JSONParser):
    """JSONParser that answers 400 for JSON nested deeper than MAX_JSON_DEPTH."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        body = stream.read()
        try:
            scanned = (
                body if encoding.lower() in ("utf-8", "utf8") else body.decode(encoding).encode()
            )
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
        if nesting_depth_exceeds(scanned, self.max_depth):
            raise ParseError(
                f"JSON nested deeper than {self.max_depth} levels of arrays and objects."
            )
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as error:  # a backstop; the scan above refuses such bodies first
            raise ParseError("JSON nested too deeply.") from error
