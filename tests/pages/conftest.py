import uuid

import pytest

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def page_cache(settings):
    """The read cache and the data version in Redis (database 12, a fresh key prefix per test),
    as with REDIS_URL set: reading the version is then no query."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-pages-{uuid.uuid4().hex}",
        },
    }
    settings.DATA_VERSION_CACHE = "default"
    settings.READ_CACHE = "default"
    return settings
