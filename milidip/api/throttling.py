"""Throttling by cost: each client spends units from a budget, counted in the shared cache.

A request costs units by what it asks the server to do (`request_cost`; the table is in the
README, "Throttling"); one unit is roughly 10 ms of a worker's time on this project's reference
machine. Budgets are per window:

- an anonymous client, named by `milidip.api.clients.client_address`, has API_ANON_BUDGET;
- a token holder (or signed-in user), named by user id, has API_USER_BUDGET;
- anonymous requests that cost HEAVY_COST units or more ("heavy") also draw from one pool shared
  by every anonymous client, API_ANON_HEAVY_BUDGET, and at most API_ANON_HEAVY_CONCURRENCY of
  them are served at once, site-wide: so many distinct clients (or addresses) together cannot
  keep every worker busy with large pages, while small requests never wait for them.

A client is admitted while its spending is under its budget (the request that crosses it is
still served, so no single request is too costly to ever be admitted); the next ones get 429,
always JSON. An anonymous client already over its own budget is refused by
SpentClientMiddleware before sessions, routing or DRF run; everything else is refused here, in
the view's `initial()`, before it reads anything from the database. A refusal for the client's
own budget spends nothing; a large request refused for the shared pool or slot still counts
against the client's own budget.

Counts live in the cache named by THROTTLE_CACHE (Redis when REDIS_URL is set, shared by every
worker and server; otherwise each process's memory). Each window's count is one integer key
changed with the cache's atomic `add` and `incr`, never read, modified and written back, so
concurrent workers cannot lose a count (a client already over its budget is refused after one
multi-get, writing nothing). The window slides: the previous window's count is weighed by how
much of it still overlaps (the usual sliding-window approximation), so a client cannot spend two
budgets across a window's edge.
"""

import json
import math
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from rest_framework.exceptions import Throttled
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import BaseThrottle

from milidip.api.clients import address_in, client_address
from milidip.api.pagination import DEFAULT_PAGE_SIZE
from milidip.search import search_terms

BASE_COST = 1
ROWS_PER_UNIT = 10
SEARCH_TERM_COST = 1
SEARCH_OR_COST = 2
CSV_COST = 5
HTML_COST = 20
HEAVY_COST = 20
POOL_KEY = "budget:anon-heavy-pool"
LOGIN_PATH = "/admin/login/"
SLOT_SECONDS = 30
DURATION_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


def whole_number(text, default):
    """A query parameter as a whole number for costing; the view itself rejects bad values."""
    return int(text) if text and text.isascii() and text.isdigit() else default


def request_cost(request, view):
    """Units this request costs; see the README's cost table."""
    params = request.query_params
    action = getattr(view, "action", None)
    rows = 0
    if action == "list" or action in getattr(view, "paged_actions", ()):
        rows = min(whole_number(params.get("page_size"), DEFAULT_PAGE_SIZE), 10_000)
    rows_parameter = getattr(view, "rows_parameter", None)
    if rows_parameter:
        name, default = rows_parameter
        rows = min(whole_number(params.get(name), default), 10_000)
    row_units = math.ceil(rows / ROWS_PER_UNIT)
    cost = BASE_COST + row_units + getattr(view, "extra_cost", 0)
    cost += getattr(view, "action_costs", {}).get(action, 0)
    text = params.get("search") or params.get("q") or ""
    cost += SEARCH_TERM_COST * len(search_terms(text))
    cost += SEARCH_OR_COST * sum(word.lower() == "or" for word in text.split())
    renderer_format = getattr(getattr(request, "accepted_renderer", None), "format", None)
    if renderer_format == "csv":
        cost += CSV_COST
    elif renderer_format == "api":
        # The browsable API renders every row again, plus forms that list related records.
        cost += HTML_COST + row_units
    return cost


