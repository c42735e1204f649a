"""Reconciling the many-to-many links of a model's records (an exercise's domains, a
mission's hosts) with what a dataset says about them (`LinkSync`).

The importer owns the links of the records it created; on a record it did not create it only
fills a field whose links are empty. Links a curator changed since the import last wrote the
record are kept unless the run overwrites, by the same rule as fields (curated.py): the links
the importer last wrote are those of its last history entry before this run.

Link rows are counted under the link table's label (missions.Exercise_domains): created (rows
added), unchanged (rows kept) and skipped (the rows the dataset gives a record left as a
curator made it). A record whose links change gets a history entry of the run (a new one,
when the run did not otherwise write it), and every entry the run wrote for the model carries
the links the record then has, as simple-history's own save does: its bulk writes leave them
out, and the admin's revert reads them.
"""

from collections import defaultdict

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from milidip.datasets.framework.curated import curated_reason
from milidip.datasets.framework.history import (
    BATCH_SIZE,
    ImportHistory,
    chunks,
)
from milidip.records import UpdatedAtField, last_history_id, snapshot_m2m_history


class LinkSync:
    """Reconcile the many-to-many fields `targets` of `model`'s records.

    targets: for each many-to-many field, the field of its target that names a target (a
    country's or a domain's code): `put` takes the links by that name and reports show it.
    Make the LinkSync before the run writes the model's records (it notes where the run's
    history starts), call `put` for each record, then `flush` once.
    """

    def __init__(self, run, model, targets):
        self.run, self.model = run, model
        self.targets = dict(targets)
        self.since = last_history_id(model)
        self._records, self._given = {}, {}

    def put(self, record, links):
        """The links the dataset gives a stored record: {field name: target names}."""
        self._records[record.pk] = record
        self._given[record.pk] = {name: set(links.get(name, ())) for name in self.targets}

    def flush(self):
        """Add and remove link rows, with history, and note the links on the run's history
        entries of the model."""
        pks = list(self._records)
        ids, names = {}, {}
        for name, key in self.targets.items():
            target = self.model._meta.get_field(name).related_model
            ids[name] = dict(target.objects.values_list(key, "pk"))
            names[name] = {pk: code for code, pk in ids[name].items()}
        current = {name: self._current(name, pks) for name in self.targets}
        history = ImportHistory.of(self.run, self.model, pks, before=self.since)
        wanted, changed = {}, {}
        for pk, given in self._given.items():
            for name in self.targets:
                have = set(current[name].get(pk, {}))
                links = {ids[name][code] for code in given[name]}
                if pk not in history.created and have:
                    links = have
                wanted[name, pk] = links
                if links != have:
                    changed[pk] = True
        unchanged = [pk for pk in pks if pk not in changed]
        curated = self._curated(
            [pk for pk in changed if pk not in history.created_now], current, wanted, history
        )
        applied = []
        for pk in changed:
            record = self._records[pk]
            before = {name: self._named(names[name], current[name].get(pk, {})) for name in names}
            after = {name: self._named(names[name], wanted[name, pk]) for name in names}
            changes = {name: after[name] for name in self.targets if after[name] != before[name]}
            reason = curated.get(pk, "")
            if reason and not self.run.overwrite:
                self.run.skip(record, reason, changes, count=False)
                for name in self.targets:
                    through = self.model._meta.get_field(name).remote_field.through
                    outcome = "skipped" if name in changes else "unchanged"
                    self.run.report.count(through, outcome, len(wanted[name, pk]))
                continue
            if pk not in history.created_now:
                self.run.change(record, before, changes, curated=reason)
            applied.append(pk)
        for name in self.targets:
            self._write(name, current[name], wanted, [*unchanged, *applied])
        self._record_history(applied)
        self._records, self._given = {}, {}

    @staticmethod
    def _named(names, links):
        return sorted(names[pk] for pk in links)

    def _current(self, name, pks):
        """{record pk: {target pk: link row pk}} of the field `name`, for `pks`."""
        relation = self.model._meta.get_field(name)
        through = relation.remote_field.through
        source = f"{relation.m2m_field_name()}_id"
        target = f"{relation.m2m_reverse_field_name()}_id"
        links = defaultdict(dict)
        for chunk in chunks(pks):
            rows = through.objects.filter(**{f"{source}__in": chunk})
            for link, record, item in rows.values_list("pk", source, target):
                links[record][item] = link
        return links

    def _curated(self, pks, current, wanted, history):
        """Why each record's links count as a curator's, by pk (curated.py's rule)."""
        snapshots = {
            pk: history.last_import[pk].history_id for pk in pks if pk in history.last_import
        }
        written = defaultdict(set)
        for name in self.targets:
            relation = self.model._meta.get_field(name)
            target = f"{relation.m2m_reverse_field_name()}_id"
            rows = getattr(self.model.history.model, name).model.objects
            for chunk in chunks(snapshots.values()):
                for entry, item in rows.filter(history_id__in=chunk).values_list(
                    "history_id", target
                ):
                    written[name, entry].add(item)
        reasons = {}
        for pk in pks:
            have = {name: set(current[name].get(pk, {})) for name in self.targets}
            entry = snapshots.get(pk)
            edited = [name for name in self.targets if have[name] != written[name, entry]]
            reason = curated_reason(
                history.last_import.get(pk),
                history.last_user.get(pk),
                edited=edited,
                already_set=[
                    name for name in self.targets if have[name] and have[name] != wanted[name, pk]
                ],
            )
            if reason:
                reasons[pk] = reason
        return reasons

    def _write(self, name, current, wanted, pks):
        """Add and remove the link rows of the field `name` so that each record in `pks` has
        the links `wanted` gives it; count them."""
        relation = self.model._meta.get_field(name)
        through = relation.remote_field.through
        source = f"{relation.m2m_field_name()}_id"
        target = f"{relation.m2m_reverse_field_name()}_id"
        added, removed, kept = [], [], 0
        for pk in pks:
            have, links = current.get(pk, {}), wanted[name, pk]
            removed += [link for item, link in have.items() if item not in links]
            added += [through(**{source: pk, target: item}) for item in sorted(links - set(have))]
            kept += len(links & set(have))
        for chunk in chunks(removed):
            through.objects.filter(pk__in=chunk).delete()
        through.objects.bulk_create(added, batch_size=BATCH_SIZE)
        self.run.report.count(through, "created", len(added))
        self.run.report.count(through, "unchanged", kept)

    def _record_history(self, applied):
        """A history entry for each record whose links changed and that the run did not
        otherwise write, then the links on every entry the run wrote for the model."""
        touched = set(
            self.model.history.filter(history_id__gt=self.since).values_list(
                self.model._meta.pk.attname, flat=True
            )
        )
        stale = [self._records[pk] for pk in applied if pk not in touched]
        if stale:
            now = timezone.now()
            fields = [
                field.name
                for field in self.model._meta.concrete_fields
                if isinstance(field, UpdatedAtField)
            ]
            for record in stale:
                record._history_user = None
                for name in fields:
                    setattr(record, name, now)
            bulk_update_with_history(
                stale,
                self.model,
                fields,
                batch_size=BATCH_SIZE,
                default_change_reason=self.run.change_reason,
            )
        snapshot_m2m_history(self.model, self.since)
