"""The machinery every dataset import shares: reading, reconciling, writing with history, reporting.

A dataset (see `Dataset`) names its input files and its sources and implements `load(run)`. In
`load` it reads its rows with `run.rows(input)`, parses each into plain values (a `RowError`
says why a row cannot be used), matches them to stored records and hands them to a
`RecordSync` per model, then cites each record's rows through a `CitationSync`. An `ImportRun`
does the rest:

- Reading: files are read as bytes and split on any line ending (the COW country codes file
  ends its lines with CR alone), decoded line by line, then parsed with `csv`. Rows are
  numbered as a spreadsheet shows them, the header being row 1; a row's `locator` ("file:row")
  is what its citations carry.
- Bad rows (an unknown country, an impossible date, a wrong number of fields) are reported as
  "file:row: reason" and skipped; everything else imports.
- Idempotent: a record that already holds what the dataset says is left untouched, so a second
  run writes nothing, not even history.
- Curators come first: the importer signs its history entries with the change reason
  "import <dataset>". A record changed since the importer last wrote it (a history entry with
  a user after the importer's last one, or a field that differs from what the importer wrote)
  is not overwritten unless the run is told to overwrite; the run says what it skipped. A
  record the importer did not create (a curated fixture) only has the `enrich_fields` filled
  where they are blank; its other fields are never touched.
- Writes are bulk and history-aware (bulk_create_with_history, bulk_update_with_history) and
  validated first with the model's own `full_clean`, the rules the admin and the API apply.
- Dry run: the whole run happens in a transaction that is rolled back.
- Visible: a progress bar on a terminal, plain lines otherwise, and a summary per model
  (created, updated, unchanged, skipped) at the end.

`ImportFailure` is the one error that stops a run (a missing file, an unreadable header); it is
raised before anything is written.
"""

import csv
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from alliances.models import Country
from milidip.dates import parse_partial_date
from milidip.records import Status, UpdatedAtField
from milidip.sources.models import Source, file_checksum

DATASETS_DIR = "datasets"
BATCH_SIZE = 500
MISSING_VALUES = frozenset({"", "-9", "-99", "NA", "."})
OUTCOMES = ("created", "updated", "unchanged", "skipped")


class ImportFailure(Exception):
    """The import cannot run at all: a file is missing or its header cannot be read."""


class RowError(ValueError):
    """A row the importer cannot use; the message says why, for the person fixing the file."""


@dataclass(frozen=True)
class Input:
    """One CSV file a dataset reads: its name in seeds/datasets/ and the columns it needs.

    Column names are matched case-insensitively (the COW files disagree on case). Lines that
    are not valid in `encoding` are read in `fallback_encoding` when one is given, otherwise
    their row is reported as bad.
    """

    file: str
    columns: tuple[str, ...]
    encoding: str = "utf-8"
    fallback_encoding: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """The Source record of a dataset file, as seeds/datasets/SOURCES.md describes it."""

    slug: str
    title: str
    file: str
    collection: str
    citation_text: str
    licence: str
    author: str = ""
    publisher: str = ""
    published: str = ""
    url: str = ""
    description: str = ""

    def values(self):
        """The Source's fields: the dataset file's path relative to seeds/ and its checksum."""
        path = f"{DATASETS_DIR}/{self.file}"
        return {
            "slug": self.slug,
            "kind": Source.Kind.DATASET,
            "collection": self.collection,
            "title": self.title,
            "author": self.author,
            "publisher": self.publisher,
            "published": self.published,
            "url": self.url,
            "citation_text": self.citation_text,
            "licence": self.licence,
            "file": path,
            "checksum": file_checksum(settings.SEEDS_DIR / path),
            "description": self.description,
        }


@dataclass(frozen=True)
class Row:
    """One data row: its values by lower-case column name and where it is in its file."""

    file: str
    name: str
    number: int
    values: dict[str, str]
    problem: str = ""

    def __getitem__(self, column):
        return self.values[column].strip()

    @property
    def locator(self):
        """The file's base name and the row, as citations give them: states2016.csv:209."""
        return f"{self.name}:{self.number}"

    @property
    def where(self):
        """The file as the run was given it and the row, as reports give them."""
        return f"{self.file}:{self.number}"


class Dataset:
    """A dataset import: subclasses set the attributes and implement `load`."""

    name = ""
    inputs: dict[str, Input] = {}
    sources: tuple[SourceSpec, ...] = ()

    def load(self, run):
        raise NotImplementedError


