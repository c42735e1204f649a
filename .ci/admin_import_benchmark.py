"""Times the admin's CSV import preview of the largest file allowed (ADMIN_IMPORT_MAX_ROWS treaty
rows), on DATABASE_URL's database, which must hold the curated records; printed, not judged. A
preview must stay well inside gunicorn's 30 s worker timeout (tests/admin/test_import_limits.py
holds the queries per row; the time depends on the machine). Everything is rolled back.

    DATABASE_URL=... .venv/bin/python .ci/admin_import_benchmark.py
"""

import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tests.admin.test_import_limits import HEADER, post_import, treaty_rows  # noqa: E402

WORKER_TIMEOUT = 30  # gunicorn's default; gunicorn.conf.py keeps it


def main():
    setup_test_environment()  # the test client's host name, allowed
    rows = settings.ADMIN_IMPORT_MAX_ROWS
    with transaction.atomic():
        user = User.objects.create_superuser("import-benchmark", password=None)
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = post_import(client, HEADER + treaty_rows(rows, description="d" * 200))
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    result = response.context["result"]
    if response.status_code != 200 or result.has_validation_errors():
        raise SystemExit(f"admin import benchmark: the preview failed ({response.status_code})")
    print(
        f"admin CSV import: a preview of {rows} treaty rows (the most allowed) took "
        f"{elapsed:.1f} s ({elapsed / rows * 1000:.0f} ms a row); the worker timeout is "
        f"{WORKER_TIMEOUT} s"
    )


if __name__ == "__main__":
    main()
