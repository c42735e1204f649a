"""manage.py restore FILE: replace DATABASE_URL's database with a backup (`make restore`)."""

from django.core.management.base import BaseCommand, CommandError

from milidip.backups.database import BackupError, database_settings, restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a file `manage.py backup` wrote, in one "
        "transaction. PostgreSQL: the database must exist (createdb). SQLite: the file is "
        "overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup file (backups/milidip-....dump or .sqlite3)")

    def handle(self, *args, file, **options):
        try:
            engine, database = database_settings()
            restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {engine} database {database['NAME']} from {file}.")
