"""Each record's fields are declared once, beside its model (COUNTRY_FIELDS ...), and every door
takes its own from there: the API's output and input serializers, the admin's CSV columns and the
admin's form (milidip.records.field_list, milidip.sources.admin.record_fieldsets).

`tests/field_doors.json` holds what each door showed when the lists were written by hand, so the
move to one declaration changed nothing a reader, a writer or a curator sees. A deliberate change
of a door regenerates it:

    .venv/bin/python -c "import django, os, json; os.environ.setdefault('DJANGO_SETTINGS_MODULE',
    'milidip.settings'); django.setup(); from tests.field_doors import every_door;
    open('tests/field_doors.json', 'w').write(json.dumps(every_door(), indent=1) + '\\n')"
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from milidip.records import field_list
from milidip.sources.admin import RecordAdmin, record_fieldsets
from tests.field_doors import every_door

ROOT = Path(__file__).resolve().parent.parent


def test_every_door_shows_the_fields_it_showed_before_the_lists_were_declared_once():
    expected = json.loads((ROOT / "tests" / "field_doors.json").read_text())
    assert every_door() == expected


def test_a_door_leaves_out_shows_a_run_as_one_name_and_adds_at_the_end():
    fields = ["slug", "name", "defence", "offence", "cow_id"]
    assert field_list(
        fields,
        without=["cow_id"],
        shown_as={"obligations": ["defence", "offence"]},
        add=["status"],
    ) == ["slug", "name", "obligations", "status"]


@pytest.mark.parametrize(
    "changes",
    [{"without": ["renamed"]}, {"shown_as": {"obligations": ["defence", "renamed"]}}],
)
def test_a_door_naming_a_field_the_list_does_not_hold_is_refused(changes):
    with pytest.raises(ValueError, match="renamed"):
        field_list(["slug", "name", "defence"], **changes)


def test_the_admin_form_takes_every_field_no_section_groups_into_its_first_section():
    fieldsets = record_fieldsets(
        ["slug", "name", "kind", "start", "end", "memberships"],
        (None, {"fields": ["name", "slug"]}),
        ("Dates", {"fields": ["start", "end"]}),
        without=["memberships"],
    )
    assert fieldsets == [
        (None, {"fields": ["name", "slug", "kind"]}),
        ("Dates", {"fields": ["start", "end"]}),
        RecordAdmin.publication_fieldset,
    ]


def test_an_admin_section_naming_a_field_the_list_does_not_hold_is_refused():
    with pytest.raises(ImproperlyConfigured, match="renamed"):
        record_fieldsets(["slug", "name"], (None, {"fields": ["name", "renamed"]}))


PROBE_SETTINGS = """
from milidip.settings import *  # noqa: F403

# The admin without autodiscovery, so the probe is added before any admin module is read.
INSTALLED_APPS = [  # noqa: F405
    "django.contrib.admin.apps.SimpleAdminConfig" if app == "django.contrib.admin" else app
    for app in INSTALLED_APPS  # noqa: F405
]
"""

PROBE = """
import json

import django
from django.db import models

django.setup()

from alliances import models as alliances
from milidip.sources import models as sources
from missions import models as missions

for module, model, fields in [
    (alliances, "Country", "COUNTRY_FIELDS"),
    (alliances, "Alliance", "ALLIANCE_FIELDS"),
    (alliances, "Treaty", "TREATY_FIELDS"),
    (missions, "Exercise", "EXERCISE_FIELDS"),
    (missions, "Mission", "MISSION_FIELDS"),
    (missions, "Challenge", "CHALLENGE_FIELDS"),
    (sources, "Source", "SOURCE_FIELDS"),
]:
    getattr(module, model).add_to_class("probe", models.CharField(max_length=20, blank=True))
    getattr(module, fields).append("probe")

import alliances.admin, missions.admin  # noqa: E401, F401  (registered as the site would)
from tests.field_doors import every_door

print(json.dumps(every_door()))
"""


def test_a_field_added_to_a_records_list_reaches_every_door(tmp_path):
    """A probe field, added to each model and its list alone, is in the API's output and
    input, the CSV columns and the admin's form; run in its own process, so the probe stays
    out of this one."""
    (tmp_path / "probe_settings.py").write_text(PROBE_SETTINGS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "probe_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    doors = json.loads(result.stdout)
    for name, shown in doors.items():
        assert "probe" in shown["output"], name
        assert "probe" in shown["csv"], name
        assert "probe" in shown["admin_fieldsets"][0][1]["fields"], name
        if "input" in shown:
            assert "probe" in shown["input"], name
    assert set(doors) == {
        "Country",
        "Alliance",
        "Treaty",
        "Exercise",
        "Mission",
        "Challenge",
        "Source",
    }
