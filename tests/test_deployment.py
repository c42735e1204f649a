"""The production profile: what the README's production environment turns on, and what it refuses.

Settings are read once per process, so each environment is tried in a subprocess of its own.
"""

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

# The production environment the README documents ("Configuration", "In production").
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "milidip.example.org",
    "HTTPS": "1",
}
# What the settings read: a test's environment starts from none of them.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "HSTS_SECONDS",
    "HSTS_INCLUDE_SUBDOMAINS",
    "HSTS_PRELOAD",
    "PROXY_HTTPS_HEADER",
}


def run_django(code_or_args, **environment):
    """Run manage.py arguments (a list) or Python code (a str, after django.setup())."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(environment, DJANGO_SETTINGS_MODULE="milidip.settings")
    if isinstance(code_or_args, list):
        command = [sys.executable, "manage.py", *code_or_args]
    else:
        setup = "import django; django.setup()\n"
        command = [sys.executable, "-c", setup + textwrap.dedent(code_or_args)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


DEPLOY_CHECK = ["check", "--deploy", "--fail-level", "WARNING"]


def test_the_deploy_check_passes_with_the_documented_production_environment():
    result = run_django(DEPLOY_CHECK, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_fails_without_https():
    environment = {key: value for key, value in PRODUCTION.items() if key != "HTTPS"}
    result = run_django(DEPLOY_CHECK, **environment)
    assert result.returncode != 0
    for warning in ("W004", "W008", "W012", "W016"):
        assert f"security.{warning}" in result.stderr, result.stderr


def test_the_deploy_check_warns_when_subdomains_are_left_out_unless_the_operator_says_so():
    # HSTS_INCLUDE_SUBDOMAINS=0 is an explicit choice and silences W005; preloading is off by
    # default (only the domain's owner can commit to it) and W021 is then silenced too.
    result = run_django(DEPLOY_CHECK, **PRODUCTION, HSTS_INCLUDE_SUBDOMAINS="0")
    assert result.returncode == 0, result.stderr
    result = run_django(DEPLOY_CHECK, **PRODUCTION, HSTS_SECONDS="0")
    assert "security.W004" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short-but-varied-key",
        "a" * 60 + "bcd",  # long enough, 4 different characters
        "django-insecure-" + secrets.token_urlsafe(50),
    ],
    ids=["shorter than 50", "fewer than 5 unique", "django-insecure prefix"],
)
def test_a_weak_secret_key_is_refused_at_start_when_debug_is_off(key):
    result = run_django(["check"], SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak" in result.stderr


def test_a_short_secret_key_is_accepted_with_debug_on_and_a_strong_one_without():
    assert run_django(["check"], SECRET_KEY="dev", DEBUG="1").returncode == 0
    assert run_django(["check"], SECRET_KEY=secrets.token_urlsafe(50)).returncode == 0


SERVE = """
from django.test import Client
client = Client()
def show(label, response):
    print(label, response.status_code, response.get("Location", "-"),
          response.get("Strict-Transport-Security", "-"))
show("http", client.get("/api/v1/"))
show("https", client.get("/api/v1/", secure=True))
show("proxied", client.get("/api/v1/", headers={"X-Forwarded-Proto": "https"}))
login = client.get("/admin/login/", secure=True)
print("cookie", "secure" if login.cookies["csrftoken"]["secure"] else "plain")
"""


def served(**environment):
    result = run_django(SERVE, ALLOWED_HOSTS="testserver", **environment)
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_https_redirects_plain_http_sends_hsts_and_secure_cookies():
    seen = served(SECRET_KEY=PRODUCTION["SECRET_KEY"], HTTPS="1", HSTS_SECONDS="600")
    assert seen["http"] == "301 https://testserver/api/v1/ -"
    assert seen["https"] == "200 - max-age=600; includeSubDomains"
    assert seen["cookie"] == "secure"
    # A proxy's header is not trusted unless configured: anyone could send it.
    assert seen["proxied"] == "301 https://testserver/api/v1/ -"


def test_the_proxy_header_is_trusted_only_when_configured():
    seen = served(
        SECRET_KEY=PRODUCTION["SECRET_KEY"],
        HTTPS="1",
        PROXY_HTTPS_HEADER="X-Forwarded-Proto: https",
    )
    assert seen["proxied"] == "200 - max-age=31536000; includeSubDomains"
    assert seen["http"].startswith("301 ")


def test_without_https_nothing_changes_for_local_use():
    seen = served(SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert seen["http"] == "200 - -"
    assert seen["https"] == "200 - -"
    assert seen["cookie"] == "plain"


def test_a_malformed_proxy_header_setting_is_refused():
    result = run_django(["check"], PROXY_HTTPS_HEADER="X-Forwarded-Proto")
    assert result.returncode != 0
    assert "PROXY_HTTPS_HEADER must be 'Header-Name: value'" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/countries/",
        "/api/v1/countries/KOR/",
        "/api/v1/countries/?format=csv",
        "/api/v1/no-such-thing/",
        "/api/v1/countries/?format=api",
        "/api/v1/docs/",
        "/api/v1/redoc/",
        "/api/v1/schema/",
        "/admin/login/",
    ],
)
def test_every_response_carries_the_content_security_policy(url):
    response = Client().get(url)
    # (The browsable API is for signed-in users: anonymous readers get a 406 naming `format`.)
    assert response.status_code in {200, 404, 406}
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"].startswith("'self'")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_docs_pages_inline_code_carries_the_responses_nonce():
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = Client().get(url)
        nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
        page = response.content.decode()
        assert page.count("<script>") == 0, url
        assert page.count("<style>") == 0, url
        assert f'<script nonce="{nonce}">' in page, url
