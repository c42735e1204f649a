"""One run of one dataset import (`ImportRun`): it reads every input, then lets the dataset's
`load` reconcile the rows with the stored records inside one transaction, and reports.

In `load` a dataset reads its rows with `run.rows(input)`, parses each into plain values (a
`RowError` says why a row cannot be used), matches them to stored records and hands them to
`run.records(model)` (RecordSync) and `run.links(model, ...)` (LinkSync), then cites each
record's rows through `run.citations(model, sources)` (CitationSync).

- Bad rows (an unknown country, an impossible date, a wrong number of fields) are reported as
  "file:row: reason" and skipped; everything else imports.
- Dry run: the whole run happens in a transaction that is rolled back.
- Kept: each run is stored as an ImportRun (milidip.sources.models) with its files'
  checksums, its times, its counts, and a row (ImportRunRow) for every row it skipped, merged
  or corrected with the reason (`bad_row`, `note_row`, and the records left to curators).
- Visible: a progress bar on a terminal, plain lines otherwise, and a summary per model
  (created, updated, unchanged, skipped) at the end.
"""

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from milidip.datasets.framework.citations import CitationSync
from milidip.datasets.framework.description import DATASETS_DIR
from milidip.datasets.framework.links import LinkSync
from milidip.datasets.framework.reading import ImportFailure, read_csv
from milidip.datasets.framework.records import RecordSync
from milidip.datasets.framework.reporting import Progress, Report, label
from milidip.records import Status
from milidip.sources.claims import derive
from milidip.sources.models import ImportRun as StoredRun
from milidip.sources.models import ImportRunRow, MergedSlug, Source, file_checksum
from milidip.versions import data_changed


