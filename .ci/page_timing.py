"""Page timings (issue 14): how long the public pages take to render, p50 and p95 per page.

Runs in-process (Django's test client, no network, no server) against DATABASE_URL's database,
which must hold the curated records and the datasets (.ci/load builds one and runs this on it).
Each page is asked for WARMUP times, then RUNS times; wall-clock and CPU time are printed, and the
record pages' p95 compared with the issue's budget (BUDGET_MS): printed, not judged, as the other
benchmarks are (a shared CI machine's wall clock says more about its neighbours than about the
page; the CPU column does not). Usage:

    DATABASE_URL=postgres://... .venv/bin/python .ci/page_timing.py [runs]
    PAGES=/countries/KOR/ ... .ci/page_timing.py [runs]   # those pages only
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

from django.test import Client  # noqa: E402

from milidip.pages.records import KINDS  # noqa: E402

WARMUP = 3
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
BUDGET_MS = 50
FIXED = [
    "/countries/KOR/",
    "/countries/USA/",
    "/alliances/rok-us-alliance/",
    "/alliances/nato/",
    "/treaties/rok-us-mutual-defense-treaty/",
    "/sources/us-south-korea-military-alliance/",
]
LISTS = ["/", "/exercises/?country=KOR&country=USA", "/alliances/", "/search/?q=korea"]


def record_pages():
    """The fixed pages, and the first published record of each kind not among them."""
    paths = list(FIXED)
    for kind in KINDS.values():
        record = kind.model.objects.published().order_by(kind.lookup).first()
        if record is not None:
            paths.append(record.get_absolute_url())
    return list(dict.fromkeys(paths))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_page(client, path):
    """([wall ms], [CPU ms]) of RUNS requests for `path`, after WARMUP; a non-200 fails."""
    for _ in range(WARMUP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main():
    # `Cache-Control: no-cache`: the read cache steps aside and the page is rendered (the cost
    # measured here), as bench/run asks for its uncached figures.
    client = Client(HTTP_HOST="localhost", HTTP_CACHE_CONTROL="no-cache")
    print(f"{'page':<50} {'p50 ms':>8} {'p95 ms':>8} {'CPU p95':>8}")
    record_wall, record_cpu = [], []
    only = os.environ.get("PAGES")
    paths = only.split(",") if only else [*record_pages(), *LISTS]
    for path in paths:
        wall, cpu = time_page(client, path)
        p50, p95 = statistics.median(wall), percentile(wall, 0.95)
        print(f"{path:<50} {p50:8.1f} {p95:8.1f} {percentile(cpu, 0.95):8.1f}")
        if path not in LISTS:
            record_wall += wall
            record_cpu += cpu
    p95, cpu95 = percentile(record_wall, 0.95), percentile(record_cpu, 0.95)
    verdict = "within" if p95 <= BUDGET_MS else "OVER"
    print(
        f"record pages together: p95 {p95:.1f} ms wall, {cpu95:.1f} ms CPU, over "
        f"{len(record_wall)} requests; {verdict} the {BUDGET_MS} ms budget"
    )


if __name__ == "__main__":
    main()
