"""Reads that cost almost nothing: conditional GETs and a response cache, both keyed by the data
version (milidip.versions) and the request, so neither needs to read a record.

For an anonymous GET (no Authorization header, no session cookie) of a path READ_CACHE_PATHS
matches (the API, the public pages, the embeds; never the admin, the probes or the downloads):
- the request's identity is its path, its query parameters (sorted by name), its Accept header,
  its scheme and host (the paging links are absolute), the language, and outside /api/ the
  Accept-Language header (the pages name countries in the reader's language); it names two cache
  entries, the response's validators (ETag, Last-Modified) and its body, each holding the data
  version it was made at: an entry of any other version is stale, and never served;
- a request whose If-None-Match (or If-Modified-Since) matches the validators is answered 304
  from them, after one cache round trip that reads the version and the validators together
  (with Redis; without it, the version is one query): no record is read;
- otherwise a stored body is answered as it was stored (a cached 200), unless the request says
  `Cache-Control: no-cache`;
- otherwise the view answers, and a 200 not larger than READ_CACHE_MAX_BYTES that carries
  nothing made for this one response is kept for the next reader, with its ETag (the one
  ContentEtagMiddleware gives (a digest of the body), or the record's own, which writes compare in
  If-Match). Never kept: a response that set a cookie, used a CSRF token, or whose rendering made
  a CSP nonce (`request.csp_nonce`: the docs pages); a cached body must not hand one reader's
  nonce to the next, whose Content-Security-Policy header (made afresh for every response by the
  outer CSPMiddleware) would not name it anyway. The public pages and embeds have no inline
  script or style (their JSON-LD is a data block), so they are kept; what a view changed in its
  own CSP (csp_update/csp_replace, e.g. an embed's frame-ancestors) is kept beside the body and
  given back to CSPMiddleware with it.

The middleware sits as early as it may (settings.MIDDLEWARE): metrics, the request id and log
line, security headers, compression, CSP, CORS, the spent-client refusal and
ContentEtagMiddleware (Django's conditional GETs) wrap it, so a cached answer gets what every
response gets; sessions, CSRF, authentication and the API's own middleware run only when the
view does (their headers, Cache-Control and Vary, are kept with the answer).

Any write moves the version, so the next read finds the entries stale: no reader gets a stale
304 or body after a write commits (a reader that began before the write may store what it read
under the version it began with, never under a newer one). Signed-in readers (who may see
drafts) never read nor fill the cache; their conditional GETs are answered by rendering, as
before. A cached answer spends from the anonymous client's budget what the view's answer cost
(milidip.api.throttling.spend_cached); pages, which the throttle does not cost, spend nothing.

Every write request made by a signed-in user, through any door (the admin, the API), moves the
version when it ends, whatever the signals saw: a bulk update that sends none is covered too.
"""

import hashlib
import re
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import TooManyFieldsSent
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe, quote_etag
from prometheus_client import Counter

from milidip.api.throttling import BASE_COST, spend_cached
from milidip.versions import (
    READ_VERSION,
    current_and,
    data_changed,
    reading_to_keep,
    uncommitted_changes,
)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# Headers a cached 200 is answered with (those the outer middleware add are made again).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "Link",
    "X-Total-Count",
    "Allow",
    "Vary",
    "X-Frame-Options",
    "Content-Language",
    "Cache-Control",
)
VALIDATOR_HEADERS = ("ETag", "Last-Modified", "Vary", "Cache-Control")
# Kept beside the headers: what the view's answer cost the client's budget (None: nothing).
COST = "cost"
# What a view changed in its response's Content-Security-Policy (django-csp's decorators):
# kept beside the headers, and given back to the outer CSPMiddleware with a cached answer.
CSP_ATTRIBUTES = tuple(
    f"_csp_{what}{ro}" for what in ("exempt", "config", "update", "replace") for ro in ("", "_ro")
)
CSP = "csp"
ANSWERS = Counter(
    "milidip_read_cache_answers_total",
    "Anonymous reads the read cache saw, by how they were answered.",
    ["answer"],
)
ANSWERED_304, ANSWERED_EARLY, ANSWERED_200, ANSWERED_EARLY_200, MISSED = (
    ANSWERS.labels(answer="304"),
    ANSWERS.labels(answer="304 before Django"),  # milidip.ops.early
    ANSWERS.labels(answer="cached 200"),
    ANSWERS.labels(answer="cached 200 before Django"),  # milidip.ops.early
    ANSWERS.labels(answer="view"),
)
# Set in the WSGI environ when a 304 was answered from the validators: (validators key, data
# version, the validators, the request's path). milidip.ops.early keeps that 304's headers, to
# answer the next one before Django.
EARLY_304_MARK = "milidip.read_cache.answered_304"
# Set in the WSGI environ when a body was answered from the store: (data version, the cost of the
# view's answer, the request's path); milidip.ops.early keeps that answer for the next request.
EARLY_200_MARK = "milidip.read_cache.answered_200"


