"""The layout's one-way rule holds, and the check of it can fail: lint-imports (import-linter,
configured in pyproject.toml) passes on the code, and fails as soon as a lower layer imports a
higher one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("milidip", "alliances", "missions")


def copy_of_the_code(destination):
    for package in PACKAGES:
        shutil.copytree(
            Path(settings.BASE_DIR) / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.yaml", "templates", "static"),
        )
    shutil.copy(Path(settings.BASE_DIR) / "pyproject.toml", destination)
    return destination


def lint_imports(directory):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=directory,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(directory)},
        timeout=120,
    )


@pytest.fixture(scope="module")
def code(tmp_path_factory):
    return copy_of_the_code(tmp_path_factory.mktemp("layers"))


def test_the_code_keeps_the_layers(code):
    result = lint_imports(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "higher"),
    [
        ("milidip/api/fields.py", "from alliances.models import Country"),
        ("alliances/serializers.py", "from missions.models import Exercise"),
        ("milidip/sources/models.py", "from milidip.datasets.importers import DATASETS"),
        ("milidip/records.py", "from milidip.api.errors import error_body"),
        (
            "milidip/datasets/importers/atop.py",
            "from milidip.datasets.management.commands.import_dataset import ALL",
        ),
        (
            "milidip/datasets/framework/history.py",
            "from milidip.datasets.importers import DATASETS",
        ),
        (
            "milidip/datasets/framework/reading.py",
            "from milidip.datasets.framework.run import ImportRun",
        ),
        (
            "milidip/datasets/framework/curated.py",
            "from milidip.datasets.framework.records import RecordSync",
        ),
        (
            "milidip/datasets/framework/records.py",
            "from milidip.datasets.framework.links import LinkSync",
        ),
    ],
)
def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(code, tmp_path, module, higher):
    broken = copy_of_the_code(tmp_path)
    path = broken / module
    path.write_text(path.read_text() + f"\n{higher}  # noqa\n")
    result = lint_imports(broken)
    assert result.returncode != 0
    assert "is not allowed to import" in result.stdout


@pytest.mark.parametrize("package", ["milidip", "milidip/datasets", "milidip/datasets/framework"])
def test_a_new_module_outside_the_layers_breaks_the_contract(tmp_path, package):
    broken = copy_of_the_code(tmp_path)
    (broken / package / "helpers.py").write_text('"""Somewhere unlayered."""\n')
    result = lint_imports(broken)
    assert result.returncode != 0
    assert package.replace("/", ".") + ".helpers" in result.stdout
