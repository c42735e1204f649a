"""Throttling by cost, counted in the shared cache, per client behind trusted proxies.

The counts live in a real Redis (database 3 of 127.0.0.1:6379), each test under its own key
prefix, so tests never see each other's counts and nothing is flushed.
"""

import json
import random
import threading
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from rest_framework.test import APIClient

from milidip import settings as project_settings
from milidip.api.clients import client_address
from milidip.api.throttling import RefuseSpentClients, spend
from milidip.settings import env_budget
from tests.api.helpers import API, ERROR_KEYS
from tests.api.tokens import token_for
from tests.wsgi import Reached, wsgi_get

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/3"
# Budgets whose counts are asserted exactly are per day, so that no test straddles a window's
# edge (where the previous window's count starts sliding off).
DAY = 86400


def redis_cache(prefix):
    """A cache client of its own, as a separate process would have."""
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


@pytest.fixture
def budgets(settings):
    """Counts in Redis under a fresh prefix; budgets set per test (all off to begin with)."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-throttle-{uuid.uuid4().hex}",
        },
    }
    settings.API_ANON_BUDGET = None
    settings.API_USER_BUDGET = None
    settings.API_ANON_HEAVY_BUDGET = None
    settings.API_ANON_HEAVY_CONCURRENCY = None
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


def admitted(client, url, times, **headers):
    """How many of `times` requests were served before the first 429 (and all after it)."""
    statuses = [client.get(url, **headers).status_code for _ in range(times)]
    assert set(statuses) <= {200, 429}, statuses
    served = statuses.count(200)
    assert statuses == [200] * served + [429] * (times - served)
    return served


def test_a_large_page_spends_more_of_the_budget_than_a_small_one(budgets):
    budgets.API_ANON_BUDGET = (100, DAY)
    small = admitted(APIClient(), f"{API}countries/?page_size=10", 60, REMOTE_ADDR="10.0.0.1")
    large = admitted(APIClient(), f"{API}countries/?page_size=500", 5, REMOTE_ADDR="10.0.0.2")
    # 1 + 10/10 = 2 units each: 50 fit in 100; 1 + 500/10 = 51 units: the second crosses 100.
    assert (small, large) == (50, 2)


def token_client(django_user_model, username):
    """A client sending a real token of a new user with no permission."""
    user = django_user_model.objects.create_user(username, password="not-used-1234")
    return APIClient(HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def test_csv_and_the_browsable_api_cost_more_than_json(budgets, django_user_model):
    budgets.API_ANON_BUDGET = budgets.API_USER_BUDGET = (60, DAY)
    url = f"{API}countries/?page_size=50"
    as_json = admitted(APIClient(), url, 12, REMOTE_ADDR="10.0.1.1")
    as_csv = admitted(APIClient(), url + "&format=csv", 12, REMOTE_ADDR="10.0.1.2")
    as_html = admitted(token_client(django_user_model, "browser"), url + "&format=api", 4)
    # JSON 6 units, CSV 11, the browsable API 1 + 5 + 20 + 5 = 31.
    assert (as_json, as_csv, as_html) == (10, 6, 2)


def test_the_browsable_api_is_for_signed_in_users(api, curator):
    refused = api.get(f"{API}exercises/?format=api")
    assert refused.status_code == 406
    assert "format=api" in refused.json()["detail"]
    assert refused.json()["detail"].startswith("format:")
    # Asked for by a browser's Accept header, anonymous callers get JSON.
    browser = api.get(f"{API}exercises/", HTTP_ACCEPT="text/html,application/json;q=0.9,*/*;q=0.8")
    assert browser.status_code == 200
    assert browser["Content-Type"] == "application/json"
    assert curator.get(f"{API}exercises/?format=api")["Content-Type"].startswith("text/html")


def test_over_the_budget_is_a_429_in_the_error_shape_with_retry_after(budgets, early_in_a_window):
    budgets.API_ANON_BUDGET = (3, 3600)
    client = APIClient()
    assert admitted(client, f"{API}countries/KOR/", 4) == 3
    response = client.get(f"{API}countries/KOR/")
    assert response.status_code == 429
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == 429
    assert body["code"] == "throttled"
    assert "3 units per hour" in body["detail"]
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_the_429_is_json_even_when_the_browsable_api_was_asked_for(budgets, django_user_model):
    budgets.API_USER_BUDGET = (1, DAY)
    client = token_client(django_user_model, "browser")
    assert client.get(f"{API}countries/KOR/?format=api").status_code == 200
    response = client.get(f"{API}countries/KOR/?format=api")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == ERROR_KEYS


def test_a_throttled_request_reads_nothing_from_the_database(budgets, django_assert_num_queries):
    budgets.API_ANON_BUDGET = (1, DAY)
    client = APIClient()
    assert client.get(f"{API}exercises/?page_size=500").status_code == 200
    with django_assert_num_queries(0):
        assert client.get(f"{API}exercises/?page_size=500").status_code == 429


def test_the_budget_can_be_switched_off(budgets):
    assert admitted(APIClient(), f"{API}countries/?page_size=500", 30) == 30


def test_two_processes_share_one_count():
    prefix = f"test-shared-{uuid.uuid4().hex}"
    first, second = redis_cache(prefix), redis_cache(prefix)
    assert first._cache is not second._cache
    now = 60 * 20_000.0  # the start of a window
    assert spend(first, "client", 2, (5, 60), now) is None
    assert spend(second, "client", 2, (5, 60), now) is None
    assert spend(first, "client", 2, (5, 60), now) is None  # 4 < 5: served, reaching 6
    assert spend(second, "client", 1, (5, 60), now) is not None
    assert spend(first, "client", 1, (5, 60), now + 60) is not None  # still 6 * 1.0 in view
    assert spend(first, "client", 1, (5, 60), now + 90) is None  # half of it slid off: 3


def test_concurrent_workers_never_admit_more_than_the_budget():
    prefix = f"test-race-{uuid.uuid4().hex}"
    clients = [redis_cache(prefix) for _ in range(4)]
    results = []
    lock = threading.Lock()

    def worker(cache):
        for _ in range(100):
            outcome = spend(cache, "client", 1, (150, 3600), 5_000_000.0)
            with lock:
                results.append(outcome is None)

    threads = [threading.Thread(target=worker, args=(cache,)) for cache in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 150
    assert len(results) == 400


def test_token_holders_are_counted_by_user_at_their_own_budget(budgets, django_user_model):
    budgets.API_ANON_BUDGET = (5, DAY)
    budgets.API_USER_BUDGET = (20, DAY)
    holder = token_client(django_user_model, "consumer")
    url = f"{API}countries/KOR/"
    # The same address, anonymous, has its own (smaller) budget, which it spends first.
    assert admitted(APIClient(), url, 8) == 5
    assert admitted(holder, url, 25) == 20
    # Counted by user, not address: the same token from elsewhere is still out of budget.
    assert holder.get(url, REMOTE_ADDR="192.0.2.99").status_code == 429


def test_a_made_up_x_forwarded_for_does_not_make_a_new_client(budgets):
    budgets.API_ANON_BUDGET = (100, DAY)
    budgets.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    rng = random.Random(9)
    statuses = [
        client.get(
            f"{API}",
            REMOTE_ADDR="198.51.100.20",
            HTTP_X_FORWARDED_FOR=f"{rng.randrange(1, 224)}.{rng.randrange(256)}.0.1",
        ).status_code
        for _ in range(1000)
    ]
    assert statuses.count(200) == 100
    assert statuses.count(429) == 900


def test_behind_one_trusted_proxy_the_client_is_the_rightmost_address(budgets):
    budgets.API_ANON_BUDGET = (3, DAY)
    budgets.TRUSTED_PROXY_COUNT = 1
    client = APIClient()
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    spoofed = [f"203.0.113.{n}, 198.51.100.7" for n in range(5)]
    statuses = [client.get(API, HTTP_X_FORWARDED_FOR=xff, **proxy).status_code for xff in spoofed]
    assert statuses == [200, 200, 200, 429, 429]
    # Another client behind the same proxy has a budget of its own.
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy).status_code == 200


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        (0, "203.0.113.1", "10.0.0.1"),
        (1, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        (2, "203.0.113.1, 198.51.100.7, 192.0.2.5", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "", "10.0.0.1"),
        (1, "not an address", "10.0.0.1"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_client_address_counts_trusted_hops_from_the_right(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_large_anonymous_requests_share_one_pool_across_clients(budgets):
    budgets.API_ANON_BUDGET = (600, DAY)
    budgets.API_ANON_HEAVY_BUDGET = (60, DAY)
    # Three different large pages (51 units each): a page asked for again is answered from the
    # read cache, which keeps no worker busy and draws nothing from the pool.
    first, second, large = (
        f"{API}countries/?page_size=500{extra}" for extra in ("", "&page=1", "&format=json")
    )
    small = f"{API}countries/?page_size=50"  # 6 units
    assert APIClient().get(first, REMOTE_ADDR="10.1.0.1").status_code == 200
    assert APIClient().get(second, REMOTE_ADDR="10.1.0.2").status_code == 200
    refused = APIClient().get(large, REMOTE_ADDR="10.1.0.3")
    assert refused.status_code == 429
    assert "pool for large anonymous requests" in refused.json()["detail"]
    # Small requests never wait for the pool.
    assert APIClient().get(small, REMOTE_ADDR="10.1.0.3").status_code == 200
    # A refused large request still counts against the client's own budget (51 + 6 so far):
    # one that keeps asking while the pool is spent soon runs out of its own budget too.
    budgets.API_ANON_BUDGET = (100, DAY)
    assert APIClient().get(large, REMOTE_ADDR="10.1.0.3").status_code == 429  # 57 -> 108
    assert APIClient().get(small, REMOTE_ADDR="10.1.0.3").status_code == 429
    assert APIClient().get(small, REMOTE_ADDR="10.1.0.4").status_code == 200


def test_one_large_anonymous_request_at_a_time_site_wide(budgets, django_user_model):
    budgets.API_ANON_HEAVY_CONCURRENCY = 1
    slot = "budget:anon-heavy-slot:0"
    cache = caches["throttle"]
    large, small = f"{API}countries/?page_size=500", f"{API}countries/?page_size=20"
    assert cache.add(slot, "another worker", timeout=30)  # a large request in flight elsewhere
    refused = APIClient().get(large, REMOTE_ADDR="10.2.0.1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert "1 large anonymous request(s) at a time" in refused.json()["detail"]
    assert APIClient().get(small, REMOTE_ADDR="10.2.0.1").status_code == 200
    cache.delete(slot)  # that request finished
    assert APIClient().get(large, REMOTE_ADDR="10.2.0.1").status_code == 200
    assert cache.get(slot) is None  # released when the response was finished
    # Token holders never wait for the anonymous slot.
    assert cache.add(slot, "another worker", timeout=30)
    holder = token_client(django_user_model, "bulk")
    assert holder.get(large).status_code == 200


@pytest.mark.parametrize(
    "url, parameter",
    [
        (f"{API}exercises/?search=" + "+or+".join(["korea"] * 11), "search"),
        (f"{API}treaties/?search=" + "+".join(["alliance"] * 11), "search"),
        (f"{API}search/?q=" + "+or+".join(["korea"] * 11), "q"),
    ],
)
def test_a_search_of_more_than_ten_terms_is_a_400_naming_the_parameter(api, url, parameter):
    response = api.get(url)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [parameter]
    assert "At most 10 search terms" in body["detail"]


def test_a_search_of_ten_terms_is_answered(api):
    ten = "+or+".join(["korea", "japan", "china", "navy", "army"] * 2)
    assert api.get(f"{API}exercises/?search={ten}").status_code == 200
    assert api.get(f"{API}search/?q={ten}").status_code == 200


def test_spent_clients_are_refused_before_django_runs(budgets):
    budgets.API_ANON_BUDGET = (2, DAY)
    application = RefuseSpentClients(WSGIHandler())
    reached = Reached()
    url = f"{API}countries/KOR/"
    assert [wsgi_get(application, url, "10.3.0.1")[0] for _ in range(2)] == [200, 200]
    assert reached.count == 2
    status, headers, body = wsgi_get(application, url, "10.3.0.1", HTTP_ORIGIN="https://a.test")
    assert status == 429
    assert reached.count == 2, "refused without building a Django request"
    assert headers["Content-Type"] == "application/json"
    assert 1 <= int(headers["Retry-After"]) <= DAY
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in headers["Access-Control-Expose-Headers"]
    assert set(json.loads(body)) == ERROR_KEYS
    assert json.loads(body)["code"] == "throttled"
    # Other clients, and token holders at the same address, go on to Django.
    assert wsgi_get(application, url, "10.3.0.2")[0] == 200
    assert reached.count == 3
    assert wsgi_get(application, url, "10.3.0.1", HTTP_AUTHORIZATION="Token nonsense")[0] == 401
    assert reached.count == 4


def test_a_refused_client_is_remembered_then_asked_about_again(budgets):
    budgets.API_ANON_BUDGET = (1, DAY)
    application = RefuseSpentClients(WSGIHandler())
    url = f"{API}countries/KOR/"
    assert wsgi_get(application, url, "10.3.1.1")[0] == 200
    assert wsgi_get(application, url, "10.3.1.1")[0] == 429
    # The count cleared by hand: this process still remembers the refusal for a while (no
    # cache round trip), then asks the cache again and serves the client.
    cache = caches["throttle"]
    cache.delete_many([f"budget:anon:10.3.1.1:{int(time.time() // DAY) + n}" for n in (-1, 0)])
    assert wsgi_get(application, url, "10.3.1.1")[0] == 429
    application.RECHECK_SECONDS = 0
    application.spent_until = {
        key: (until, 0) for key, (until, _) in application.spent_until.items()
    }
    assert wsgi_get(application, url, "10.3.1.1")[0] == 200


def test_a_login_flood_is_refused_before_django_runs(budgets):
    budgets.LOGIN_ATTEMPT_BUDGET = (1, DAY)
    cache = caches["throttle"]
    assert spend(cache, "budget:login:10.3.2.1", 1, (1, DAY), time.time()) is None
    application = RefuseSpentClients(WSGIHandler())
    reached = Reached()
    status, headers, body = wsgi_get(
        application, "/admin/login/", "10.3.2.1", REQUEST_METHOD="POST"
    )
    assert (status, reached.count) == (429, 0)
    assert headers["Content-Type"].startswith("text/plain")
    assert b"Too many failed logins" in body
    assert wsgi_get(application, "/admin/login/", "10.3.2.2")[0] == 200
    assert reached.count == 1


@pytest.mark.parametrize(
    "text, budget",
    [("600/minute", (600, 60)), ("50/10s", (50, 10)), ("20/2m", (20, 120)), ("off", None)],
)
def test_budgets_are_read_as_units_per_period(monkeypatch, text, budget):
    monkeypatch.setenv("SOME_BUDGET", text)
    assert env_budget("SOME_BUDGET", "1/minute") == budget


def test_the_shared_pool_serves_a_page_of_500_every_10_seconds_not_six_at_once():
    pool = project_settings.API_ANON_HEAVY_BUDGET  # the default, as the settings module read it
    cache = redis_cache(f"test-pool-{uuid.uuid4().hex}")
    start = 10 * 500_000.0  # the start of a window
    page = 51  # page_size=500
    assert spend(cache, "pool", page, pool, start) is None
    assert spend(cache, "pool", page, pool, start + 1) is not None
    assert spend(cache, "pool", page, pool, start + 9) is not None
    # Ten seconds on, enough of that page has slid off for the next one.
    assert spend(cache, "pool", page, pool, start + 10.5) is None
    assert spend(cache, "pool", page, pool, start + 11) is not None


def test_on_redis_a_spend_is_one_step_that_counts_and_sets_the_lifetime():
    """Redis runs the spending rule itself (SPEND_SCRIPT): the count and its lifetime are set
    together, and a refusal leaves the count as it was."""
    cache = redis_cache(f"test-script-{uuid.uuid4().hex}")
    now = 60 * 30_000.0
    assert spend(cache, "client", 4, (5, 60), now) is None
    assert spend(cache, "client", 4, (5, 60), now) is None  # 4 < 5: served, reaching 8
    assert spend(cache, "client", 1, (5, 60), now) is not None
    current = cache.make_key(f"client:{int(now // 60)}")
    client = cache._cache.get_client(write=False)
    assert int(client.get(current)) == 8
    assert 0 < client.ttl(current) <= 121


def spending_paths():
    """The two ways `spend` runs its rule: as SPEND_SCRIPT on Redis, and in Python (any other
    cache: each process's memory when REDIS_URL is unset)."""
    name = uuid.uuid4().hex
    return {
        "Redis script": redis_cache(f"test-paths-{name}"),
        "Python": LocMemCache(f"test-paths-{name}", {}),
    }


@pytest.mark.parametrize("path", ["Redis script", "Python"])
def test_both_spending_paths_keep_one_rule(path):
    """The same spends, admitted or refused alike and told to wait alike, on either path: a
    client under its budget is served whatever the cost, the one that crosses it too; a refusal
    spends nothing; the previous window's count slides off as the window goes on."""
    cache = spending_paths()[path]
    budget = (5, 60)
    start = 60 * 30_000.0  # the start of a window
    steps = [
        # (seconds after start, cost, expected: None when served, else the wait in seconds)
        (0, 4, None),
        (1, 4, None),  # 4 < 5: served, reaching 8
        (2, 1, 58 + 60 * (1 - 5 / 8)),  # 8: refused until this window ends and 3/8 slide off
        (2, 1, 58 + 60 * (1 - 5 / 8)),  # still 8: the refusal spent nothing
        (80, 1, 60 * (1 - 5 / 8) - 20),  # next window: 8 * (1 - 20/60) = 5.33, not under 5
        (90, 1, None),  # 8 * 0.5 = 4 < 5: served, this window at 1
        (90, 1, 60 * (1 - 4 / 8) - 30),  # 4 + 1 = 5 is not under 5: refused, at the edge
    ]
    got = [spend(cache, "client", cost, budget, start + at) for at, cost, _ in steps]
    assert got == [expected for _, _, expected in steps]
    assert cache.get(f"client:{int(start // 60)}") == 8
    assert cache.get(f"client:{int(start // 60) + 1}") == 1
