"""History-aware writing and reading the importer's history.

Every write of a run is bulk and history-aware (bulk_create_with_history,
bulk_update_with_history), signed with the run's change reason "import <dataset>", so that a
later run can tell what the importer wrote from what curators did (`ImportHistory`).
"""

from dataclasses import dataclass, field

from simple_history.utils import bulk_create_with_history

BATCH_SIZE = 500


def chunks(items, size=BATCH_SIZE):
    """`items` in lists of at most `size`, for batched queries and writes."""
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
    for batch in chunks(instances):
        bulk_create_with_history(
            batch, model, batch_size=BATCH_SIZE, default_change_reason=run.change_reason
        )
        progress.advance(len(batch))
    progress.finish()
    run.report.count(model, "created", len(instances))


def created_by(run, model, pks=None):
    """The pks of the records of `model` (among `pks`, when given) this dataset's import
    created."""
    creations = model.history.filter(history_type="+", history_change_reason=run.change_reason)
    if pks is None:
        return set(creations.values_list("id", flat=True))
    created = set()
    for chunk in chunks(pks):
        created.update(creations.filter(id__in=chunk).values_list("id", flat=True))
    return created


@dataclass
class ImportHistory:
    """What the history of some records says about the importer and the curators.

    last_import: by pk, the importer's newest entry (up to the entry `before` when given:
    the entries this run wrote do not count). last_user: by pk, the newest entry with a user.
    created: the pks of the records the importer created; created_now: those it created after
    the entry `before`, in this run.
    """

    last_import: dict = field(default_factory=dict)
    last_user: dict = field(default_factory=dict)
    created: set = field(default_factory=set)
    created_now: set = field(default_factory=set)

    @classmethod
    def of(cls, run, model, pks, *, before=None):
        history, found = model.history, cls()
        pk_name = model._meta.pk.attname
        for chunk in chunks(pks):
            entries = history.filter(
                **{f"{pk_name}__in": chunk}, history_change_reason=run.change_reason
            ).order_by("history_id")
            for entry in entries:
                pk = getattr(entry, pk_name)
                if before is None or entry.history_id <= before:
                    found.last_import[pk] = entry
                if entry.history_type == "+":
                    found.created.add(pk)
                    if before is not None and entry.history_id > before:
                        found.created_now.add(pk)
            by_users = (
                history.filter(**{f"{pk_name}__in": chunk}, history_user__isnull=False)
                .select_related("history_user")
                .order_by("history_id")
            )
            for entry in by_users:
                found.last_user[getattr(entry, pk_name)] = entry
        return found
