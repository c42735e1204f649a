"""With REDIS_URL set nothing a request needs stays in one process: the cache (and the throttle's
counts) and the sessions' cache are in Redis; without it the single-machine default works alone.
Settings are read once per process, so each environment is tried in processes of its own."""

import uuid

from tests.test_deployment import run_django

# The throttle's tests use this Redis database too (CI starts Redis: .ci/redis).
REDIS_URL = "redis://127.0.0.1:6379/3"

SHOW = """
from django.conf import settings
print(settings.SESSION_ENGINE)
print(sorted({cache["BACKEND"] for cache in settings.CACHES.values()}))
"""


def test_with_redis_a_value_cached_by_one_process_is_read_by_another():
    key = f"shared-{uuid.uuid4().hex}"
    write = run_django(
        f"from django.core.cache import cache; cache.set({key!r}, 'from the first server', 60)",
        REDIS_URL=REDIS_URL,
    )
    assert write.returncode == 0, write.stderr
    read = run_django(
        f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})",
        REDIS_URL=REDIS_URL,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "from the first server"


def test_with_redis_sessions_are_read_through_it():
    result = run_django(SHOW, REDIS_URL=REDIS_URL)
    assert result.returncode == 0, result.stderr
    engine, backends = result.stdout.splitlines()
    assert engine == "django.contrib.sessions.backends.cached_db"
    assert backends == "['milidip.ops.metrics.TimedRedisCache']"


def test_without_redis_each_process_keeps_its_cache_and_sessions_stay_in_the_database():
    result = run_django(SHOW, REDIS_URL="")
    assert result.returncode == 0, result.stderr
    engine, backends = result.stdout.splitlines()
    assert engine == "django.contrib.sessions.backends.db"
    assert backends == "['milidip.ops.metrics.TimedLocMemCache']"


def test_a_writers_primary_reads_must_outlast_the_lag_bound():
    result = run_django("", REPLICA_MAX_LAG_SECONDS="30", READ_YOUR_WRITES_SECONDS="10")
    assert result.returncode != 0
    assert "READ_YOUR_WRITES_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS" in result.stderr
