"""Throttling by cost: each client spends units from a budget, counted in the shared cache.

A request costs units by what it asks the server to do (`request_cost`; the table is in the
README, "Throttling"); one unit is roughly 10 ms of a worker's time on this project's reference
machine. Budgets are per window:

- an anonymous client, named by `milidip.api.clients.client_address`, has API_ANON_BUDGET;
- a token holder (or signed-in user), named by user id, has API_USER_BUDGET;
- anonymous requests that cost HEAVY_COST units or more also draw from one pool shared by every
  anonymous client, API_ANON_HEAVY_BUDGET: so many distinct clients (or addresses) together
  cannot keep every worker busy with large pages, while small requests are never held by it.

A client is admitted while its spending is under its budget (the request that crosses it is
still served, so no single request is too costly to ever be admitted); the next ones get 429.

Counts live in the cache named by THROTTLE_CACHE (Redis when REDIS_URL is set, shared by every
worker and server; otherwise each process's memory). Each window's count is one integer
key changed with the cache's atomic `add` and `incr`, never read, modified and written back, so
concurrent workers cannot lose a count. The window slides: the previous window's count is
weighed by how much of it still overlaps (the usual sliding-window approximation), so a client
cannot spend two budgets across a window's edge. A refused request spends nothing, and is refused
in `initial()`, before the view reads anything from the database.
"""

import math
import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from milidip.api.clients import client_address
from milidip.api.filters import search_terms
from milidip.api.pagination import DEFAULT_PAGE_SIZE

BASE_COST = 1
ROWS_PER_UNIT = 10
SEARCH_TERM_COST = 1
SEARCH_OR_COST = 2
CSV_COST = 5
HTML_COST = 20
HEAVY_COST = 20
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


def spend(cache, key, cost, budget, now):
    """Spend `cost` units of `budget` ((units, seconds)) under `key`.

    A request is admitted while the client's spending is under the budget, so the request that
    crosses it is still served (whatever its cost) and the next ones wait until enough has slid
    off. Returns None when admitted, else the seconds to wait.
    """
    limit, duration = budget
    window = int(now // duration)
    elapsed = now - window * duration
    current_key, previous_key = f"{key}:{window}", f"{key}:{window - 1}"
    cache.add(current_key, 0, timeout=2 * duration + 1)
    previous = cache.get(previous_key) or 0
    before = cache.incr(current_key, cost) - cost
    if previous * (1 - elapsed / duration) + before < limit:
        return None
    cache.incr(current_key, -cost)  # a refused request spends nothing
    if before < limit:
        # Only the previous window's share is in the way: wait until enough of it slides off.
        return duration * (1 - (limit - before) / previous) - elapsed
    # This window is spent: wait for it to end and for its count to slide off far enough.
    return duration - elapsed + duration * (1 - limit / before)


class CostBudgetThrottle(BaseThrottle):
    """Refuses a request over its client's budget (or the anonymous heavy pool) with a 429."""

    def allow_request(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            client_key, budget, who = f"budget:user:{user.pk}", settings.API_USER_BUDGET, "user"
        else:
            client_key = f"budget:anon:{client_address(request)}"
            budget, who = settings.API_ANON_BUDGET, "anonymous"
        pool = settings.API_ANON_HEAVY_BUDGET if who == "anonymous" else None
        if budget is None and pool is None:
            return True
        cost = request_cost(request, view)
        cache = caches[settings.THROTTLE_CACHE]
        now = time.time()
        if budget is not None:
            wait = spend(cache, client_key, cost, budget, now)
            if wait is not None:
                self.refuse(wait, f"this {who} client's budget of {describe(budget)}", cost)
        if pool is not None and cost >= HEAVY_COST:
            wait = spend(cache, "budget:anon-heavy-pool", cost, pool, now)
            if wait is not None:
                if budget is not None:
                    cache.incr(f"{client_key}:{int(now // budget[1])}", -cost)
                self.refuse(wait, f"the pool for large anonymous requests ({describe(pool)})", cost)
        return True

    def refuse(self, wait, budget_text, cost):
        seconds = max(1, math.ceil(wait))
        raise Throttled(
            wait=seconds,
            detail=f"Over {budget_text}: this request costs {cost} units; ask for less (a "
            "smaller page_size, fewer search terms, JSON rather than format=api) or wait.",
        )


def describe(budget):
    units, duration = budget
    return f"{units} units a {DURATION_NAMES.get(duration, f'{duration} s')}"
