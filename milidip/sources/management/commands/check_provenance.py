"""Report every record without a valid citation; exit non-zero if there is any."""

from django.core.management.base import BaseCommand, CommandError

from milidip.sources.provenance import provenance_problems


class Command(BaseCommand):
    help = (
        "Check that every record cites a source, that every quote is verbatim in its article "
        "and that every article file matches its checksum."
    )

    def handle(self, *args, **options):
        problems = list(provenance_problems())
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} provenance problem(s) found.")
        self.stdout.write(self.style.SUCCESS("Every record is cited, and every quote is verbatim."))
