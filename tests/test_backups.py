"""Backups: what `manage.py restore` refuses, and why Django's dumpdata/loaddata is not a backup.

The round trip itself (`make backup`, `make restore` into a fresh database, identical API output
and tables) runs on both engines in .ci/backup-roundtrip, which CI runs once.
"""

import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from alliances.models import Treaty

pytestmark = pytest.mark.django_db


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a database")
    with pytest.raises(CommandError, match="neither a pg_dump custom-format file nor a SQLite"):
        call_command("restore", str(not_a_backup))
    assert Treaty.objects.exists()


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    other = tmp_path / "other-engine-backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
        expected = "is a postgresql backup, but the database is sqlite"
    else:
        with sqlite3.connect(other) as database:
            database.execute("CREATE TABLE t (x)")
        expected = "is a sqlite backup, but the database is postgresql"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other))
    assert Treaty.objects.exists()


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("restore", str(tmp_path / "missing.dump"))


def test_dumpdata_with_natural_keys_stops_on_the_history_of_a_deleted_record(tmp_path):
    """Why the README sends backups to `make backup`: the history outlives the record."""
    Treaty.objects.get(slug="rok-us-cost-sharing-agreements").delete()
    with pytest.raises(CommandError, match="Unable to serialize database"):
        call_command("dumpdata", "--natural-foreign", output=str(tmp_path / "dump.json"))


def test_loaddata_writes_history_rows_of_its_own(tmp_path):
    """Why a dump does not load back: loading a record's many-to-many fields records history
    rows of its own, which in a fresh database take numbers the dump's history rows hold."""
    dump = tmp_path / "treaties.json"
    call_command("dumpdata", "alliances.Treaty", output=str(dump), verbosity=0)
    Treaty.objects.all().delete()
    before = set(Treaty.history.values_list("history_id", flat=True))
    call_command("loaddata", str(dump), verbosity=0)
    written = Treaty.history.exclude(history_id__in=before)
    assert written.exists()
    assert set(written.values_list("history_type", flat=True)) == {"~"}