class ImportRun:
    """One run of one dataset: the files it reads, its options, its report and its output."""

    def __init__(
        self,
        dataset,
        *,
        files=None,
        dry_run=False,
        overwrite=False,
        out,
        err,
        verbosity=1,
        user=None,
    ):
        self.dataset = dataset
        self.user = user
        self.stored = None
        self.merged_slugs = []  # MergedSlug ids the run made: they name the stored run
        self.dry_run, self.overwrite = dry_run, overwrite
        self.out, self.err, self.verbosity = out, err, verbosity
        self.change_reason = f"import {dataset.name}"
        self.report = Report()
        self.paths = {
            name: Path(files[name]) if files and name in files else self.default_path(spec)
            for name, spec in dataset.inputs.items()
        }
        self._rows = {}
        self._source_values = {}
        self._progress = None
        self.elapsed = 0.0

    @staticmethod
    def default_path(spec):
        return settings.SEEDS_DIR / DATASETS_DIR / spec.file

    def shown(self, path):
        """A path as reports show it: relative to the project when it is inside it."""
        try:
            return str(path.resolve().relative_to(settings.BASE_DIR))
        except ValueError:
            return str(path)

    def execute(self, *, rollback=None):
        """Read every input, then import inside one transaction, rolled back on a dry run
        (`rollback=False` leaves that to the caller's transaction: several dry runs in a row
        then see each other's records)."""
        started, started_at = time.perf_counter(), timezone.now()
        files = []
        for name, spec in self.dataset.inputs.items():
            path = self.paths[name]
            self._rows[name], _ = read_csv(path, spec, shown=self.shown(path))
            files.append({"input": name, "file": self.shown(path), "sha256": file_checksum(path)})
        for spec in self.dataset.sources:
            try:
                self._source_values[spec.slug] = spec.values()
            except OSError as error:
                raise ImportFailure(f"seeds/{DATASETS_DIR}/{spec.file}: {error.strerror}") from None
        if rollback is None:
            rollback = self.dry_run
        with transaction.atomic():
            self.dataset.load(self)
            # Its bulk writes send no signals: the data version moves when this commits.
            data_changed()
            self.stored = self.keep(files, started_at)
            if rollback:
                transaction.set_rollback(True)
        self.elapsed = time.perf_counter() - started
        return self.report

    def keep(self, files, started_at):
        """Store the run and the rows it noted (rolled back with it on a dry run)."""
        stored = StoredRun.objects.create(
            dataset=self.dataset.name,
            files=files,
            started=started_at,
            finished=max(timezone.now(), started_at),
            user=self.user,
            overwrite=self.overwrite,
            counts={label: dict(counter) for label, counter in self.report.counts.items()},
        )
        stored.sources.set(Source.objects.filter(slug__in=[s.slug for s in self.dataset.sources]))
        ImportRunRow.objects.bulk_create(
            [
                ImportRunRow(
                    run=stored,
                    model=note.model,
                    locator=note.locator,
                    outcome=note.outcome,
                    reason=note.reason,
                )
                for note in self.report.rows
            ],
            batch_size=1000,
        )
        MergedSlug.objects.filter(pk__in=self.merged_slugs).update(run=stored)
        return stored

    def progress(self, label, total):
        self._progress = Progress(
            self.out, f"{self.dataset.name}: {label}", total, quiet=self.verbosity < 1
        )
        return self._progress

    def _write(self, stream, message):
        if self._progress is not None:
            self._progress.interrupt()
        stream.write(message)

    def rows(self, name, *, model=None):
        """The usable rows of an input, with progress; unparseable ones are reported (and
        counted as skipped for `model`, the model its rows become)."""
        rows = self._rows[name]
        progress = self.progress(f"reading {self.shown(self.paths[name])}", len(rows))
        for row in rows:
            progress.advance()
            if row.problem:
                self.bad_row(row, row.problem, model=model)
                continue
            yield row
        progress.finish()

    def bad_row(self, row, reason, *, model=None, record=None):
        """Report a row (or a record with no row) that is skipped, and count it for `model`."""
        where = row.where if row is not None else label(record)
        message = f"{where}: {reason}"
        self.report.bad_rows.append(message)
        self.report.note(model, where, "skipped", reason)
        self._write(self.err, message)
        if model is not None:
            self.report.count(model, "skipped")

    def note_row(self, row, outcome, reason, *, model=None, quiet=False):
        """Note a row that is merged with another, corrected or passed over (outcome merged,
        corrected or skipped): kept with the run, and said on stderr unless `quiet` (a row
        the dataset's codebook says to pass over, such as MME's -9 participants)."""
        where = row.where if hasattr(row, "where") else str(row)
        self.report.note(model, where, outcome, reason)
        if not quiet:
            self._write(self.err, f"{where}: {reason}")

    def skip(self, instance, reason, changes, *, count=True):
        """Report a record left as a curator made it and count it as skipped (unless `count`
        is False: LinkSync counts the links it leaves instead)."""
        wanted = ", ".join(f"{name} {value!r}" for name, value in changes.items())
        message = (
            f"skipped {label(instance)}: {reason}; the dataset says {wanted} "
            "(--overwrite replaces it)"
        )
        self.report.skipped.append(message)
        self.report.note(type(instance), label(instance), "skipped", message)
        if count:
            self.report.count(type(instance), "skipped")
        self._write(self.out, message)

    def change(self, instance, before, after, *, curated=""):
        """Note an update: shown on a dry run, at verbosity 2, and always when it replaces a
        curator's edit (`curated` says why the record counted as theirs)."""
        fields = ", ".join(f"{name} {before[name]!r} -> {after[name]!r}" for name in after)
        verb = "would overwrite" if curated else "would update"
        if not self.dry_run:
            verb = "overwrote" if curated else "updated"
        message = f"{verb} {label(instance)}: {fields}"
        if curated:
            message += f" ({curated})"
        self.report.changes.append(message)
        if self.dry_run or curated or self.verbosity >= 2:
            self._write(self.out, message)

    def records(self, model, **options):
        return RecordSync(self, model, **options)

    def links(self, model, targets):
        return LinkSync(self, model, targets)

    def citations(self, model, sources):
        return CitationSync(self, model, sources)

    def derive(self, model, pks):
        """Re-derive the shown values of the records `pks` from their claims (after the run's
        citations are written): the one rule every door applies (milidip.sources.claims)."""
        for instance, before, after in derive(model, pks, change_reason=self.change_reason):
            self.change(instance, before, after)
            self.report.derived[instance._meta.label] += 1

    def sync_sources(self):
        """Create or update the dataset's Source records; returns them by slug."""
        fields = [name for name in next(iter(self._source_values.values()), {}) if name != "slug"]
        sync = self.records(
            Source,
            fields=fields,
            enrich_fields=fields,
            create_defaults={"status": Status.PUBLISHED},
        )
        stored = Source.objects.in_bulk(list(self._source_values), field_name="slug")
        sources = {}
        for slug, values in self._source_values.items():
            sources[slug] = sync.put(values, instance=stored.get(slug))
        sync.flush()
        return sources

    def summary(self):
        """The lines that end a run's output."""
        return self.report.summary(self.dataset.name, self.elapsed, dry_run=self.dry_run)


def refresh_planner_statistics():
    """Bring the query planner's statistics up to date after an import: PostgreSQL's
    autovacuum may take long to notice tens of thousands of new rows, and until it does the
    planner takes the tables for nearly empty (measured: 150 ms instead of 10 for a search of
    the exercises).

    Outside a transaction, PostgreSQL's tables are also vacuumed: the visibility map it marks
    lets a filter read an index alone (a country's exercises from `participant_by_country`),
    where fresh rows sent every lookup to the table. A US list's page 30 took 2.9 ms of the
    database's time after an import, 2.0 ms once vacuumed (EXPLAIN ANALYZE, full data)."""
    tables = [
        model._meta.db_table
        for app in ("alliances", "missions", "sources")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} " + ", ".join(map(connection.ops.quote_name, tables)))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
