"""gunicorn.conf.py as `make run` uses it: a worker starts with what the master preloaded frozen
out of its garbage collector's sight, so that full collections walk only what the worker made
since, and a read runs with the collector off, its collections put off until its response is
written (gunicorn.conf.py's docstring has the measures)."""

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


def ask(port, data=None):
    """What the worker's collector holds and does while it answers (a POST when `data`)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", data=data, timeout=2) as answer:
        return json.load(answer)


def test_a_worker_starts_frozen_and_collects_between_reads_not_during_them():
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
                report = ask(port)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.25)
        # A write runs with the collector on: the read before it turned it back on when its
        # response was written, and a write does not turn it off.
        written = ask(port, data=b"{}")
        again = ask(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Django, DRF and milidip's URLconf: tens of thousands of objects, frozen in the master.
    assert report["frozen"] > 50_000, report
    assert report["tracked"] < report["frozen"], report
    assert report["collecting"] is False, report
    assert written["collecting"] is True, written
    assert again["collecting"] is False, again
