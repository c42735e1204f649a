"""Answers the read cache's 304s before Django (WSGI middleware, milidip.wsgi), and its cached
200s likewise (CachedBeforeDjango, at the end: the same design with the body kept).

A conditional GET that the read cache answers 304 (milidip.api.caching) still went through
Django's handler and every middleware outside the read cache: metrics, the request id and log
line, security headers, compression, CSP, CORS. Each of those gives the same headers to every
304 of one request identity (path, query, Accept, host, language) as long as the data version
stands, apart from the request id. So this layer:

- lets the first such 304 through Django, and keeps its headers, exactly as they were sent
  (less X-Request-ID), with the validators it was answered from and the data version it was
  answered at, under the request's signature: the raw WSGI values that the request's identity,
  its credentials and its origin are made of (SIGNATURE). Django's stack stays the only place
  where a header is decided, and a request of the same signature is the same request to it;
- answers the next request of that signature from the WSGI environ, without building a Django
  request: its If-None-Match / If-Modified-Since are compared with the kept validators by
  Django's own code (the outcome remembered per kept answer, as it depends on nothing else),
  one cache round trip reads the data version (milidip.versions.current_if_set), and the 304
  goes out with the kept headers, a request id of its own, the request's log line, the read
  cache's metric and the throttle's charge;
- steps aside (Django answers, as before) for anything else: a method other than GET, no
  validator sent, If-Match or If-Unmodified-Since sent, credentials (an Authorization header;
  a session cookie is part of the signature, and Django keeps nothing for such a request), a
  signature whose 304 was not kept (a path the read cache does not keep, a host Django
  refuses, a query it cannot parse: Django answered those, and kept nothing), a version not
  the kept one, validators that do not match, and a cache (or database) that cannot be read:
  an error here is never the client's answer, Django's handling of it is.

Any write moves the data version, so what was kept before it is never used after it: the first
304 after a write is Django's again. The kept validators are those the read cache held for the
same data version, which a later render at that version would give again. Each process keeps at
most MAX_KEPT answers.
"""

import time
from functools import lru_cache

from django.conf import settings
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from milidip.api.caching import (
    ANSWERED_EARLY,
    ANSWERED_EARLY_200,
    EARLY_200_MARK,
    EARLY_304_MARK,
    validators_cost,
)
from milidip.api.clients import address_in
from milidip.api.throttling import spend_cached
from milidip.ops.metrics import CACHE_TIME
from milidip.ops.middleware import REQUEST_ID_HEADER, request_id_in, request_log
from milidip.versions import current_if_set

# Headers made afresh for each response, never kept: the request's id (a gunicorn adds Date and
# Server itself).
PER_RESPONSE = {REQUEST_ID_HEADER.lower(), "date", "server"}
# The WSGI values a request's identity (milidip.api.caching.request_identity: path, query,
# Accept, scheme, host, Accept-Language), its credentials (cookies) and its origin are read from
# by Django; the proxy's HTTPS header, when settings name one, is added. Two requests alike in
# all of them are answered alike by Django's stack, but for the request id.
SIGNATURE = (
    "PATH_INFO",
    "SCRIPT_NAME",
    "SCRIPT_URL",
    "REDIRECT_URL",
    "QUERY_STRING",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_COOKIE",
    "HTTP_ORIGIN",
)
# The preconditions that can make a 304; a request that also sends If-Match or
# If-Unmodified-Since (which can make a 412) is left to Django.
PRECONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
PRECONDITIONS_FOR_DJANGO = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
MAX_OUTCOMES = 16


@lru_cache(maxsize=4)
def cache_time(alias):
    """The cache-time histogram of a GET in the cache `alias` (milidip.ops.metrics)."""
    return CACHE_TIME.labels(alias=alias, operation="get")


