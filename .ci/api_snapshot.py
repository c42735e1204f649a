"""Print everything an anonymous API client can read, and every table's rows, as one text.

Used by .ci/backup-roundtrip: two databases hold the same data exactly when this prints the same
bytes for both. Every list (every page, JSON and CSV) and every record's detail, dossier and
strengths are fetched through Django's test client; then each table's row count and a SHA-256
of its rows (history tables included).

    DATABASE_URL=... .venv/bin/python .ci/api_snapshot.py > snapshot.txt
"""

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")
# The snapshot reads every page at once: no throttle budget applies to it.
os.environ.update(API_ANON_BUDGET="off", API_USER_BUDGET="off", API_ANON_HEAVY_BUDGET="off")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESOURCES = ["countries", "alliances", "treaties", "exercises", "missions", "challenges", "sources"]
# Per-record endpoints beyond the detail, by resource.
EXTRA = {"countries": ["dossier/"], "missions": ["strengths/"]}


VERSION_TABLE = "sources_dataversion"


def main():
    setup_test_environment()  # lets the test client's host through ALLOWED_HOSTS
    client = Client()
    out = sys.stdout

    def fetch(url):
        response = client.get(url)
        out.write(f"== GET {url} {response.status_code}\n")
        out.write(response.content.decode())
        out.write("\n")
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    fetch("/api/v1/")
    for resource in RESOURCES:
        keys, page = [], 1
        while True:
            body = fetch(f"/api/v1/{resource}/?page_size=500&page={page}").json()
            keys += [record.get("code") or record["slug"] for record in body["results"]]
            if not body["next"]:
                break
            page += 1
        fetch(f"/api/v1/{resource}/?page_size=500&format=csv")
        for key in keys:
            fetch(f"/api/v1/{resource}/{key}/")
            for extra in EXTRA.get(resource, []):
                fetch(f"/api/v1/{resource}/{key}/{extra}")
    fetch("/api/v1/search/?q=alliance")

    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            quoted = connection.ops.quote_name(table)
            if table == VERSION_TABLE:
                # The caches' data version, not data: a restore moves it on purpose, above any
                # the backup holds, so that no cached answer of the old data is served again.
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")
                out.write(f"== table {table} rows={cursor.fetchone()[0]} (version not compared)\n")
                continue
            cursor.execute(f"SELECT * FROM {quoted}")
            # Sorted here, whole rows: not every table's first column is unique.
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            out.write(f"== table {table} rows={len(rows)} sha256={digest}\n")


if __name__ == "__main__":
    main()
