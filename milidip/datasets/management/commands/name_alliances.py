"""Give the alliances COW and ATOP name by a code ("ATOP 4125") a readable generated short name.

`import_dataset all` does this after the imports; run it after importing cow-alliances or atop
alone. See milidip.datasets.importers.alliance_names.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from milidip.datasets.importers.alliance_names import name_coded_alliances


class Command(BaseCommand):
    help = "Give coded alliance short names (ATOP 4125, COW 344) a readable generated form."

    def handle(self, *args, **options):
        with transaction.atomic():
            renamed = name_coded_alliances()
        self.stdout.write(f"alliance names: {renamed} coded short names made readable")
