"""The read cache in Redis, for the tests of the API's and the pages' caching."""

import uuid


def redis_read_cache(settings, database, prefix):
    """Put the read cache and the data version in Redis (`database` of 127.0.0.1:6379) under a
    fresh key prefix, as with REDIS_URL set: reading the version is then no query. Each test has
    its own prefix, and nothing flushes the database, which another run may be using too."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:6379/{database}",
            "KEY_PREFIX": f"{prefix}-{uuid.uuid4().hex}",
        },
    }
    settings.DATA_VERSION_CACHE = "default"
    settings.READ_CACHE = "default"
    return settings


def redis_gone(settings):
    """Point the read cache and the data version (`redis_read_cache`) at an address where
    nothing listens, as when Redis has gone away."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"},
    }
