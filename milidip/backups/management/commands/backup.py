"""manage.py backup [--file PATH]: a consistent copy of DATABASE_URL's database (`make backup`)."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from milidip.backups.database import BackupError, backup, database_settings


def default_path(engine):
    """backups/milidip-<UTC time>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if engine == "postgresql" else "sqlite3"
    return settings.BASE_DIR / "backups" / f"milidip-{stamp}.{suffix}"


class Command(BaseCommand):
    help = (
        "Copy the whole database, history included, to a file: pg_dump's custom format for "
        "PostgreSQL, SQLite's online backup for SQLite. `manage.py restore FILE` brings it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            help="where to write (default: backups/milidip-<UTC time>.dump, or .sqlite3)",
        )

    def handle(self, *args, file=None, **options):
        try:
            engine, database = database_settings()
            path = backup(file or default_path(engine))
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(f"Backed up {engine} database {database['NAME']} to {path} ({size:,} B).")