def windows(key, budget, now):
    """The keys of the current and previous windows, and how far into the current one `now` is."""
    duration = budget[1]
    window = int(now // duration)
    return f"{key}:{window}", f"{key}:{window - 1}", now - window * duration


def wait_for(budget, before, previous, elapsed):
    """Seconds until a client that spent `before` (and `previous`) is under `budget` again."""
    limit, duration = budget
    if before < limit:
        # Only the previous window's share is in the way: wait until enough of it slides off.
        return duration * (1 - (limit - before) / previous) - elapsed
    # This window is spent: wait for it to end and for its count to slide off far enough.
    return duration - elapsed + duration * (1 - limit / before)


def over_budget(cache, key, budget, now):
    """Seconds to wait when the client under `key` is over `budget`, else None (one multi-get)."""
    current_key, previous_key, elapsed = windows(key, budget, now)
    counts = cache.get_many([current_key, previous_key])
    before, previous = counts.get(current_key, 0), counts.get(previous_key, 0)
    if previous * (1 - elapsed / budget[1]) + before < budget[0]:
        return None
    return wait_for(budget, before, previous, elapsed)


# `spend` in one step on Redis: the same rule as the Python below, run atomically by the server.
# KEYS: the current and previous windows' counts; ARGV: cost, limit, the previous window's weight,
# the count's lifetime. Answers admitted (1 or 0) and the two counts before this request.
SPEND_SCRIPT = """
local before = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[3]) + before < tonumber(ARGV[2]) then
  redis.call('INCRBY', KEYS[1], ARGV[1])
  if redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[4])
  end
  return {1, before, previous}
end
return {0, before, previous}
"""
# Where the script, registered once, is kept (on the cache backend, which Django makes once per
# thread and anew when the cache settings change).
SPEND_SCRIPT_ATTRIBUTE = "_milidip_spend_script"


def spend_script(cache):
    """SPEND_SCRIPT registered with `cache`'s Redis, or None for a cache of another kind."""
    script = getattr(cache, SPEND_SCRIPT_ATTRIBUTE, None)
    if script is None:
        redis = getattr(getattr(cache, "_cache", None), "get_client", None)
        if redis is None:
            return None
        script = redis(write=True).register_script(SPEND_SCRIPT)
        setattr(cache, SPEND_SCRIPT_ATTRIBUTE, script)
    return script


def spend(cache, key, cost, budget, now):
    """Spend `cost` units of `budget` ((units, seconds)) under `key`.

    A request is admitted while the client's spending is under the budget, so the request that
    crosses it is still served (whatever its cost) and the next ones wait until enough has slid
    off. Returns None when admitted, else the seconds to wait. A client already over its budget
    writes nothing. On Redis this is one round trip (SPEND_SCRIPT, the same rule run by the
    server); elsewhere a multi-get, then an atomic add or increment.
    """
    limit, duration = budget
    current_key, previous_key, elapsed = windows(key, budget, now)
    script = spend_script(cache)
    if script is not None:
        keys = [cache.make_key(current_key), cache.make_key(previous_key)]
        weight = repr(1 - elapsed / duration)
        admitted, before, previous = script(keys=keys, args=[cost, limit, weight, 2 * duration + 1])
        return None if admitted else wait_for(budget, before, previous, elapsed)
    counts = cache.get_many([current_key, previous_key])
    before, previous = counts.get(current_key, 0), counts.get(previous_key, 0)
    weight = 1 - elapsed / duration
    if previous * weight + before < limit:
        if cache.add(current_key, cost, timeout=2 * duration + 1):
            return None
        # Others are counting in this window too: add to the count atomically, then look again.
        before = cache.incr(current_key, cost) - cost
        if previous * weight + before < limit:
            return None
        cache.incr(current_key, -cost)  # a refused request spends nothing
    return wait_for(budget, before, previous, elapsed)


def refund(cache, key, cost, budget, now):
    """Give back units `spend` took at `now` (the request was refused further on)."""
    cache.incr(f"{key}:{int(now // budget[1])}", -cost)


# The heavy-request slots this thread holds until its response is finished.
held = threading.local()


def take_slot(cache, slots, name="anon-heavy"):
    """Hold one of `slots` site-wide slots named `name` (for a heavy request, or a login's
    password check); False when all are taken.

    A slot is a cache key added atomically (SET NX on Redis) and deleted when the response is
    finished; should a worker die holding one, it expires after SLOT_SECONDS (gunicorn's worker
    timeout).
    """
    token = uuid.uuid4().hex
    for number in range(slots):
        key = f"budget:{name}-slot:{number}"
        if cache.add(key, token, timeout=SLOT_SECONDS):
            held.slots = [*getattr(held, "slots", []), (cache, key, token)]
            return True
    return False


@receiver(request_finished)
def release_slots(**kwargs):
    for cache, key, token in getattr(held, "slots", []):
        if cache.get(key) == token:
            cache.delete(key)
    held.slots = []


def spend_cached(meta, cost):
    """Spend `cost` (what the view's answer cost, milidip.api.caching keeps it beside the
    response) from an anonymous client's budget for an answer taken from the read cache: a
    client pays the same for a page whether it was cached or not, so budgets mean one thing. The
    shared pool and slots for heavy requests are not drawn from: no worker is kept busy. The
    client was found under its budget by SpentClientMiddleware just before. `meta` is the
    request's META, or the WSGI environ before Django sees it."""
    budget = settings.API_ANON_BUDGET
    if budget is not None:
        key = f"budget:anon:{address_in(meta)}"
        spend(caches[settings.THROTTLE_CACHE], key, cost, budget, time.time())


class CostBudgetThrottle(BaseThrottle):
    """Refuses a request over its client's budget (or the anonymous heavy pool) with a 429."""

    def allow_request(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            client_key, budget, who = f"budget:user:{user.pk}", settings.API_USER_BUDGET, "user"
        else:
            client_key = f"budget:anon:{client_address(request)}"
            budget, who = settings.API_ANON_BUDGET, "anonymous"
        anonymous = who == "anonymous"
        pool = settings.API_ANON_HEAVY_BUDGET if anonymous else None
        slots = settings.API_ANON_HEAVY_CONCURRENCY if anonymous else None
        if budget is None and pool is None and slots is None:
            return True
        cost = request_cost(request, view)
        # Kept with a cached response, so that a client asking again pays the same.
        request._request.throttle_cost = cost
        cache = caches[settings.THROTTLE_CACHE]
        now = time.time()
        if budget is not None:
            wait = spend(cache, client_key, cost, budget, now)
            if wait is not None:
                self.refuse(
                    request, wait, f"this {who} client's budget of {describe(budget)}", cost
                )
        if cost < HEAVY_COST:
            return True
        # Refused for the shared pool or slot, the request still counts against the client's own
        # budget: a client that keeps asking for large pages while they are taken soon runs out
        # of its own, and is then refused by SpentClientMiddleware, at almost no cost.
        if pool is not None:
            wait = spend(cache, POOL_KEY, cost, pool, now)
            if wait is not None:
                self.refuse(
                    request, wait, f"the pool for large anonymous requests ({describe(pool)})", cost
                )
        if slots is not None and not take_slot(cache, slots):
            if pool is not None:
                refund(cache, POOL_KEY, cost, pool, now)
            self.refuse(
                request, 1, f"{slots} large anonymous request(s) at a time, site-wide", cost
            )
        return True

    def refuse(self, request, wait, budget_text, cost):
        # The 429 is JSON whatever was asked for: cheap, and in the API's one error shape (the
        # browsable API would render a whole HTML page around it).
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        seconds = max(1, math.ceil(wait))
        raise Throttled(
            wait=seconds,
            detail=f"Over {budget_text}: this request costs {cost} units; ask for less (a "
            "smaller page_size, fewer search terms, JSON rather than format=api) or wait.",
        )


def spent_budget(meta):
    """(cache key, budget, for logins?) of the budget that can refuse a request before it is
    parsed, from its META (or the WSGI environ, which is the same): an anonymous API request's
    client budget, or the client's budget of failed admin logins for a POST to the login form.
    None for every other request (those carrying a token or a session go on to the throttle)."""
    path = meta.get("PATH_INFO", "")
    budget = settings.API_ANON_BUDGET
    if budget is not None and path.startswith("/api/") and "HTTP_AUTHORIZATION" not in meta:
        if settings.SESSION_COOKIE_NAME not in parse_cookie(meta.get("HTTP_COOKIE", "")):
            return f"budget:anon:{address_in(meta)}", budget, False
        return None
    budget = settings.LOGIN_ATTEMPT_BUDGET
    if budget is not None and meta.get("REQUEST_METHOD") == "POST" and path == LOGIN_PATH:
        return f"budget:login:{address_in(meta)}", budget, True
    return None


def refusal(budget, login, wait):
    """The 429 for a client over `budget`: (content type, body, Retry-After seconds)."""
    # Imported here: errors imports DRF's views, which import this module for its settings.
    from milidip.api.errors import error_body

    seconds = max(1, math.ceil(wait))
    if login:
        body = (
            f"Too many failed logins from this address ({describe(budget)}). "
            f"Try again in {seconds} seconds.\n"
        )
        return "text/plain; charset=utf-8", body.encode(), seconds
    detail = (
        f"Over this anonymous client's budget of {describe(budget)}. Expected "
        f"available in {seconds} seconds."
    )
    return "application/json", json.dumps(error_body(429, "throttled", detail)).encode(), seconds


class SpentClientMiddleware:
    """Refuses a client already over its budget before the rest of Django runs.

    - An anonymous API client over its budget is refused whatever it asks, so its request need
      not be parsed, routed, authenticated or costed: one cache round trip, then the 429 (JSON,
      in the error shape, with Retry-After). Requests that carry credentials (a token or a
      session) go on to the throttle.
    - Failed admin logins (POSTs to the login form that do not log in) spend
      LOGIN_ATTEMPT_BUDGET per client address; over it, a plain 429 before sessions, CSRF or the
      lockout's bookkeeping run, so a flood of wrong passwords costs a cache round trip each,
      not a password hash or a database write (django-axes locks accounts and addresses among
      the attempts let through). At most LOGIN_CHECK_CONCURRENCY logins are checked at once,
      site-wide (a slot, as for heavy requests); another one meanwhile is a 429 with
      Retry-After: 1.

    Under gunicorn, RefuseSpentClients answers most of these refusals before Django is reached;
    this middleware refuses the rest (and counts failed logins, which needs the response).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        spent = spent_budget(request.META)
        if spent is None:
            return self.get_response(request)
        key, budget, login = spent
        cache = caches[settings.THROTTLE_CACHE]
        wait = over_budget(cache, key, budget, time.time())
        if wait is not None:
            content_type, body, seconds = refusal(budget, login, wait)
            response = HttpResponse(body, status=429, content_type=content_type)
            response["Retry-After"] = str(seconds)
            return response
        slots = settings.LOGIN_CHECK_CONCURRENCY
        if login and slots is not None and not take_slot(cache, slots, "login"):
            # Checking a password takes a core for a fraction of a second: a few at a time
            # site-wide leave the other cores to everything else. The refusal counts as a
            # failed attempt, so that a flood soon runs out of its budget.
            spend(cache, key, 1, budget, time.time())
            response = HttpResponse(
                f"{slots} login(s) checked at a time; try again in a second.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "1"
            return response
        response = self.get_response(request)
        if login and response.status_code != 302:
            # A failed login (a successful one redirects, and never counts).
            spend(cache, key, 1, budget, time.time())
        return response


class RefuseSpentClients:
    """WSGI middleware (milidip.wsgi): SpentClientMiddleware's refusals, before Django runs.

    A flood from clients already over their budget is answered from the WSGI environ, without
    building a Django request, running any middleware or touching the database. Each process
    also remembers, per budget key, until when a client is spent (at most RECHECK_SECONDS
    before asking the cache again, so a count cleared by hand is seen soon), so that a refused
    client costs no cache round trip either. Spending can only push that moment later, so a
    remembered refusal is never one the shared count would not give.
    """

    RECHECK_SECONDS = 2
    MAX_REMEMBERED = 10_000

    def __init__(self, application):
        self.application = application
        self.spent_until = {}  # budget key -> (spent until, ask the cache again at)

    def __call__(self, environ, start_response):
        spent = spent_budget(environ)
        if spent is None:
            return self.application(environ, start_response)
        started = time.perf_counter()
        key, budget, login = spent
        now = time.time()
        until, recheck = self.spent_until.get(key, (0, 0))
        if now >= recheck:
            wait = over_budget(caches[settings.THROTTLE_CACHE], key, budget, now)
            if wait is None:
                self.spent_until.pop(key, None)
                return self.application(environ, start_response)
            until = now + wait
            self.remember(key, until, now)
        content_type, body, seconds = refusal(budget, login, until - now)
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(seconds)),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if "HTTP_ORIGIN" in environ and settings.CORS_ALLOW_ALL_ORIGINS and not login:
            # What django-cors-headers would add, so that a front end can read the 429.
            exposed = ", ".join(settings.CORS_EXPOSE_HEADERS)
            headers.append(("Access-Control-Allow-Origin", "*"))
            headers.append(("Access-Control-Expose-Headers", exposed))
        self.refused(environ, headers, body, started)
        start_response("429 Too Many Requests", headers)
        return [body]

    def refused(self, environ, headers, body, started):
        """Called with a refusal's headers (which it may add to) before they are sent; `started`
        is the request's time.perf_counter() on arrival. milidip.ops.middleware.LoggedRefusals
        gives the refusal its request id and log line."""

    def remember(self, key, until, now):
        if len(self.spent_until) >= self.MAX_REMEMBERED:
            self.spent_until = {k: v for k, v in self.spent_until.items() if v[0] > now}
            if len(self.spent_until) >= self.MAX_REMEMBERED:
                self.spent_until.clear()
        self.spent_until[key] = (until, now + min(self.RECHECK_SECONDS, until - now))


def describe(budget):
    units, duration = budget
    return f"{units} units per {DURATION_NAMES.get(duration, f'{duration} s')}"