def content_etag(response):
    """Give `response` the strong ETag of its body, as Django's set_response_etag does, with
    SHA-256 (cut to 128 bits) where Django uses MD5: OpenSSL runs SHA-256 on the CPU's SHA
    extensions, and a 147 KB list page took 70 us to digest rather than 175. Every list's and
    page's ETag is made here, whoever reads, so one body has one ETag (a record's is its own:
    BaseViewSet.representation_etag). Bodies the read cache kept before a deploy keep the ETag
    they were kept with until the data version moves."""
    if not response.streaming and response.content:
        digest = hashlib.sha256(response.content).hexdigest()[:32]
        response.headers["ETag"] = quote_etag(digest)
    return response


class ContentEtagMiddleware(ConditionalGetMiddleware):
    """Django's conditional GETs (304 on a matching If-None-Match or If-Modified-Since), the
    ETag a response lacks made by `content_etag`."""

    def process_response(self, request, response):
        missing = not response.has_header("ETag")
        if request.method == "GET" and missing and self.needs_etag(response):
            content_etag(response)
        return super().process_response(request, response)


@lru_cache(maxsize=4)
def compiled(pattern):
    return re.compile(pattern)


def read_cached_path(path):
    """True for a path whose anonymous GETs the read cache may answer (READ_CACHE_PATHS)."""
    return compiled(settings.READ_CACHE_PATHS).match(path) is not None


def validators_cost(pairs):
    return dict(pairs).get(COST, BASE_COST)


def spend_for(meta, pairs):
    """Spend what the answer kept with `pairs` cost, from the budget of the client that `meta`
    (a request's META, or a WSGI environ) names."""
    cost = validators_cost(pairs)
    if cost is not None:
        spend_cached(meta, cost)


def looks_anonymous(request):
    """True when the request carries no credentials of any kind (decided without a query)."""
    return (
        "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # DRF's test client authenticates without credentials on the request.
        and getattr(request, "_force_auth_user", None) is None
    )


def request_identity(request):
    """What the response to this request depends on, besides the data version."""
    query = sorted(request.GET.lists())
    parts = [
        request.path,
        repr(query),
        request.META.get("HTTP_ACCEPT", "").strip(),
        request.scheme,
        request.get_host(),
        settings.LANGUAGE_CODE,
        "anonymous",
    ]
    if not request.path.startswith("/api/"):
        parts.append(request.META.get("HTTP_ACCEPT_LANGUAGE", "").strip())
    return "\n".join(parts)


def cache_keys(request):
    digest = hashlib.sha256(request_identity(request).encode()).hexdigest()
    return f"read:{digest}:validators", f"read:{digest}:body"


class ReadCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                data_changed()
            return response
        if (
            request.method != "GET"
            or not read_cached_path(request.path)
            or not looks_anonymous(request)
            or uncommitted_changes()
        ):
            return self.get_response(request)
        try:
            validators_key, body_key = cache_keys(request)
        except TooManyFieldsSent:
            return self.get_response(request)  # refused further in, in the API's error shape
        cache = caches[settings.READ_CACHE]
        conditional = any(
            name in request.META for name in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
        )
        # A client that asks for no cached answer (a browser's hard reload, a benchmark of the
        # views) gets a fresh one, which is kept for the next reader.
        fresh_wanted = "no-cache" in request.headers.get("Cache-Control", "")
        wanted = [validators_key] if conditional or fresh_wanted else [body_key]
        try:
            version, found = current_and(settings.READ_CACHE, wanted)
        except DatabaseError:
            # No version to key by (a database not migrated, or down): the view answers alone.
            return self.get_response(request)

        def current_entry(entry):
            # Each entry names the version it was made at; any other version's is stale.
            return entry[1:] if entry is not None and entry[0] == version else None

        stored = None
        if conditional:
            validators = current_entry(found.get(validators_key))
            if validators is not None:
                answer = self.not_modified(request, validators[0])
                if answer is not None:
                    spend_for(request.META, validators[0])
                    ANSWERED_304.inc()
                    request.META[EARLY_304_MARK] = (
                        validators_key,
                        version,
                        validators[0],
                        request.path,
                    )
                    return answer
            if not fresh_wanted:
                stored = current_entry(cache.get(body_key))
        elif not fresh_wanted:
            stored = current_entry(found.get(body_key))
        if stored is not None:
            spend_for(request.META, stored[0])
            ANSWERED_200.inc()
            request.META[EARLY_200_MARK] = (version, validators_cost(stored[0]), request.path)
            return self.from_cache(stored)
        MISSED.inc()
        request.META[READ_VERSION] = version
        # What is kept under `version` must be read from data at least that new: the primary.
        with reading_to_keep(version):
            response = self.get_response(request)
        if self.cacheable(request, response):
            if not response.has_header("ETag"):
                content_etag(response)
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            validators = [(name, value) for name, value in headers if name in VALIDATOR_HEADERS]
            # The API's views are costed by the throttle; the pages are not.
            default = BASE_COST if request.path.startswith("/api/") else None
            cost = getattr(request, "throttle_cost", default)
            csp = {
                name: getattr(response, name) for name in CSP_ATTRIBUTES if hasattr(response, name)
            }
            if csp:
                headers.append((CSP, csp))
                validators.append((CSP, csp))
            headers.append((COST, cost))
            validators.append((COST, cost))
            if fresh_wanted and current_entry(found.get(validators_key)) == (validators,):
                # Asked afresh, the same answer as the one kept for this version (the ETag is
                # the body's digest, or the view's own validator): what is kept stands.
                return response
            cache.set_many(
                {
                    validators_key: (version, validators),
                    body_key: (version, headers, response.content),
                },
                timeout=settings.READ_CACHE_SECONDS,
            )
        return response

    @staticmethod
    def not_modified(request, validators):
        """The 304 for a request whose validators match the stored ones, else None."""
        headers = dict(validators)
        answer = get_conditional_response(
            request,
            etag=headers.get("ETag"),
            last_modified=parse_http_date_safe(headers.get("Last-Modified", "")),
        )
        if answer is None or answer.status_code != 304:
            return None
        return ReadCacheMiddleware.with_headers(answer, validators)

    @staticmethod
    def from_cache(stored):
        headers, content = stored
        return ReadCacheMiddleware.with_headers(HttpResponse(content), headers)

    @staticmethod
    def with_headers(response, kept):
        """`response` with the headers (and the view's CSP changes) kept beside an answer."""
        for name, value in kept:
            if name == CSP:
                for attribute, setting in value.items():
                    setattr(response, attribute, setting)
            elif name != COST:
                response[name] = value
        return response

    @staticmethod
    def cacheable(request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            # Made for this response alone: a CSP nonce its body carries, a CSRF token.
            and not isinstance(getattr(request, "_csp_nonce", None), str)
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and len(response.content) <= settings.READ_CACHE_MAX_BYTES
            and not getattr(getattr(request, "user", None), "is_authenticated", False)
            and not uncommitted_changes()
        )
