import pytest

from tests.read_cache import redis_read_cache


@pytest.fixture
def page_cache(settings):
    """The read cache and the data version in Redis (database 12), as with REDIS_URL set."""
    return redis_read_cache(settings, 12, "test-pages")