def still_current(kept, environ):
    """True when the data version is still the one `kept` was answered at; then the client is
    charged what the view's answer cost (`kept.cost`)."""
    try:
        started = time.perf_counter()
        version = current_if_set()
        cache_time(settings.READ_CACHE).observe(time.perf_counter() - started)
        if version != kept.version:
            return False
        if kept.cost is not None:
            spend_cached(environ, kept.cost)
    except Exception:  # a cache or database down: Django answers, as it would
        return False
    return True


def through_kept(application, environ, start_response):
    """Django's answer to a request, with the status and headers it started:
    (result, status, headers)."""
    sent = {}

    def keeping_start_response(status, headers, exc_info=None):
        sent["status"], sent["headers"] = status, headers
        return start_response(status, headers, exc_info)

    result = application(environ, keeping_start_response)
    return result, sent.get("status", ""), sent.get("headers", [])


def kept_headers(headers):
    """An answer's headers less those made per response (PER_RESPONSE); None when it set a
    cookie, which is that client's alone and never kept."""
    if any(name.lower() == "set-cookie" for name, _ in headers):
        return None
    return [(name, value) for name, value in headers if name.lower() not in PER_RESPONSE]


def answer(environ, start_response, kept, status, body, metric, started):
    """Sends what was kept (`status`, `kept`'s headers, `body`: a list of bytes) with a request
    id of its own, counted in `metric` and logged as Django's answer would be."""
    request_id = request_id_in(environ)
    start_response(status, [*kept.headers, (REQUEST_ID_HEADER, request_id)])
    metric.inc()
    log_answer(environ, request_id, kept.path, int(status[:3]), sum(map(len, body)), started)
    return body


def log_answer(environ, request_id, path, status, size, started):
    """The request's log line, as RequestLogMiddleware writes Django's."""
    request_log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": "GET",
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client": address_in(environ),
            "user_id": None,
            "bytes": size,
        },
    )


class Preconditions:
    """What Django's get_conditional_response reads of a request, from its preconditions."""

    method = "GET"

    def __init__(self, preconditions):
        self.META = {
            name: value for name, value in zip(PRECONDITIONS, preconditions, strict=True) if value
        }


class Kept:
    """What is kept of an answer Django sent: its headers (kept_headers), the request's path and
    what the view's answer cost the client, at a data version."""

    __slots__ = ("cost", "headers", "path", "version")

    def __init__(self, version, headers, cost, path):
        self.version, self.headers, self.cost, self.path = version, headers, cost, path


class Kept304(Kept):
    """A 304 Django answered: its headers, validators and cost, at a data version."""

    __slots__ = ("etag", "last_modified", "outcomes")

    def __init__(self, version, headers, validators, path):
        super().__init__(version, headers, validators_cost(validators), path)
        pairs = dict(validators)
        self.etag = pairs.get("ETag")
        self.last_modified = parse_http_date_safe(pairs.get("Last-Modified", ""))
        self.outcomes = {}  # the request's preconditions -> answered 304?

    def not_modified(self, preconditions):
        """True when a request with these preconditions is answered 304 from these validators
        (Django's get_conditional_response decides, once per distinct preconditions)."""
        outcome = self.outcomes.get(preconditions)
        if outcome is None:
            response = get_conditional_response(
                Preconditions(preconditions), etag=self.etag, last_modified=self.last_modified
            )
            outcome = response is not None and response.status_code == 304
            if len(self.outcomes) >= MAX_OUTCOMES:
                self.outcomes.clear()
            self.outcomes[preconditions] = outcome
        return outcome


