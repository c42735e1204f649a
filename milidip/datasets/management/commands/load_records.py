"""Load the curated records in fixtures/ into an empty database, once.

`make run` calls this on every start. The first run loads every fixture (in file-name order)
and records each record's first version in its history. Later runs see the articles' sources
already there and load nothing, so a curator's edits are never overwritten by the fixtures.
`--force` loads them again over what is stored.
"""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from milidip.sources.claims import derive_all
from milidip.sources.models import Source


def fixture_files():
    """The curated fixtures, in the order they must load."""
    return sorted((settings.BASE_DIR / "fixtures").glob("*.json"))


class Command(BaseCommand):
    help = "Load the curated records from fixtures/ unless they have been loaded already."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the fixtures even if records are there: overwrites curated edits.",
        )

    def handle(self, *args, force=False, **options):
        if not force and Source.objects.filter(kind=Source.Kind.ARTICLE).exists():
            self.stdout.write("Records already loaded; leaving them as curated.")
            return
        files = fixture_files()
        with transaction.atomic():
            call_command("loaddata", *files, verbosity=options["verbosity"])
            # Fixtures load without history; give every record its first version.
            call_command("populate_history", auto=True, stdout=StringIO(), stderr=StringIO())
            # The shown values and open conflicts follow the quotes' claims.
            derive_all()
        self.stdout.write(f"Loaded the curated records from {len(files)} fixture files.")
