"""Helpers for the dataset import tests: run the command and count what is stored."""

import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

DATASETS_DIR = settings.SEEDS_DIR / "datasets"


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
    """A function giving the number of rows in every table, history tables included."""

    def counts():
        return {
            model._meta.label: model.objects.count()
            for app in ("alliances", "missions", "sources")
            for model in apps.get_app_config(app).get_models()
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