class NotModifiedBeforeDjango:
    MAX_KEPT = 10_000

    def __init__(self, application):
        self.application = application
        self.kept = {}  # signature -> Kept304
        proxy_header = settings.SECURE_PROXY_SSL_HEADER
        self.signature = SIGNATURE + ((proxy_header[0],) if proxy_header else ())

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return self.application(environ, start_response)
        preconditions = tuple(map(environ.get, PRECONDITIONS))
        if preconditions == (None, None) or any(
            name in environ for name in PRECONDITIONS_FOR_DJANGO
        ):
            return self.application(environ, start_response)
        started = time.perf_counter()
        signature = tuple(map(environ.get, self.signature))
        kept = self.kept.get(signature)
        if kept is not None and kept.not_modified(preconditions) and still_current(kept, environ):
            return answer(
                environ, start_response, kept, "304 Not Modified", [], ANSWERED_EARLY, started
            )
        return self.through_django(environ, start_response, signature)

    def through_django(self, environ, start_response, signature):
        result, status, headers = through_kept(self.application, environ, start_response)
        # Set by the read cache when it answered 304 from its validators: (key, version,
        # validators, the request's path).
        mark = environ.get(EARLY_304_MARK)
        headers = kept_headers(headers) if mark is not None and status.startswith("304") else None
        if headers is not None:
            if len(self.kept) >= self.MAX_KEPT:
                self.kept.clear()
            self.kept[signature] = Kept304(mark[1], headers, mark[2], mark[3])
        return result


class Kept200(Kept):
    """A cached 200 the read cache answered through Django: its headers and body, its cost, at
    a data version."""

    __slots__ = ("body",)

    def __init__(self, version, headers, body, cost, path):
        super().__init__(version, headers, cost, path)
        self.body = body


class CachedBeforeDjango:
    """Answers the read cache's cached 200s before Django, as NotModifiedBeforeDjango answers
    its 304s: the first cached 200 of a signature goes through Django and is kept, headers and
    body exactly as they were sent (less X-Request-ID); the next request of that signature is
    answered from it after one round trip that reads the data version, with a request id of its
    own, its log line, the read cache's metric and the throttle's charge. The signature adds
    Accept-Encoding to the 304s' (compression changes the body). Django answers anything else:
    a conditional request (NotModifiedBeforeDjango's), `Cache-Control: no-cache` (the read cache
    renders those), credentials, a 200 the read cache did not answer from its store (a view's
    render carries headers a cached answer does not), another version.

    Each process keeps at most EARLY_CACHE_MAX_BYTES of bodies (READ_CACHE_MAX_BYTES at most
    each), forgetting them all when full: the shared read cache stays the one every worker and
    server fills and reads; this only spares a worker Django's stack for what it has just sent.
    """

    MAX_KEPT = 10_000

    def __init__(self, application):
        self.application = application
        self.kept = {}  # signature -> Kept200
        self.kept_bytes = 0
        proxy_header = settings.SECURE_PROXY_SSL_HEADER
        self.signature = (
            SIGNATURE + ("HTTP_ACCEPT_ENCODING",) + ((proxy_header[0],) if proxy_header else ())
        )

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_AUTHORIZATION" in environ
            or any(name in environ for name in PRECONDITIONS + PRECONDITIONS_FOR_DJANGO)
            or "no-cache" in environ.get("HTTP_CACHE_CONTROL", "")
        ):
            return self.application(environ, start_response)
        started = time.perf_counter()
        signature = tuple(map(environ.get, self.signature))
        kept = self.kept.get(signature)
        if kept is not None and still_current(kept, environ):
            return answer(
                environ, start_response, kept, "200 OK", [kept.body], ANSWERED_EARLY_200, started
            )
        return self.through_django(environ, start_response, signature)

    def through_django(self, environ, start_response, signature):
        result, status, headers = through_kept(self.application, environ, start_response)
        # Set by the read cache when it answered from its store: (data version, the cost of the
        # view's answer, the request's path).
        mark = environ.get(EARLY_200_MARK)
        headers = kept_headers(headers) if mark is not None and status.startswith("200") else None
        if headers is None:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if len(self.kept) >= self.MAX_KEPT or self.kept_bytes + len(body) > (
            settings.EARLY_CACHE_MAX_BYTES
        ):
            self.kept.clear()
            self.kept_bytes = 0
        if len(body) <= settings.EARLY_CACHE_MAX_BYTES:
            previous = self.kept.get(signature)
            self.kept_bytes += len(body) - (len(previous.body) if previous else 0)
            self.kept[signature] = Kept200(mark[0], headers, body, mark[1], mark[2])
        return [body]
