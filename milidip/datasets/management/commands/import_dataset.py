"""Import a public dataset from seeds/datasets/ (the datasets are in milidip/datasets/importers/).

    python manage.py import_dataset cow-states                # import, or bring up to date
    python manage.py import_dataset cow-states --dry-run      # say what would change
    python manage.py import_dataset cow-states --file states=/tmp/states2016.csv
    python manage.py import_dataset all --benchmark           # time every import, keep nothing
    python manage.py import_dataset all --only-new            # what `make run` does

Bad rows are reported as "file:row: reason" (on stderr) and skipped; records curators changed
since the last import are left alone unless --overwrite. The command exits non-zero only when
it cannot run: an unknown dataset, a missing file, a header without the columns it needs.
"""

from contextlib import nullcontext
from io import StringIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction

from milidip.datasets.framework.reading import ImportFailure
from milidip.datasets.framework.run import ImportRun, refresh_planner_statistics
from milidip.datasets.importers import DATASETS
from milidip.datasets.importers.alliance_names import name_coded_alliances
from milidip.sources.models import Source

ALL = "all"


# After `all`, the coded alliance short names are made readable
# (milidip.datasets.importers.alliance_names; after a single dataset: `name_alliances`).


class Command(BaseCommand):
    help = (
        "Import a public dataset (with its sources and citations) from seeds/datasets/: "
        + ", ".join(DATASETS)
        + f", or {ALL} of them in order."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=[*DATASETS, ALL], help="The dataset to import.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do everything and report it, then roll back: nothing is written.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace what curators changed since the last import with the dataset's values.",
        )
        parser.add_argument(
            "--file",
            action="append",
            default=[],
            metavar="[INPUT=]PATH",
            help="Read this file instead of the one in seeds/datasets/. A bare PATH replaces "
            "the input with the same file name; INPUT=PATH names the input (for cow-states: "
            "codes or states). Repeat for several inputs.",
        )
        parser.add_argument(
            "--only-new",
            action="store_true",
            help="Skip the datasets imported before (all their Source records are stored): "
            "`make run` imports each dataset once, then leaves it to curators.",
        )
        parser.add_argument(
            "--benchmark",
            action="store_true",
            help="Time a first import and a second (idempotent) run, then roll both back. "
            "Run it on a database without the datasets to time a first import.",
        )

    def handle(
        self, *args, dataset, dry_run, overwrite, file, only_new, benchmark, verbosity, **options
    ):
        names = list(DATASETS) if dataset == ALL else [dataset]
        if only_new:
            names = self.not_yet_imported(names)
            if not names:
                self.stdout.write("Every dataset was imported before; nothing to do.")
                return
        if file and len(names) > 1:
            raise CommandError("--file replaces one dataset's file: name that dataset.")
        try:
            if benchmark:
                self.benchmark(names)
                return
            # A dry run of several datasets rolls back once, at the end, so that each one
            # sees what the ones before it would have written.
            with transaction.atomic() if dry_run else nullcontext():
                for name in names:
                    run = ImportRun(
                        DATASETS[name](),
                        files=self.files(DATASETS[name], file),
                        dry_run=dry_run,
                        overwrite=overwrite,
                        out=self.stdout,
                        err=self.stderr,
                        verbosity=verbosity,
                    )
                    run.execute(rollback=False)
                    for line in run.summary():
                        self.stdout.write(line)
                if dataset == ALL:
                    renamed = name_coded_alliances()
                    self.stdout.write(f"alliance names: {renamed} coded short names made readable")
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    refresh_planner_statistics()
        except ImportFailure as error:
            raise CommandError(f"{dataset}: {error}") from error

    @staticmethod
    def not_yet_imported(names):
        """The datasets among `names` with a Source record missing."""
        stored = set(Source.objects.values_list("slug", flat=True))
        return [
            name
            for name in names
            if not all(spec.slug in stored for spec in DATASETS[name].sources)
        ]

    def files(self, dataset, values):
        """Map each --file value to the input it replaces."""
        files = {}
        for value in values:
            name, separator, path = value.partition("=")
            if separator and name in dataset.inputs:
                files[name] = path
                continue
            matching = [
                name
                for name, spec in dataset.inputs.items()
                if spec.file == Path(value).name or len(dataset.inputs) == 1
            ]
            if not matching:
                inputs = ", ".join(f"{name} ({spec.file})" for name, spec in dataset.inputs.items())
                raise CommandError(
                    f"--file {value}: which input does it replace? Write INPUT=PATH; "
                    f"{dataset.name} reads {inputs}."
                )
            files[matching[0]] = value
        return files

    def benchmark(self, names):
        """Time each dataset's first import and a second run, all inside a rolled-back
        transaction, and print the times."""
        quiet = OutputWrapper(StringIO())
        timings = {}
        with transaction.atomic():
            for attempt in ("first", "second"):
                for name in names:
                    run = ImportRun(DATASETS[name](), out=quiet, err=quiet, verbosity=0)
                    report = run.execute()
                    written = report.total("created") + report.total("updated")
                    timings.setdefault(name, {})[attempt] = (run.elapsed, written)
            transaction.set_rollback(True)
        for name, runs in timings.items():
            (first, written), (second, rewritten) = runs["first"], runs["second"]
            self.stdout.write(
                f"{name}: first import {first:.2f} s ({written} records written), "
                f"second run {second:.2f} s ({rewritten} written)"
            )
        total = sum(runs["first"][0] for runs in timings.values())
        self.stdout.write(f"total: first imports {total:.2f} s (rolled back: nothing was kept)")
