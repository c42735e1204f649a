"""Fixtures for the API tests: clients for an anonymous reader and for a curator."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache, caches
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def fresh_throttle(settings):
    """Each test starts with the caches empty, the throttle's counts included (in memory).

    Many tests ask for a few large pages anonymously; the default pool for them (50 units per
    10 s: one page of 500) is tested on its own in test_throttling, so here it is a minute's worth
    at once, as it was before it was refilled every 10 s."""
    settings.API_ANON_HEAVY_BUDGET = (300, 60)
    cache.clear()
    caches["throttle"].clear()
    yield
    cache.clear()
    caches["throttle"].clear()


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
