"""gunicorn.conf.py as `make run` uses it: a worker starts with what the master preloaded frozen
out of its garbage collector's sight, so that full collections in the middle of a request walk
only what the worker made since (gunicorn.conf.py's docstring has the measures)."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.test_make_run import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "1"]


def test_a_worker_starts_with_the_preloaded_application_frozen_and_collects_young_objects_rarely():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [*GUNICORN, "tests.ops.gc_report:application", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,  # gunicorn reads ./gunicorn.conf.py, as under `make run`
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    report = json.load(answer)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.25)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Django, DRF and milidip's URLconf: tens of thousands of objects, frozen in the master.
    assert report["frozen"] > 50_000, report
    assert report["tracked"] < report["frozen"], report
    # The youngest generation is collected every 50,000 allocations, not Python's 700.
    assert report["thresholds"] == [50_000, 10, 10], report
