"""Metrics in Prometheus's text format at /metrics, for a scraper that is let in.

django-prometheus counts requests, their latency (histograms by view and method) and responses
by status and view, and exceptions by view. This module adds the time spent in the database (a
histogram per database alias, from Django's execute wrappers) and in the cache (a histogram per
cache alias and operation, from the cache backends below, which settings put in place of
Django's own).

/metrics is not public: a scraper sends `Authorization: Bearer <METRICS_TOKEN>`, or asks from an
address in METRICS_ALLOWED_ADDRESSES (addresses or networks, judged as milidip.api.clients judges
the client). With neither set, every scrape is refused.
"""

import hmac
import ipaddress
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Histogram

from milidip.api.clients import client_address
from milidip.api.errors import error_response

# From a fraction of a millisecond (a cache hit, a primary-key read) to seconds (a large export).
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

DATABASE_TIME = Histogram(
    "milidip_db_query_duration_seconds",
    "Time spent executing database queries, by database alias.",
    ["alias"],
    buckets=FAST_BUCKETS,
)
CACHE_TIME = Histogram(
    "milidip_cache_operation_duration_seconds",
    "Time spent in cache operations, by cache alias and operation.",
    ["alias", "operation"],
    buckets=FAST_BUCKETS,
)


def time_queries(sender, connection, **kwargs):
    """connection_created receiver: every query on the new connection is timed."""
    histogram = DATABASE_TIME.labels(alias=connection.alias)

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            histogram.observe(time.perf_counter() - started)

    connection.execute_wrappers.append(timed)


TIMED_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


def timed_cache(backend):
    """A subclass of cache backend `backend` whose operations are timed in CACHE_TIME."""

    def wrap(name):
        operation = getattr(backend, name)

        def timed(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return operation(self, *args, **kwargs)
            finally:
                CACHE_TIME.labels(alias=self.alias, operation=name).observe(
                    time.perf_counter() - started
                )

        timed.__name__ = name
        return timed

    def __init__(self, location, params):
        backend.__init__(self, location, params)
        self.alias = params.get("ALIAS", "default")

    namespace = {name: wrap(name) for name in TIMED_OPERATIONS}
    namespace.update(__init__=__init__, __module__=__name__)
    return type(f"Timed{backend.__name__}", (backend,), namespace)


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per connection pool instead of
    building one for every operation (redis-py's client sets up ~170 response callbacks each
    time it is made: a third of a 304's Python time, measured with cProfile)."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient


TimedRedisCache = timed_cache(ReusingRedisCache)
TimedLocMemCache = timed_cache(LocMemCache)


def scraper_allowed(request):
    """True when the request carries the metrics token or comes from an allowed address."""
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if (
        token
        and header.startswith("Bearer ")
        and hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    ):
        return True
    if not settings.METRICS_ALLOWED_ADDRESSES:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_ADDRESSES)


def metrics_view(request):
    """The metrics page, for an allowed scraper only (403 otherwise, in the error shape)."""
    if not scraper_allowed(request):
        return error_response(
            403,
            "permission_denied",
            "Metrics are for the configured scraper: send Authorization: Bearer <METRICS_TOKEN>, "
            "or scrape from an address in METRICS_ALLOWED_ADDRESSES.",
        )
    response = ExportToDjangoView(request)
    response["Cache-Control"] = "no-store"
    return response
