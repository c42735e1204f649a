"""Shared test setup: the test database holds the curated records from fixtures/.

Each test runs in a transaction that is rolled back, so tests see the articles' records and
may change them freely.
"""

import os
import time
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command

from milidip.datasets.management.commands.load_records import fixture_files
from milidip.sources.claims import derive_all


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("loaddata", *fixture_files(), verbosity=0)
        # As load_records: the shown values and open conflicts follow the quotes' claims.
        derive_all()


@pytest.fixture
def article(db):
    """The US–South Korea alliance article (004), as stored."""
    from milidip.sources.models import Source

    return Source.objects.get(slug="us-south-korea-military-alliance")


@pytest.fixture(autouse=True)
def fresh_local_caches():
    """Each test starts with empty in-process caches (throttle budgets, counted per address)
    and memos of reads (kept lookups and filtered lists, keyed by a data version that a
    rolled-back test can leave to the next)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from milidip.versions import forget_kept_in_process

    def clear():
        for backend in caches.all(initialized_only=True):
            if isinstance(backend, LocMemCache):
                backend.clear()
        forget_kept_in_process()

    clear()
    yield
    clear()


@pytest.fixture
def early_in_a_window(monkeypatch):
    """Budgets are counted in fixed windows, the previous one weighed by how much of it is still
    in view; attempts straddling a window's end are therefore counted as slightly fewer (two of
    three just before, one just after: 2 * 0.99 + 1 < 3). The throttle's clock is moved to a
    window's first second, running on from there, so that a test's few attempts fall in one
    (a window of a minute, an hour or a day: the next day's first second starts each)."""
    from milidip.api import throttling

    real = time.time()
    start = (real // 86400 + 1) * 86400 + 1
    clock = SimpleNamespace(
        time=lambda: start + (time.time() - real), perf_counter=time.perf_counter
    )
    monkeypatch.setattr(throttling, "time", clock)


@pytest.fixture
def database_url():
    """None (SQLite, the test picks the file), or a throwaway PostgreSQL database on PostgreSQL."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield None
        return
    import psycopg

    name = f"milidip_make_run_{uuid.uuid4().hex[:8]}"
    params = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "autocommit": True,
    }
    with psycopg.connect(dbname="postgres", **params) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", **params) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def strict_schema(monkeypatch):
    """Every /api/ response a test gets through Django's test client matches the schema."""
    from django.test.client import Client

    from tests.strict_schema import check_response

    request = Client.request

    def checked_request(self, **kwargs):
        response = request(self, **kwargs)
        check_response(response)
        return response

    monkeypatch.setattr(Client, "request", checked_request)


def pytest_sessionfinish(session, exitstatus):
    """With STRICT_SCHEMA_COVERAGE=1 (CI's whole runs), every documented operation must have had
    a response validated against the schema by the run: list those that did not, and fail."""
    if os.environ.get("STRICT_SCHEMA_COVERAGE") != "1":
        return
    from tests.strict_schema import unchecked_operations

    missing = unchecked_operations()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if missing:
        reporter.write_line(
            f"strict schema: {len(missing)} documented operation(s) never validated: "
            + ", ".join(missing),
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        reporter.write_line("strict schema: a response of every documented operation validated")
