"""Per-request middleware for running on several servers.

- RequestLogMiddleware: every request Django answers gets an id (the caller's X-Request-ID
  when well formed, else a new one), returned in the X-Request-ID response header and written,
  with the method, path, status, duration and client, as one JSON line to the
  "milidip.requests" logger.
  LoggedRefusals does the same for the throttle's refusals answered before Django
  (milidip.wsgi), and milidip.ops.early for the 304s answered there: every request the
  application answers has its line (gunicorn's own access log is not needed, and `make run`
  does not write it).
- ReadYourWritesMiddleware: decides which database a request reads (milidip.ops.replica). A
  write is read from the primary throughout; after a write its caller's reads stay on the
  primary for READ_YOUR_WRITES_SECONDS, so a curator or token holder sees what they just saved
  even on another server and before the replica has it: a token holder is remembered in the
  shared cache (by the digest of its Authorization header), a browser by a short-lived cookie.
  A safe request that failed on the replica (it went away mid-request) is answered again from
  the primary, once.
"""

import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils.functional import SimpleLazyObject, empty

from milidip.api.clients import address_in, client_address
from milidip.api.throttling import RefuseSpentClients
from milidip.ops.replica import (
    REPLICA,
    mark_replica_failed,
    pin_to_primary,
    replica_configured,
    unpin,
)

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's or a client's id may look like: a UUID, a hex digest, a trace id.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PRIMARY_COOKIE = "milidip_primary"

request_log = logging.getLogger("milidip.requests")


def request_id_for(request):
    """The caller's X-Request-ID if well formed (8-128 letters, digits, . _ : -), else a new one."""
    return request_id_in(request.META)


def request_id_in(meta):
    """`request_id_for` from a request's META, or from a WSGI environ before Django sees it."""
    given = meta.get("HTTP_X_REQUEST_ID", "")
    if WELL_FORMED_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def resolved_user(request):
    """The request's user if something already looked it up (logging never costs a query)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return user


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        user = resolved_user(request)
        request_log.info(
            "request",
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client_address(request),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "bytes": None if response.streaming else len(response.content),
            },
        )
        return response


class LoggedRefusals(RefuseSpentClients):
    """RefuseSpentClients whose refusals carry a request id and are logged as Django's answers
    are (RequestLogMiddleware)."""

    def refused(self, environ, headers, body, started):
        request_id = request_id_in(environ)
        headers.append((REQUEST_ID_HEADER, request_id))
        request_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": environ.get("REQUEST_METHOD", ""),
                "path": environ.get("PATH_INFO", ""),
                "status": 429,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": address_in(environ),
                "user_id": None,
                "bytes": len(body),
            },
        )


def token_pin_key(request):
    """The shared cache's key remembering this token holder's last write, or None."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if not authorization:
        return None
    return "read-your-writes:" + hashlib.sha256(authorization.encode()).hexdigest()


def wrote_recently(request):
    if request.COOKIES.get(PRIMARY_COOKIE):
        return True
    key = token_pin_key(request)
    return key is not None and cache.get(key) is not None


class ReadYourWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        # Only a failure during this request counts (a failed connection stays flagged).
        connections[REPLICA].errors_occurred = False
        writing = request.method not in SAFE_METHODS
        pinned = writing or wrote_recently(request)
        token = pin_to_primary() if pinned else None
        try:
            response = self.get_response(request)
            if not pinned and response.status_code >= 500 and connections[REPLICA].errors_occurred:
                # The replica failed under this read (stopped, restarted, cut off): read the
                # primary until the next check, and answer this request from it.
                mark_replica_failed(f"a {request.method} of {request.path} failed on it")
                connections[REPLICA].close()
                token = pin_to_primary()
                response = self.get_response(request)
        finally:
            if token is not None:
                unpin(token)
        if writing and response.status_code < 400:
            self.remember_writer(request, response)
        return response

    def remember_writer(self, request, response):
        seconds = settings.READ_YOUR_WRITES_SECONDS
        key = token_pin_key(request)
        if key is not None:
            cache.set(key, 1, seconds)
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME) or response.cookies.get(
            settings.SESSION_COOKIE_NAME
        ):
            response.set_cookie(
                PRIMARY_COOKIE,
                "1",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
