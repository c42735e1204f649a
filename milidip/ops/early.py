"""Answers the read cache's 304s before Django runs (WSGI middleware, milidip.wsgi).

A conditional GET that the read cache answers 304 (milidip.api.caching) still went through
Django's handler and every middleware outside the read cache: metrics, the request id and log
line, security headers, compression, CSP, CORS. Each of those gives the same headers to every
304 of one request identity (path, query, Accept, host, language) as long as the data version
stands, apart from the request id. So this layer:

- lets the first such 304 through Django, and keeps its headers, exactly as they were sent
  (less X-Request-ID), under the request's validators key, whether it came from another origin,
  and the data version it was answered at: Django's stack stays the only place where a header
  is decided;
- answers the next matching request from the WSGI environ: one cache round trip reads the
  version and the validators together (as the read cache does), the request's If-None-Match /
  If-Modified-Since are compared with them by the same code, and the 304 goes out with the kept
  headers, a request id of its own, the request's log line and the throttle's charge;
- steps aside (Django answers, as before) for anything else: a method other than GET, no
  validator sent, credentials (an Authorization header, a session cookie), a path the read cache
  does not keep, a host Django would refuse, a version or validators not the kept ones, a
  request whose validators do not match, and a cache (or database) that cannot be read: an
  error here is never the client's answer, Django's handling of it is.

Any write moves the data version, so what was kept before it is never used after it: the first
304 after a write is Django's again. Each process keeps at most MAX_KEPT answers.
"""

import time

from django.conf import settings
from django.core.exceptions import DisallowedHost, TooManyFieldsSent
from django.core.handlers.wsgi import WSGIRequest

from milidip.api.caching import (
    ANSWERED_EARLY,
    EARLY_304_MARK,
    ReadCacheMiddleware,
    cache_keys,
    looks_anonymous,
    read_cached_path,
    spend_for,
)
from milidip.api.clients import client_address
from milidip.ops.middleware import REQUEST_ID_HEADER, request_id_for, request_log
from milidip.versions import current_and

# Headers made afresh for each response, never kept: the request's id (a gunicorn adds Date and
# Server itself).
PER_RESPONSE = {REQUEST_ID_HEADER.lower(), "date", "server"}


class NotModifiedBeforeDjango:
    MAX_KEPT = 10_000

    def __init__(self, application):
        self.application = application
        # (validators key, from another origin?) -> (data version, [(name, value), ...])
        self.kept = {}

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)
            or "HTTP_AUTHORIZATION" in environ
        ):
            return self.application(environ, start_response)
        started = time.perf_counter()
        request = WSGIRequest(environ)
        try:
            if not read_cached_path(request.path) or not looks_anonymous(request):
                return self.application(environ, start_response)
            validators_key, _ = cache_keys(request)
        except (DisallowedHost, TooManyFieldsSent):
            return self.application(environ, start_response)  # Django answers these
        slot = (validators_key, "HTTP_ORIGIN" in environ)
        kept = self.kept.get(slot)
        if kept is not None:
            answer = self.answer(request, validators_key, kept)
            if answer is not None:
                return self.send(request, answer, start_response, started)
        return self.through_django(environ, start_response, slot)

    def answer(self, request, validators_key, kept):
        """The kept headers, if the request is answered 304 now; else None."""
        kept_version, headers = kept
        try:
            version, found = current_and(settings.READ_CACHE, [validators_key])
        except Exception:  # a cache or database down: Django answers, as it would
            return None
        entry = found.get(validators_key)
        if version != kept_version or entry is None or entry[0] != version:
            return None
        if ReadCacheMiddleware.not_modified(request, entry[1]) is None:
            return None
        spend_for(request, entry[1])
        return headers

    def send(self, request, headers, start_response, started):
        request_id = request_id_for(request)
        start_response("304 Not Modified", [*headers, (REQUEST_ID_HEADER, request_id)])
        ANSWERED_EARLY.inc()
        request_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": "GET",
                "path": request.path,
                "status": 304,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client_address(request),
                "user_id": None,
                "bytes": 0,
            },
        )
        return []

    def through_django(self, environ, start_response, slot):
        sent = {}

        def keeping_start_response(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.application(environ, keeping_start_response)
        # Set by the read cache when it answered 304 from its validators: (key, version).
        mark = environ.get(EARLY_304_MARK)
        status, headers = sent.get("status", ""), sent.get("headers", [])
        if (
            mark is not None
            and mark[0] == slot[0]
            and status.startswith("304")
            and not any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            headers = [(name, value) for name, value in headers if name.lower() not in PER_RESPONSE]
            if len(self.kept) >= self.MAX_KEPT:
                self.kept.clear()
            self.kept[slot] = (mark[1], headers)
        return body
