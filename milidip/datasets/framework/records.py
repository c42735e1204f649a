"""Reconciling a model's stored records with what a dataset says about them (`RecordSync`),
and matching rows to stored countries (`CountryIndex`).

Idempotent: a record that already holds what the dataset says is left untouched, so a second
run writes nothing, not even history. A record a curator changed since the import last wrote
it is left alone unless the run overwrites (curated.py). Writes are validated first with the
model's own `full_clean`, the rules the admin and the API apply, then written in bulk with
history (history.py).

A record merged into another (MergedSlug, milidip.sources.merges) is not created again: `put`
for a new record whose slug was merged away returns the record it was merged into, unchanged,
and notes the row as merged, so a re-import keeps the merge (its links and citations go to
the record it was merged into).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from alliances.models import Country
from milidip.datasets.framework.curated import curated_reason
from milidip.datasets.framework.history import (
    BATCH_SIZE,
    ImportHistory,
    chunks,
    create_with_history,
)
from milidip.datasets.framework.reporting import reasons
from milidip.dates import EndKind
from milidip.records import UpdatedAtField
from milidip.sources.merges import merged_into


class CountryIndex:
    """Every stored Country by code and by COW code, for matching dataset rows to countries."""

    def __init__(self):
        countries = list(Country.objects.all())
        self.by_code = {country.code: country for country in countries}
        self.by_cow = {country.cow_code: country for country in countries if country.cow_code}


def blank(value):
    """Whether a field's value is empty: what a record the importer did not create may have
    filled."""
    return value is None or value == "" or value == [] or value == {}


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
        self._merged = merged_into(model)

    def put(self, values, *, instance=None, row=None):
        """The dataset's values for one record; `instance` is the stored record they describe,
        None for a new one. Returns the instance that stands for the record (saved on `flush`),
        or None when the values are not valid (reported as a bad row)."""
        if instance is None and values.get("slug") in self._merged:
            into = self._merged[values["slug"]]
            self.run.note_row(
                row if row is not None else values["slug"],
                "merged",
                f"{values['slug']} was merged into {into.slug}: the row goes to that record",
                model=self.model,
                quiet=True,
            )
            return into
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
            self.run.bad_row(row, reasons(error), model=self.model, record=instance)
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

    def _update(self):
        if not self._existing:
            return
        history = ImportHistory.of(self.run, self.model, self._existing)
        changed, names = [], set()
        for pk, (instance, values, row) in self._existing.items():
            owned = self.fields if pk in history.created else self.enrich_fields
            values = self._end_kind_follows_end(instance, values, owned)
            changes = {
                name: self._desired(name, value)
                for name, value in values.items()
                if name in owned
                and self._value(instance, name) != self._desired(name, value)
                and not self._generated(instance, name)
            }
            if not changes:
                self.run.report.count(self.model, "unchanged")
                continue
            reason = self._curated(instance, values, owned, changes, history)
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
        for batch in chunks(changed):
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

    @staticmethod
    def _end_kind_follows_end(instance, values, owned):
        """The dataset's values with its end kind as the record's end makes it: an end the
        record shows, where the import does not write it (an end derived from every source's
        claims, milidip.sources.claims), is `ended` whatever the dataset's kind for its own
        blank end (milidip.dates.derive_end_kind), so a re-run neither rewrites the kind nor
        takes it for a curator's edit."""
        if "end_kind" not in values or "end" in owned or not getattr(instance, "end", ""):
            return values
        return {**values, "end_kind": EndKind.ENDED, "coverage_end": ""}

    def _generated(self, instance, name):
        """Whether the field holds a value made from the record's other data after the import
        (an alliance's readable short name, flagged by `GENERATED_FIELDS` on the model): the
        import's own value for it (a code) does not replace it."""
        flag = getattr(self.model, "GENERATED_FIELDS", {}).get(name)
        return bool(flag and getattr(instance, flag))

    def _curated(self, instance, values, owned, changes, history):
        """Why the record counts as a curator's, or "" when the importer may write it."""
        snapshot = history.last_import.get(instance.pk)
        edited = already_set = ()
        if snapshot is None:
            already_set = [name for name in changes if not blank(self._value(instance, name))]
        else:
            edited = [
                name
                for name in owned
                if name in values
                and self._value(instance, name) != self._value(snapshot, name)
                and not self._generated(instance, name)
            ]
        return curated_reason(
            snapshot, history.last_user.get(instance.pk), edited=edited, already_set=already_set
        )

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
