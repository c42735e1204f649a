"""Deep pages and counts at scale (issue 12, point 5): prints, does not judge.

Run on a database filled by `make bench-data SCALE=N` (DATABASE_URL): `make bench-deep`. In one
process, through the whole Django stack (a signed-in reader, so the throttle is not what is
timed), the median of REPEAT requests each of: page 1 of a list, the deepest page `page` reaches,
page DEEP of the same list by cursor (its token made from the row before it), and, for
comparison, what an OFFSET to that page would cost (the ORM query alone; the API refuses such a
`page` with a 400). Then the bounded count of each filtered list (milidip.api.pagination).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

from milidip.api import pagination  # noqa: E402
from missions.filters import ExerciseFilter  # noqa: E402
from missions.views import ExerciseViewSet  # noqa: E402

REPEAT = int(os.environ.get("REPEAT", "5"))
DEEP = int(os.environ.get("DEEP", "10000"))
PAGE_SIZE = 50
LISTS = {"kind=exercise": {"kind": "exercise"}, "country=USA": {"country": "USA"}}


def timed(function):
    function()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def get(client, url):
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


def main():
    client = Client(HTTP_HOST="127.0.0.1")
    user, _ = User.objects.get_or_create(username="bench-reader", defaults={"is_superuser": True})
    client.force_login(user)
    base = "/api/v1/exercises/"
    print(f"{'list':<16} {'request':<34} {'median ms':>10}")
    for label, params in LISTS.items():
        query = "&".join(f"{key}={value}" for key, value in params.items())
        queryset = ExerciseFilter(QueryDict(query), ExerciseViewSet.queryset.all()).qs
        total = queryset.count()
        deep = min(DEEP, total // PAGE_SIZE)
        deepest_page = min(pagination.MAX_OFFSET // PAGE_SIZE + 1, -(-total // PAGE_SIZE))
        page_url = f"{base}?{query}&page_size={PAGE_SIZE}"
        ordering = pagination.keyset_ordering(queryset)
        names = [name for name, _ in ordering]
        before = queryset.values(*names)[(deep - 1) * PAGE_SIZE - 1]
        cursor = pagination.encode_cursor(ordering, before)
        rows = [
            ("page 1", page_url),
            (f"page {deepest_page} (deepest `page`)", f"{page_url}&page={deepest_page}"),
            (f"page {deep} by cursor", f"{page_url}&cursor={cursor}"),
        ]
        for name, url in rows:
            print(f"{label:<16} {name:<34} {timed(lambda url=url: get(client, url)):>10.1f}")
        offset = (deep - 1) * PAGE_SIZE

        def offset_page(queryset=queryset, offset=offset):
            return list(queryset.values("pk")[offset : offset + PAGE_SIZE])

        print(f"{label:<16} {f'page {deep} by OFFSET (ORM only)':<34} {timed(offset_page):>10.1f}")
        count_ms = timed(lambda queryset=queryset: pagination.bounded_count(queryset))
        shown, exact = pagination.bounded_count(queryset)
        kind = "exact" if exact else "estimated"
        print(f"{label:<16} {f'count ({shown:,} {kind}; real {total:,})':<34} {count_ms:>10.1f}")


if __name__ == "__main__":
    main()
