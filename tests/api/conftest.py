"""Fixtures for the API tests: clients for an anonymous reader and for a curator."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient

from tests.read_cache import redis_read_cache


@pytest.fixture(autouse=True)
def fresh_throttle(settings):
    """Each test starts with the caches empty, the throttle's counts included (in memory; a
    test that puts a cache in Redis gives it a key prefix of its own, and nothing flushes a
    Redis database that another run may be using at the same time).

    Many tests ask for a few large pages anonymously; the default pool for them (50 units per
    10 s: one page of 500) is tested on its own in test_throttling, so here it is a minute's worth
    at once, as it was before it was refilled every 10 s."""
    settings.API_ANON_HEAVY_BUDGET = (300, 60)
    clear_local_caches()
    yield
    clear_local_caches()


def clear_local_caches():
    for alias in ("default", "throttle"):
        if isinstance(caches[alias], LocMemCache):
            caches[alias].clear()


@pytest.fixture
def api():
    """An anonymous client."""
    return APIClient()


@pytest.fixture
def curator(django_user_model):
    """A client logged in as a user with every model's view permission (sees drafts)."""
    user = django_user_model.objects.create_user("curator", password="not-used-1234")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reader(django_user_model):
    """A client logged in as a user without any permission."""
    user = django_user_model.objects.create_user("reader", password="not-used-1234")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def shared_cache(settings):
    """The read cache and the data version in Redis (database 11), as with REDIS_URL set."""
    return redis_read_cache(settings, 11, "test-reads")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Wrap a write: its commit hooks run at the end of the block, as a commit runs them."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def built_filtersets(monkeypatch):
    """The names of the FilterSets built while the test runs, in order."""
    from django_filters import FilterSet

    built = []
    init = FilterSet.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        init(self, *args, **kwargs)

    monkeypatch.setattr(FilterSet, "__init__", counting)
    return built
