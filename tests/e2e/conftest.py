"""Real-browser tests of the curation admin: Debian's Chromium, driven by Playwright.

The browser is /usr/bin/chromium (`make test` installs it from Debian when it is missing);
Playwright never downloads one. Pages are served by pytest-django's `live_server`, so every test
here is transactional: the database is flushed after each one, which also empties what the data
migrations made (the curation groups, the exercise vocabularies). `records` puts the curated
records and those back at the start of every test.

Each test leaves a screenshot of its last page in test-artifacts/screenshots/<test name>.png
(git-ignored), taken in a finalizer so a failing test leaves one too.
"""

import importlib
import os
import re
import secrets
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# How long a locator or navigation may wait before the test fails (milliseconds).
TIMEOUT_MS = 15_000

curation_groups = importlib.import_module("milidip.sources.migrations.0004_curation_groups")
vocabularies = importlib.import_module("missions.migrations.0002_vocabularies")
revision_grants = importlib.import_module("milidip.sources.migrations.0009_revision_permissions")


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the e2e tests (they run together, after the other tests)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's chromium package).")
    # Playwright's sync API keeps an event loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop unless told it is safe (it is: nothing here is async).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def restore_groups():
    """The curator and reviewer groups, with the permissions migrations 0004 and 0009 give."""
    for name in ("curator", "reviewer"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in curation_groups.codenames(name)
        )
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="sources",
                codename__in=[f"{action}_revision" for action in revision_grants.GRANTS[name]],
            )
        )


@pytest.fixture
def records(live_server, transactional_db):
    """The curated records, the curation groups and the vocabularies, as after `make run`."""
    vocabularies.create_vocabularies(django_apps, None)
    restore_groups()
    call_command("load_records", "--force", verbosity=0, stdout=StringIO())


@pytest.fixture
def make_user(records, django_user_model):
    """make_user("curator" | "reviewer") -> (user, password): a staff user in that group."""

    def make(group, username=None):
        username = username or f"{group}-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(24)
        user = django_user_model.objects.create_user(username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user, password

    return make


@pytest.fixture
def open_admin(request, browser, live_server, make_user):
    """open_admin("curator" | "reviewer") -> a logged-in page in a browser context of its own.

    Two calls give two independent sessions (two people, or one person in two windows).
    """
    contexts, pages = [], []

    def open_as(group, user=None):
        if user is None:
            user, password = make_user(group)
        else:
            user, password = user
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        expect(page.locator("#user-tools")).to_contain_text(user.username)
        page.user = user
        return page

    yield open_as

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    # The last page opened is the test's last page; any others get a numbered name beside it.
    for number, page in enumerate(reversed(pages)):
        suffix = "" if number == 0 else f"-{len(pages) - number}"
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"), full_page=True)
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"no screenshot of {name}{suffix}: {error}")
    for context in contexts:
        context.close()
