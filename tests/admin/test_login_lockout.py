"""Admin login lockout (django-axes): by account and by client address, and never by a header the
client chose. The issue's scenario was 30 wrong passwords answered normally, then the right one
logged in; now the right one is refused while the lockout lasts (AXES_FAILURE_LIMIT, default 5).
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"
LOCKED = 429


@pytest.fixture(autouse=True)
def defaults(settings):
    """The documented defaults, whatever the environment running the tests says."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("chief", password=PASSWORD)


def attempt(username, password, address="192.0.2.1", **headers):
    """Post the admin login form from `address`; return (status, logged in?)."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password}, **headers)
    logged_in = client.get("/admin/").status_code == 200
    return response.status_code, logged_in


def test_thirty_wrong_passwords_then_the_right_one_is_refused(admin_user):
    statuses = [attempt("chief", f"wrong-{n}")[0] for n in range(30)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {LOCKED}
    assert attempt("chief", PASSWORD) == (LOCKED, False)


def test_an_account_is_locked_whatever_address_the_attempts_come_from(admin_user):
    for n in range(30):
        attempt("chief", f"wrong-{n}", address=f"198.51.100.{n + 1}")
    assert attempt("chief", PASSWORD, address="203.0.113.99") == (LOCKED, False)


def test_an_address_is_locked_whatever_usernames_it_tries(admin_user):
    for n in range(30):
        attempt(f"guess-{n}", "wrong", address="192.0.2.66")
    assert attempt("chief", PASSWORD, address="192.0.2.66") == (LOCKED, False)
    # The account itself was not attacked: from elsewhere its owner logs in.
    assert attempt("chief", PASSWORD, address="192.0.2.7") == (302, True)


def test_a_made_up_x_forwarded_for_does_not_evade_the_address_lockout(admin_user):
    for n in range(30):
        attempt(f"guess-{n}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1")
    status = attempt("chief", PASSWORD, HTTP_X_FORWARDED_FOR="10.99.99.99")
    assert status == (LOCKED, False)


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(settings, admin_user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.0.2.250"
    for n in range(30):
        # The client claims a fresh address each time; the proxy appends the real one.
        attempt(f"guess-{n}", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"10.0.{n}.1, 203.0.113.5")
    locked = attempt("chief", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
    assert locked == (LOCKED, False)
    # Another client behind the same proxy is not locked out with the attacker.
    other = attempt("chief", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other == (302, True)


def test_a_successful_login_clears_the_count(admin_user):
    for _ in range(2):
        for n in range(4):
            assert attempt("chief", f"wrong-{n}")[0] == 200
        assert attempt("chief", PASSWORD) == (302, True)


def test_the_lockout_ends_after_the_cool_off(settings, admin_user):
    for n in range(5):
        attempt("chief", f"wrong-{n}")
    assert attempt("chief", PASSWORD) == (LOCKED, False)
    # Move the recorded attempts back past the cool-off, as if it had been waited out.
    cooled_off = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=cooled_off)
    assert attempt("chief", PASSWORD) == (302, True)


def test_the_failure_limit_is_a_setting(settings, admin_user):
    settings.AXES_FAILURE_LIMIT = 2
    assert attempt("chief", "wrong")[0] == 200
    assert attempt("chief", "wrong")[0] == LOCKED
    assert attempt("chief", PASSWORD) == (LOCKED, False)


def test_logging_in_through_the_form_and_force_login_still_work(client, admin_user):
    assert attempt("chief", PASSWORD) == (302, True)
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_a_flood_of_wrong_passwords_is_refused_before_the_lockout_runs(
    settings, admin_user, early_in_a_window
):
    settings.LOGIN_ATTEMPT_BUDGET = (3, 60)
    settings.AXES_FAILURE_LIMIT = 100
    for _ in range(3):
        assert attempt("chief", "wrong")[0] == 200
    client = Client(REMOTE_ADDR="192.0.2.1")
    refused = client.post(LOGIN, {"username": "chief", "password": "wrong"})
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")
    assert int(refused["Retry-After"]) >= 1
    assert "Too many failed logins" in refused.content.decode()
    # The lockout never saw the refused attempt: no password check, no record written.
    assert AccessAttempt.objects.get(username="chief").failures_since_start == 3
    # Another address is not affected.
    assert attempt("chief", PASSWORD, address="192.0.2.77") == (302, True)


def test_successful_logins_never_spend_the_failed_login_budget(settings, admin_user):
    settings.LOGIN_ATTEMPT_BUDGET = (2, 60)
    for _ in range(5):
        assert attempt("chief", PASSWORD) == (302, True)


def test_one_login_is_checked_at_a_time_site_wide(settings, admin_user):
    settings.LOGIN_CHECK_CONCURRENCY = 1
    settings.LOGIN_ATTEMPT_BUDGET = (20, 3600)
    slot = "budget:login-slot:0"
    cache = caches["throttle"]
    assert cache.add(slot, "another worker checking a password", timeout=30)
    client = Client(REMOTE_ADDR="192.0.2.40")
    refused = client.post(LOGIN, {"username": "chief", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert "1 login(s) checked at a time" in refused.content.decode()
    assert not AccessAttempt.objects.exists(), "no password was checked"
    cache.delete(slot)  # that check finished
    assert attempt("chief", PASSWORD, address="192.0.2.40") == (302, True)
    assert cache.get(slot) is None  # released when the response was finished
