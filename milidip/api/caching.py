"""Reads that cost almost nothing: conditional GETs and a response cache, both keyed by the data
version (milidip.versions) and the request, so neither needs to read a record.

For an anonymous GET under /api/ (no Authorization header, no session cookie):
- the request's identity is its path, its query parameters (sorted by name), its Accept header,
  its scheme and host (the paging links are absolute) and the language; it names two cache
  entries, the response's validators (ETag, Last-Modified) and its body, each holding the data
  version it was made at: an entry of any other version is stale, and never served;
- a request whose If-None-Match (or If-Modified-Since) matches the validators is answered 304
  from them, after one cache round trip that reads the version and the validators together
  (with Redis; without it, the version is one query): no record is read;
- otherwise a stored body is answered as it was stored (a cached 200), unless the request says
  `Cache-Control: no-cache`;
- otherwise the view answers, and a 200 that is not HTML (JSON, CSV, the schema: no CSRF token,
  no per-response CSP nonce in them) and not larger than READ_CACHE_MAX_BYTES is kept for the
  next reader, with its ETag (the one Django's ConditionalGetMiddleware gives, or the record's
  own, which writes compare in If-Match).

Any write moves the version, so the next read finds the entries stale: no reader gets a stale
304 or body after a write commits (a reader that began before the write may store what it read
under the version it began with, never under a newer one). Signed-in readers (who may see
drafts) never read nor fill the cache; their conditional GETs are answered by rendering, as
before. A cached answer spends from the anonymous client's budget what the view's answer cost
(milidip.api.throttling.spend_cached).

Every write request made by a signed-in user, through any door (the admin, the API), moves the
version when it ends, whatever the signals saw: a bulk update that sends none is covered too.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

from milidip.api.throttling import BASE_COST, spend_cached
from milidip.versions import current_and, data_changed, reading_to_keep, uncommitted_changes

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
)
VALIDATOR_HEADERS = ("ETag", "Last-Modified", "Vary")
# Kept beside the headers: what the view's answer cost the client's budget.
COST = "cost"


def validators_cost(pairs):
    return dict(pairs).get(COST, BASE_COST)


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
    return "\n".join(
        [
            request.path,
            repr(query),
            request.META.get("HTTP_ACCEPT", "").strip(),
            request.scheme,
            request.get_host(),
            settings.LANGUAGE_CODE,
            "anonymous",
        ]
    )


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
            or not request.path.startswith("/api/")
            # Whole-dataset downloads stream, and are never kept: no version to read for them.
            or request.path.startswith("/api/v1/downloads/")
            or not looks_anonymous(request)
            or uncommitted_changes()
        ):
            return self.get_response(request)
        cache = caches[settings.READ_CACHE]
        validators_key, body_key = cache_keys(request)
        conditional = any(
            name in request.META for name in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
        )
        # A client that asks for no cached answer (a browser's hard reload, a benchmark of the
        # views) gets a fresh one, which is kept for the next reader.
        fresh_wanted = "no-cache" in request.headers.get("Cache-Control", "")
        wanted = [validators_key] if conditional else [] if fresh_wanted else [body_key]
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
                    spend_cached(request, validators_cost(validators[0]))
                    return answer
            if not fresh_wanted:
                stored = current_entry(cache.get(body_key))
        elif not fresh_wanted:
            stored = current_entry(found.get(body_key))
        if stored is not None:
            spend_cached(request, validators_cost(stored[0]))
            return self.from_cache(stored)
        # What is kept under `version` must be read from data at least that new: the primary.
        with reading_to_keep():
            response = self.get_response(request)
        if self.cacheable(request, response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            validators = [(name, value) for name, value in headers if name in VALIDATOR_HEADERS]
            cost = getattr(request, "throttle_cost", BASE_COST)
            headers.append((COST, cost))
            validators.append((COST, cost))
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
        for name, value in validators:
            if name != COST:
                answer[name] = value
        return answer

    @staticmethod
    def from_cache(stored):
        headers, content = stored
        response = HttpResponse(content)
        for name, value in headers:
            if name != COST:
                response[name] = value
        return response

    @staticmethod
    def cacheable(request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.get("Content-Type", "").startswith("text/html")
            and len(response.content) <= settings.READ_CACHE_MAX_BYTES
            and not getattr(getattr(request, "user", None), "is_authenticated", False)
            and not uncommitted_changes()
        )
