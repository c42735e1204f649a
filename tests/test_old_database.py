"""A database made by the code from before the layout change (issue 10) keeps working: `make run`
of today's code migrates it, recognises its records and datasets as loaded, and serves through
the API exactly what the old code served from it, apart from what the curated merges (new since)
change on purpose.

The old code is the last commit before the change (BEFORE), taken from git with `git archive`
and run with this checkout's virtual environment (its requirements are the same). SQLite, or a
throwaway PostgreSQL database when the suite runs on one.
"""

import csv
import json
import os
import secrets
import shutil
import subprocess
import urllib.request

import pytest

from tests.test_make_run import ROOT, START_TIMEOUT, Served, free_port, wait_for_page

# The last commit before the layout change; fb84181 ("Core search helpers ...") is its first.
BEFORE = "caf62636e3252d167d2ab936f3c6c459bf6860f0"

# What an anonymous reader gets, compared page by page before and after.
PAGES = [
    "/api/v1/countries/?page_size=500",
    "/api/v1/countries/KOR/",
    "/api/v1/countries/KOR/dossier/",
    "/api/v1/alliances/?page_size=500",
    "/api/v1/alliances/nato/",
    "/api/v1/treaties/?page_size=500",
    "/api/v1/exercises/?page_size=200&ordering=-start",
    "/api/v1/missions/?page_size=200&organisation=united-nations",
    "/api/v1/challenges/?page_size=500",
    "/api/v1/sources/?page_size=500",
    "/api/v1/search/?q=peacekeeping",
]


# What the upgrade changes on purpose (issue 11): `make run` applies the curated merges table,
# new since the old code, so the records it names (merged, kept, parts and parents) and the new
# Source differ; sources carry their `runs` link; counts and page links move with the merges.
# Fields new since the old code are compared by their own tests, not here: the pages' links and
# names in other languages (issue 14); regions and GW codes from country-converter, generated
# alliance names, end kinds and the claims (issue 11); the dossier's totals, lists and personnel,
# and the estimated count (issue 12); `updated`, which those fills move on the records they fill;
# each partial date's first and last day (`start_earliest`, `start_latest`: issue 15).
CURATED_MERGES = ROOT / "seeds" / "datasets" / "curated_merges.csv"
CHANGED_KEYS = {
    *("runs", "count", "next", "previous", "part_of", "deployments"),
    *("html_url", "names", "region", "gw_code", "short_name", "end_kind", "coverage_end"),
    *("disputed", "claims", "states", "count_estimated", "totals", "lists", "un_personnel"),
    "updated",
}
NEW_SUFFIXES = ("_earliest", "_latest")


# Pages whose shape changed on purpose since the old code, read above but not compared: the
# dossier shows each group in its list's order, at most 100 rows (issue 12); the sources list and
# the search hold the datasets new since (country-converter, IPI's country months; issue 11).
REDESIGNED = {
    "/api/v1/countries/KOR/dossier/",
    "/api/v1/sources/?page_size=500",
    "/api/v1/search/?q=peacekeeping",
}

# Datasets new since the old code: their citations (a country's region, its UN personnel) are
# new on the records they cite, which are otherwise compared.
NEW_SOURCES = {"country-converter-v1-3-2", "ipi-peacekeeping-contributor-months"}


def touched_slugs():
    with CURATED_MERGES.open(encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    return (
        {"milidip-curated-merges"} | {row["record"] for row in rows} | {row["into"] for row in rows}
    )


def mentions(value, slugs):
    if isinstance(value, dict):
        return value.get("slug") in slugs or any(mentions(item, slugs) for item in value.values())
    if isinstance(value, list):
        return any(mentions(item, slugs) for item in value)
    return False


def old_citations(citations):
    """The citations of the sources the old code knew."""
    if not isinstance(citations, list):
        return citations

    def new(citation):
        return isinstance(citation, dict) and citation.get("source", {}).get("slug") in NEW_SOURCES

    return [citation for citation in citations if not new(citation)]


def untouched(value, slugs):
    """The page without what the curated merges change on purpose."""
    if isinstance(value, dict):
        return {
            key: untouched(old_citations(item) if key == "citations" else item, slugs)
            for key, item in value.items()
            if key not in CHANGED_KEYS and not key.endswith(NEW_SUFFIXES)
        }
    if isinstance(value, list):
        return [untouched(item, slugs) for item in value if not mentions(item, slugs)]
    return value


def same_but_merges(before, after, slugs):
    """Whether `after` serves what `before` did, apart from the curated merges: a page of a
    list may end with records the merged ones made room for."""
    before, after = untouched(before, slugs), untouched(after, slugs)
    if isinstance(before, dict) and isinstance(before.get("results"), list):
        shown = after["results"][: len(before["results"])]
        return {**after, "results": shown} == before
    return after == before


def has_commit(commit):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return False
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    return found.returncode == 0


def read_pages(port):
    pages = {}
    for page in PAGES:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=30) as response:
            assert response.status == 200, page
            pages[page] = json.load(response)
    return pages


@pytest.mark.skipif(not has_commit(BEFORE), reason=f"needs git history with {BEFORE[:7]}")
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_serves_a_database_made_before_the_layout_change_as_it_was(tmp_path, database_url):
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", BEFORE], cwd=ROOT, capture_output=True, check=True
    ).stdout
    (tmp_path / "old.tar").write_bytes(archive)
    # tar(1), not tarfile: extractall's `filter` came in Python 3.11.4, and Debian's is 3.11.2.
    subprocess.run(["tar", "-x", "-f", str(tmp_path / "old.tar"), "-C", str(old)], check=True)

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "REDIS_URL"}
    }
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DATABASE_URL"] = database_url or f"sqlite:///{tmp_path / 'made-before.sqlite3'}"
    # `make run` below runs in this checkout: its static files go to a folder of the test's own,
    # so that another run of the suite at the same time (CI runs two) never writes beside them.
    env["STATIC_ROOT"] = str(tmp_path / "static")
    # The test compares data, not throttling: both servers answer every page it reads (the
    # shared pool of large anonymous pages refills every 10 s, and the pages come back to back).
    env.update(API_ANON_BUDGET="off", API_USER_BUDGET="off", API_ANON_HEAVY_BUDGET="off")
    python = str(ROOT / ".venv/bin/python")
    for command in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["load_records"],
        ["import_dataset", "all", "--only-new"],
    ):
        subprocess.run(
            [python, "manage.py", *command], cwd=old, env=env, check=True, capture_output=True
        )
    port = free_port()
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "milidip.wsgi", "--bind", f"127.0.0.1:{port}"]
    with Served(old, env, port, log=tmp_path / "old.log", command=gunicorn) as served:
        wait_for_page(f"http://127.0.0.1:{port}/api/v1/", served.process, START_TIMEOUT)
        before = read_pages(port)

    log = tmp_path / "make-run.log"
    with Served(ROOT, env, port, log=log) as served:
        wait_for_page(f"http://127.0.0.1:{port}/api/v1/", served.process, START_TIMEOUT)
        after = read_pages(port)
    output = log.read_text()

    assert "Records already loaded" in output
    # Every dataset was imported before; only the curated merges, new since, are applied.
    assert "curated-merges: done" in output
    assert "cow-states: done" not in output
    # The old database holds the curated records and the datasets, not just empty tables.
    assert before["/api/v1/countries/?page_size=500"]["count"] > 200
    assert before["/api/v1/exercises/?page_size=200&ordering=-start"]["count"] > 3000
    slugs = touched_slugs()
    for page in PAGES:
        if page in REDESIGNED:
            continue
        assert same_but_merges(before[page], after[page], slugs), page