def parse_int(value, *, what):
    """A whole number from a cell, or RowError naming `what`."""
    try:
        return int(value.strip())
    except ValueError:
        raise RowError(f"{what} {value.strip()!r} is not a whole number") from None


def partial_date(year, month="", day="", *, what, missing=MISSING_VALUES):
    """A partial date from year, month and day cells, at the precision the cells give.

    A missing year (blank or a missing-value code such as -9) gives "" (unknown); a missing
    month gives the year alone; a missing day gives the year and month. An impossible date
    (month 13, 30 February) is a RowError naming `what`.
    """
    year, month, day = (part.strip() for part in (year, month, day))
    if year in missing:
        return ""
    parts = [year]
    if month not in missing:
        parts.append(month)
        if day not in missing:
            parts.append(day)
    if not all(part.isdigit() for part in parts):
        raise RowError(f"{what} date {'-'.join(parts)!r} is not made of numbers")
    value = "-".join([f"{int(parts[0]):04d}", *(f"{int(part):02d}" for part in parts[1:])])
    try:
        parse_partial_date(value)
    except ValidationError as error:
        raise RowError(f"impossible {what} date: {error.messages[0]}") from None
    return value


class CountryIndex:
    """Every stored Country by code and by COW code, for matching dataset rows to countries."""

    def __init__(self):
        countries = list(Country.objects.all())
        self.by_code = {country.code: country for country in countries}
        self.by_cow = {country.cow_code: country for country in countries if country.cow_code}


def read_csv(path, spec, *, shown):
    """Read a whole CSV file: (rows, header). Rows that cannot be parsed carry a `problem`.

    Raises ImportFailure when the file is missing or unreadable, or its header lacks a
    required column.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"{shown}: no such file") from None
    except OSError as error:
        raise ImportFailure(f"{shown}: cannot read it ({error.strerror})") from None
    lines, undecodable = [], set()
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        text, ok = _decode(raw, spec)
        lines.append(text)
        if not ok:
            undecodable.add(number)
    if lines:
        lines[0] = lines[0].removeprefix("\ufeff")
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header or 1 in undecodable:
        raise ImportFailure(f"{shown}: no readable header row")
    header = [name.strip().lower() for name in header]
    missing = [column for column in spec.columns if column not in header]
    if missing:
        raise ImportFailure(
            f"{shown}: the header lacks {', '.join(missing)} (it has {', '.join(header)})"
        )
    rows, number, line = [], 1, reader.line_num
    for record in reader:
        number += 1
        first_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        problem = ""
        if undecodable.intersection(range(first_line, line + 1)):
            problem = f"bytes that are not {spec.encoding}"
        elif len(record) != len(header):
            problem = f"{len(record)} fields where the header has {len(header)}"
        values = dict(zip(header, record, strict=False))
        rows.append(Row(shown, path.name, number, values, problem))
    return rows, header


def _decode(raw, spec):
    for encoding in filter(None, (spec.encoding, spec.fallback_encoding)):
        try:
            return raw.decode(encoding), True
        except UnicodeDecodeError:
            continue
    return raw.decode(spec.encoding, errors="replace"), False


class Progress:
    """A progress bar on a terminal; elsewhere one plain line when the work starts."""

    WIDTH = 30

    def __init__(self, out, label, total, *, quiet=False):
        self.out, self.label, self.total = out, label, total
        self.tty = out.isatty() and not quiet
        self.done = 0
        self._shown = -1
        self._mid_line = False
        if not quiet and not self.tty:
            out.write(f"{label} ({total})")

    def advance(self, count=1):
        self.done += count
        if not self.tty:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        if filled != self._shown or self.done == self.total:
            self._shown = filled
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.out.write(f"\r{self.label} [{bar}] {self.done}/{self.total}", ending="")
            self.out.flush()
            self._mid_line = True

    def interrupt(self):
        """End the bar's line so that a message can be written; the bar goes on below it."""
        if self._mid_line:
            self.out.write("")
            self._mid_line = False
            self._shown = -1

    def finish(self):
        if self.tty:
            self.interrupt()


@dataclass
class Report:
    """What a run did: outcomes per model, bad rows, skipped records and changes."""

    counts: dict[str, Counter] = field(default_factory=dict)
    bad_rows: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def count(self, model, outcome, number=1):
        self.counts.setdefault(model._meta.label, Counter())[outcome] += number

    def total(self, outcome):
        return sum(counter[outcome] for counter in self.counts.values())


