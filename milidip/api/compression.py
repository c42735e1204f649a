"""Compression of the API's data: gzip, or brotli (or zstd) when the client prefers it, for
JSON, CSV and the OpenAPI schema, by django-http-compression.

HTML is left as it is, whatever the client accepts: admin pages and the browsable API carry a
CSRF token beside text a visitor can make the page reflect, which is what BREACH needs (compressed
sizes reveal the secret); the API's data carries no secret. Static files are compressed ahead of
time by WhiteNoise.

Compressing makes a strong ETag weak (RFC 9110, 8.8.1): the bytes differ from the uncompressed
ones. Conditional GETs compare weakly, so one ETag still gives a 304 whatever the coding; writes
(`If-Match`) accept the weak form of a record's ETag too (milidip.api.views.check_if_match).
"""

import re

from django_http_compression.middleware import HttpCompressionMiddleware


class CompressionMiddleware(HttpCompressionMiddleware):
    content_type_re = re.compile(
        r"^(?:application/(?:json|geo\+json|problem\+json|vnd\.oai\.openapi(?:\+json)?)|text/csv)$",
        re.IGNORECASE,
    )
