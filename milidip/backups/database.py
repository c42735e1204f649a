"""Copy the database to a file and back, with the engine's own tools (see the package's doc)."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

from milidip.versions import bump

# What each engine's backup file begins with, to refuse restoring one engine's file into another.
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def database_settings(alias="default"):
    """(engine, settings dict) of a database: engine is "postgresql" or "sqlite"."""
    connection = connections[alias]
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor, connection.settings_dict


def postgres_environment(database):
    """The environment pg_dump and pg_restore read the connection from (libpq's PG* variables)."""
    env = dict(os.environ)
    options = database.get("OPTIONS", {})
    for variable, value in {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
        "PGPASSFILE": options.get("passfile"),
    }.items():
        if value:
            env[variable] = str(value)
    return env


def run_tool(command, env):
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def backup(path, alias="default"):
    """Write a consistent copy of the database to path (made anew; written whole or not at all)."""
    engine, database = database_settings(alias)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine == "postgresql":
            run_tool(
                ["pg_dump", "--format=custom", f"--file={partial}", database["NAME"]],
                postgres_environment(database),
            )
        else:
            if not Path(database["NAME"]).is_file():
                raise BackupError(f"there is no SQLite database at {database['NAME']}")
            sqlite_copy(database["NAME"], partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def backup_engine(path):
    """Which engine made the backup file at path: "postgresql" or "sqlite"."""
    try:
        with open(path, "rb") as file:
            start = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from error
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a pg_dump custom-format file nor a SQLite database")


def restore(path, alias="default"):
    """Replace the database's contents with the backup at path, in one transaction.

    PostgreSQL: the database must exist (createdb); every object in the backup is dropped if
    present and made again from the backup. SQLite: the file is overwritten (or created).
    """
    engine, database = database_settings(alias)
    made_by = backup_engine(path)
    if made_by != engine:
        raise BackupError(f"{path} is a {made_by} backup, but the database is {engine}")
    connections[alias].close()
    if engine == "postgresql":
        run_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database['NAME']}",
                str(path),
            ],
            postgres_environment(database),
        )
    else:
        sqlite_copy(path, database["NAME"])
    # Every read may have changed; the version moves above any the backup holds.
    bump()


def sqlite_copy(source_path, target_path):
    """Copy one SQLite database into another with SQLite's online backup API (consistent even
    while the source is in use); the source is opened read-only."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