def _reasons(error):
    """A ValidationError's messages on one line, each after its field's name."""
    return "; ".join(
        " ".join(messages) if name == "__all__" else f"{name}: {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    )


def _label(instance):
    return f"{instance._meta.label} {instance}"


def _blank(value):
    return value is None or value == "" or value == [] or value == {}


def _chunks(items, size=BATCH_SIZE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def create_with_history(run, model, instances):
    """Insert new records in batches, each with its first history entry, and count them."""
    if not instances:
        return
    for instance in instances:
        instance._history_user = None
    progress = run.progress(f"creating {model._meta.label}", len(instances))
    for batch in _chunks(instances):
        bulk_create_with_history(
            batch, model, batch_size=BATCH_SIZE, default_change_reason=run.change_reason
        )
        progress.advance(len(batch))
    progress.finish()
    run.report.count(model, "created", len(instances))


class RecordSync:
    """Reconcile one model's stored records with what a dataset says about them.

    fields: the fields the importer owns on the records it creates (and updates on later runs).
    enrich_fields: the fields it fills, where blank, on records it did not create; default
    none, so a curated record is never changed. create_defaults: values a new record starts
    with that the importer never updates afterwards (its publication status, say).
    Call `put` for each record, then `flush` once to write them.
    """

    def __init__(self, run, model, *, fields, enrich_fields=(), create_defaults=None):
        self.run, self.model = run, model
        self.fields = tuple(fields)
        self.enrich_fields = tuple(enrich_fields)
        self.create_defaults = dict(create_defaults or {})
        self._new = []
        self._existing = {}
        self._related = [f.name for f in model._meta.concrete_fields if f.is_relation]

    def put(self, values, *, instance=None, row=None):
        """The dataset's values for one record; `instance` is the stored record they describe,
        None for a new one. Returns the instance that stands for the record (saved on `flush`),
        or None when the values are not valid (reported as a bad row)."""
        if instance is None:
            instance = self.model(**{**self.create_defaults, **values})
            if not self._valid(instance, row):
                return None
            self._new.append(instance)
            return instance
        self._existing[instance.pk] = (instance, values, row)
        return instance

    def flush(self):
        """Create the new records and update the changed ones, with history."""
        self._create()
        self._update()
        self._new, self._existing = [], {}

    def _valid(self, instance, row):
        try:
            instance.full_clean(
                exclude=self._related, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self.run.bad_row(row, _reasons(error), model=self.model, record=instance)
            return False
        return True

    def _value(self, instance, name):
        return getattr(instance, self.model._meta.get_field(name).attname)

    def _desired(self, name, value):
        if self.model._meta.get_field(name).is_relation and isinstance(value, models.Model):
            return value.pk
        return value

    def _create(self):
        create_with_history(self.run, self.model, self._new)

    def _history(self, pks):
        """For each pk: the importer's last history entry, the last entry with a user, and
        whether the importer created the record."""
        history = self.model.history
        pk_name = self.model._meta.pk.attname
        last_import, last_user, created = {}, {}, set()
        for chunk in _chunks(pks):
            entries = history.filter(
                **{f"{pk_name}__in": chunk}, history_change_reason=self.run.change_reason
            ).order_by("history_id")
            for entry in entries:
                last_import[getattr(entry, pk_name)] = entry
                if entry.history_type == "+":
                    created.add(getattr(entry, pk_name))
            by_users = (
                history.filter(**{f"{pk_name}__in": chunk}, history_user__isnull=False)
                .select_related("history_user")
                .order_by("history_id")
            )
            for entry in by_users:
                last_user[getattr(entry, pk_name)] = entry
        return last_import, last_user, created

    def _update(self):
        if not self._existing:
            return
        last_import, last_user, created = self._history(self._existing)
        changed, names = [], set()
        for pk, (instance, values, row) in self._existing.items():
            owned = self.fields if pk in created else self.enrich_fields
            changes = {
                name: self._desired(name, value)
                for name, value in values.items()
                if name in owned and self._value(instance, name) != self._desired(name, value)
            }
            if not changes:
                self.run.report.count(self.model, "unchanged")
                continue
            reason = self._curated(instance, values, owned, changes, last_import, last_user)
            if reason and not self.run.overwrite:
                self.run.skip(instance, reason, changes)
                continue
            if not self._apply(instance, changes, row, reason):
                continue
            changed.append(instance)
            names.update(self.model._meta.get_field(name).name for name in changes)
        if not changed:
            return
        now = timezone.now()
        for instance in changed:
            instance._history_user = None
            for model_field in self.model._meta.concrete_fields:
                if isinstance(model_field, UpdatedAtField):
                    setattr(instance, model_field.attname, now)
                    names.add(model_field.name)
        progress = self.run.progress(f"updating {self.model._meta.label}", len(changed))
        for batch in _chunks(changed):
            bulk_update_with_history(
                batch,
                self.model,
                sorted(names),
                batch_size=BATCH_SIZE,
                default_change_reason=self.run.change_reason,
            )
            progress.advance(len(batch))
        progress.finish()
        self.run.report.count(self.model, "updated", len(changed))

    def _curated(self, instance, values, owned, changes, last_import, last_user):
        """Why the record counts as a curator's, or "" when the importer may write it."""
        snapshot = last_import.get(instance.pk)
        if snapshot is None:
            # Never imported: only blank fields may be filled.
            kept = [name for name in changes if not _blank(self._value(instance, name))]
            return f"it already has {', '.join(kept)} set" if kept else ""
        edited = [
            name
            for name in owned
            if name in values and self._value(instance, name) != self._value(snapshot, name)
        ]
        entry = last_user.get(instance.pk)
        if entry is not None and entry.history_id < snapshot.history_id:
            entry = None
        if not edited and entry is None:
            return ""
        what = f"{', '.join(edited)} changed" if edited else "changed"
        if entry is not None:
            when = timezone.localtime(entry.history_date).strftime("%Y-%m-%d %H:%M")
            what += f" by {entry.history_user} on {when}"
        return f"{what} since the last import"

    def _apply(self, instance, changes, row, curated):
        """Set `changes` on the instance and validate it. What the model's clean() derives
        from them (a mission given an end has ended) joins `changes`, so it is written too."""
        concrete = self.model._meta.concrete_fields
        before = {field.name: getattr(instance, field.attname) for field in concrete}
        for name, value in changes.items():
            setattr(instance, self.model._meta.get_field(name).attname, value)
        if not self._valid(instance, row):
            for field in concrete:
                setattr(instance, field.attname, before[field.name])
            return False
        for field in concrete:
            if field.name not in changes and getattr(instance, field.attname) != before[field.name]:
                changes[field.name] = getattr(instance, field.attname)
        before = {name: before[name] for name in changes}
        self.run.change(instance, before, changes, curated=curated)
        return True


class CitationSync:
    """Cite records to the rows they come from: one citation per (record, source, row).

    Citations are only ever added: one that is already there is unchanged.
    """

    def __init__(self, run, model, sources):
        self.run, self.model = run, model
        self._seen = set(
            model.objects.filter(source__in=sources, quote="").values_list(
                "record_id", "source_id", "locator"
            )
        )
        self._new = []

    def cite(self, record, source, row, *, note=""):
        key = (record.pk, source.pk, row.locator)
        if key in self._seen:
            self.run.report.count(self.model, "unchanged")
            return
        self._seen.add(key)
        citation = self.model(record=record, source=source, locator=row.locator, note=note)
        try:
            citation.full_clean(
                exclude=["record", "source"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self.run.bad_row(row, _reasons(error), model=self.model)
            return
        self._new.append(citation)

    def flush(self):
        create_with_history(self.run, self.model, self._new)
        self._new = []


class ImportRun:
    """One run of one dataset: the files it reads, its options, its report and its output."""

    def __init__(
        self, dataset, *, files=None, dry_run=False, overwrite=False, out, err, verbosity=1
    ):
        self.dataset = dataset
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
        started = time.perf_counter()
        for name, spec in self.dataset.inputs.items():
            path = self.paths[name]
            self._rows[name], _ = read_csv(path, spec, shown=self.shown(path))
        for spec in self.dataset.sources:
            try:
                self._source_values[spec.slug] = spec.values()
            except OSError as error:
                raise ImportFailure(f"seeds/{DATASETS_DIR}/{spec.file}: {error.strerror}") from None
        if rollback is None:
            rollback = self.dry_run
        with transaction.atomic():
            self.dataset.load(self)
            if rollback:
                transaction.set_rollback(True)
        self.elapsed = time.perf_counter() - started
        return self.report

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
        where = row.where if row is not None else _label(record)
        message = f"{where}: {reason}"
        self.report.bad_rows.append(message)
        self._write(self.err, message)
        if model is not None:
            self.report.count(model, "skipped")

    def skip(self, instance, reason, changes):
        """Report a record left as a curator made it."""
        wanted = ", ".join(f"{name} {value!r}" for name, value in changes.items())
        message = (
            f"skipped {_label(instance)}: {reason}; the dataset says {wanted} "
            "(--overwrite replaces it)"
        )
        self.report.skipped.append(message)
        self.report.count(type(instance), "skipped")
        self._write(self.out, message)

    def change(self, instance, before, after, *, curated=""):
        """Note an update: shown on a dry run, at verbosity 2, and always when it replaces a
        curator's edit (`curated` says why the record counted as theirs)."""
        fields = ", ".join(f"{name} {before[name]!r} -> {after[name]!r}" for name in after)
        verb = "would overwrite" if curated else "would update"
        if not self.dry_run:
            verb = "overwrote" if curated else "updated"
        message = f"{verb} {_label(instance)}: {fields}"
        if curated:
            message += f" ({curated})"
        self.report.changes.append(message)
        if self.dry_run or curated or self.verbosity >= 2:
            self._write(self.out, message)

    def records(self, model, **options):
        return RecordSync(self, model, **options)

    def citations(self, model, sources):
        return CitationSync(self, model, sources)

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
        verb = "would be" if self.dry_run else "were"
        lines = [
            f"{self.dataset.name}: done in {self.elapsed:.2f} s"
            + (" (dry run: nothing was written)" if self.dry_run else "")
        ]
        width = max((len(label) for label in self.report.counts), default=0)
        for label, counter in self.report.counts.items():
            counts = ", ".join(f"{counter[outcome]} {outcome}" for outcome in OUTCOMES)
            lines.append(f"  {label:<{width}}  {counts}")
        if self.report.bad_rows:
            lines.append(f"  {len(self.report.bad_rows)} bad rows {verb} skipped (listed above)")
        if self.report.skipped:
            lines.append(
                f"  {len(self.report.skipped)} records changed by curators {verb} left alone "
                "(listed above; --overwrite replaces them)"
            )
        return lines


def refresh_planner_statistics():
    """Bring the query planner's statistics up to date after an import: PostgreSQL's
    autovacuum may take long to notice tens of thousands of new rows, and until it does the
    planner takes the tables for nearly empty (measured: 150 ms instead of 10 for a search of
    the exercises)."""
    tables = [
        model._meta.db_table
        for app in ("alliances", "missions", "sources")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def last_history_id(model):
    """The id of the newest history entry of `model` (0 when it has none): pass it to
    `snapshot_m2m_history` once the run's writes to the model are done."""
    return model.history.aggregate(last=models.Max("history_id"))["last"] or 0


def snapshot_m2m_history(model, since):
    """Record the many-to-many fields a model's history tracks (simple_history's m2m_fields,
    such as Mission.hosts) on its history entries written after the entry `since`.

    bulk_create_with_history and bulk_update_with_history write the entry without them, so the
    entry would show the record with no hosts; this copies the current relations onto each such
    entry, as a save does. Entries that already have them are left alone.
    """
    history = model.history.model
    fields = getattr(history, "_history_m2m_fields", ())
    pk_name = model._meta.pk.attname
    entries = dict(history.objects.filter(history_id__gt=since).values_list("history_id", pk_name))
    if not fields or not entries:
        return
    for m2m_field in fields:
        snapshot = getattr(history, m2m_field.name).model
        through = m2m_field.remote_field.through
        source = m2m_field.m2m_field_name()
        target = m2m_field.m2m_reverse_field_name()
        done = set()
        for chunk in _chunks(entries):
            done.update(
                snapshot.objects.filter(history_id__in=chunk).values_list("history_id", flat=True)
            )
        wanted = [entry for entry in entries if entry not in done]
        related = {}
        for chunk in _chunks({entries[entry] for entry in wanted}):
            for pk, record, other in through.objects.filter(
                **{f"{source}_id__in": chunk}
            ).values_list("pk", f"{source}_id", f"{target}_id"):
                related.setdefault(record, []).append((pk, other))
        rows = [
            snapshot(history_id=entry, id=pk, **{f"{source}_id": record, f"{target}_id": other})
            for entry in wanted
            for record in (entries[entry],)
            for pk, other in related.get(record, ())
        ]
        snapshot.objects.bulk_create(rows, batch_size=BATCH_SIZE)
