"""`make run` on a fresh clone sets everything up, serves the records and the datasets, and
keeps curated edits: the records and the datasets are loaded on the first run only.

The clone is of the committed HEAD: what a newcomer gets. On PostgreSQL runs of the suite the
clone serves from a throwaway PostgreSQL database, so both engines' `make run` are shown.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 300


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_page(url, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} was not served within {timeout} s")


class Served:
    """`make run` (or `command`) in a clone, stopped (with its gunicorn workers) on exit."""

    def __init__(self, clone, env, port, log=None, command=None):
        self.clone, self.env, self.port = clone, env, port
        self.log_path = log or clone / "make-run.log"
        self.command = command or ["make", "run", f"PORT={port}"]

    def __enter__(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.clone,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)
        self.log.close()


def manage(clone, env, code):
    result = subprocess.run(
        [str(clone / ".venv/bin/python"), "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


COUNT = (
    "from django.apps import apps; "
    "print(sum(m.objects.count() for a in ('alliances', 'missions', 'sources') "
    "for m in apps.get_app_config(a).get_models()))"
)

DATASET_COUNTS = (
    "from alliances.models import Alliance, Country; "
    "from missions.models import Exercise, Mission, MissionStrength; "
    "print(Country.objects.exclude(cow_code=None).count(), "
    "Alliance.objects.exclude(cow_id=None).count(), "
    "Alliance.objects.exclude(atop_id=None).count(), "
    "Exercise.objects.exclude(mme_id='').count(), "
    "Mission.objects.exclude(un_acronym='').filter(citations__source__collection='un')"
    ".distinct().count(), "
    "MissionStrength.objects.count())"
)


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git repository to clone")
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_a_fresh_clone_and_a_second_run_keeps_curated_edits(tmp_path, database_url):
    clone = tmp_path / "milidip"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS"}
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    port = free_port()
    login = f"http://127.0.0.1:{port}/admin/login/"

    started = time.monotonic()
    with Served(clone, env, port) as served:
        status, page = wait_for_page(login, served.process, START_TIMEOUT)
        elapsed = time.monotonic() - started
        print(f"make run: fresh clone to a served page in {elapsed:.1f} s")
        assert status == 200
        assert "milidip" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/base.css") as css:
            assert css.status == 200

    env["SECRET_KEY"] = (clone / ".secret_key").read_text().strip()
    loaded = int(manage(clone, env, COUNT))
    assert loaded > 50
    # MME's second VENBRA 5 is merged away by the curated merges table; ATOP 4125 is coded on
    # COW 344 itself (one record per alliance), so every ATOP alliance keeps its id.
    assert manage(clone, env, DATASET_COUNTS) == "217 414 745 3706 81 5330"
    manage(
        clone,
        env,
        "from alliances.models import Country; "
        "Country.objects.filter(code='KOR').update(name='South Korea (curated)')",
    )

    with Served(clone, env, port) as served:
        wait_for_page(login, served.process, START_TIMEOUT)
    assert int(manage(clone, env, COUNT)) == loaded
    name = manage(
        clone,
        env,
        "from alliances.models import Country; print(Country.objects.get(code='KOR').name)",
    )
    assert name == "South Korea (curated)"
    log = (clone / "make-run.log").read_text()
    assert "Records already loaded" in log
    assert "Every dataset was imported before; nothing to do." in log
