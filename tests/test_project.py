"""The project's promises about itself: settings documented, secrets required, no secrets stored."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_the_settings_read_is_documented_in_the_readme():
    settings_source = (ROOT / "milidip" / "settings.py").read_text()
    read = set(re.findall(r"""env(?:_bool|_list)?\(\s*["']([A-Z_]+)["']""", settings_source))
    read |= set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z_]+)["']""", settings_source))
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"} <= read
    readme = (ROOT / "README.md").read_text()
    undocumented = {name for name in read | {"DATABASE_URL"} if f"`{name}`" not in readme}
    assert not undocumented, f"settings read {undocumented} but the README does not document them"


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "milidip.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
