"""Helpers for the dataset import tests: run the command, read its summary, count what is
stored, and import datasets once for a whole test module."""

import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

DATASETS_DIR = settings.SEEDS_DIR / "datasets"
RUN_RECORDS = {"sources.ImportRun", "sources.ImportRunRow", "sources.ImportRun_sources"}


class Output:
    """What one run of import_dataset printed."""

    def __init__(self, out, err):
        self.out, self.err = out, err

    def __str__(self):
        return self.out + self.err


@pytest.fixture
def import_dataset(db):
    """Run `import_dataset` with the given arguments; returns its Output."""

    def run(*args, **options):
        out, err = StringIO(), StringIO()
        call_command("import_dataset", *args, stdout=out, stderr=err, **options)
        return Output(out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def stored():
    """A function giving the number of rows in every table, history tables included, but for
    the record of the runs themselves (every run adds one, by design: test_import_runs.py)."""

    def counts():
        return {
            model._meta.label: model.objects.count()
            for app in ("alliances", "missions", "sources")
            for model in apps.get_app_config(app).get_models()
            if model._meta.label not in RUN_RECORDS
        }

    return counts


@pytest.fixture
def dataset_copy(tmp_path):
    """Copy a file of seeds/datasets/ into a temporary directory (bytes unchanged)."""

    def copy(name):
        target = tmp_path / name
        shutil.copyfile(DATASETS_DIR / name, target)
        return target

    return copy


def summary(output, model):
    """The counts a run's summary gives for a model, e.g. "81 created, 2 updated, ..."."""
    for line in output.out.splitlines():
        label, _, counts = line.strip().partition("  ")
        if label == model:
            return counts.strip()
    raise AssertionError(f"no summary line for {model} in:\n{output.out}")


def imported_for_the_module(django_db_blocker, *datasets):
    """Import `datasets` once, for a module-scoped fixture to `yield from`: inside a
    transaction rolled back at the module's end, each test running in its own savepoint on
    top, as everywhere else."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for dataset in datasets:
                call_command("import_dataset", dataset, stdout=StringIO(), stderr=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
