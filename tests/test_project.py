"""The project's promises about itself: settings documented, secrets required, no secrets stored."""

import os
import re
import shutil
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


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    # A copy of the settings in a folder with no .secret_key, as in a clone before `make`.
    bare = tmp_path / "milidip"
    bare.mkdir()
    shutil.copy(ROOT / "milidip" / "settings.py", bare / "settings.py")
    (bare / "__init__.py").touch()
    result = subprocess.run(
        [sys.executable, "-c", "import milidip.settings"],
        cwd=tmp_path,
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


def test_settings_use_the_key_make_wrote_when_the_environment_has_none(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    package = tmp_path / "milidip"
    package.mkdir()
    shutil.copy(ROOT / "milidip" / "settings.py", package / "settings.py")
    (package / "__init__.py").touch()
    key = "a-key-made-by-make-" + "0123456789abcdef" * 3
    (tmp_path / ".secret_key").write_text(key + "\n")
    result = subprocess.run(
        [sys.executable, "-c", "import milidip.settings as s; print(s.SECRET_KEY)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key
