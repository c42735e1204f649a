"""Writing records: one service for every record type, so every writer obeys the same rules.

`record_save` sets a record's fields, its many-to-many links, its rows (memberships,
participants, contributions, locations) and its citations, validating each with the model's own
`full_clean` (the checks the admin runs: verbatim quotes, dates, codes, constraints) inside one
transaction. Any failure raises ValidationError with the path of the field at fault
(`citations[0].quote`) and leaves the database as it was.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import get_m2m_reverse_field_name

from milidip.records import Status, check_status_change, publish_permission


def _prefixed(error, prefix):
    if hasattr(error, "error_dict"):
        return ValidationError(
            {f"{prefix}.{field}": messages for field, messages in error.message_dict.items()}
        )
    return ValidationError({prefix: error.messages})


def _replace_rows(record, related_name, items, user):
    manager = getattr(record, related_name)
    for row in manager.all():
        row._history_user = user
        row.delete()
    parent_field = manager.field.name
    for index, item in enumerate(items):
        row = manager.model(**{parent_field: record}, **item)
        row._history_user = user
        try:
            row.full_clean()
        except ValidationError as error:
            raise _prefixed(error, f"{related_name}[{index}]") from error
        row.save()


def version_token(record):
    """The record's version: the id of its newest history entry (None before it has one).

    The one version every door compares: the admin's form (opened at a version, saved only
    over the same one), review (a revision is approved only over the version it was made
    against) and the API's ETag (`If-Match`)."""
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first()


CITE_AT_LEAST_ONE = "Cite at least one source."


def check_cited(*, creating, citations):
    """Nothing enters milidip without a source: refuse an empty list of citations, and a new
    record given none (`citations` None means "left as they are" for an existing record)."""
    if (citations is not None and not citations) or (creating and citations is None):
        raise ValidationError({"citations": [CITE_AT_LEAST_ONE]})


def uncited(*, creating, citations):
    """check_cited's messages for these citations ([] when the rule holds), for doors that
    report it in their own way (the API's fields, a CSV row's columns)."""
    try:
        check_cited(creating=creating, citations=citations)
    except ValidationError as error:
        return error.message_dict["citations"]
    return []


@transaction.atomic
def record_save(*, record, fields, links=None, rows=None, citations=None, user=None):
    """Create or update `record` and what hangs off it; returns the saved record.

    fields: model field values to set. links: {m2m name: [objects]} to set in full.
    rows: {related name: [field dicts]}, each list replacing the record's rows.
    citations: [field dicts] replacing the record's citations; a record needs at least one.
    user: who is writing. Recorded in the history; a status change into or out of published
    or retracted needs their publish permission (PermissionDenied otherwise).
    """
    check_cited(creating=record.pk is None, citations=citations)
    for name, value in fields.items():
        setattr(record, name, value)
    if user is not None:
        check_status_change(user, record)
    record._history_user = user
    record.full_clean()
    record.save()
    for name, objects in (links or {}).items():
        getattr(record, name).set(objects)
    for related_name, items in (rows or {}).items():
        _replace_rows(record, related_name, items, user)
    if citations is not None:
        _replace_rows(record, "citations", citations, user)
    _after_save(record, fields, user)
    return record


# Functions run at the end of every record_save, inside its transaction: (record, fields, user).
# milidip.sources registers the derivation of claimed fields (milidip.sources.claims) here, so
# every door that saves through this service derives them without this layer knowing claims.
AFTER_SAVE = []


def run_after_save(function):
    """Register `function(record, fields, user)` to run at the end of every record_save."""
    if function not in AFTER_SAVE:
        AFTER_SAVE.append(function)
    return function


def _after_save(record, fields, user):
    for function in AFTER_SAVE:
        function(record, fields, user)


@transaction.atomic
def record_publish(*, record, user):
    """Publish `record` (a reviewer's act): validated like any save, in its history.
    Returns 1 when it was published, 0 when it already was."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.status == Status.PUBLISHED:
        return 0
    record_save(record=record, fields={"status": Status.PUBLISHED}, user=user)
    return 1


def check_delete(user, record):
    """A public record leaves the public only by a reviewer: deleting a published or retracted
    record needs the publish permission (curators retract through review instead)."""
    if record.status == Status.DRAFT or user is None:
        return
    if not user.has_perm(publish_permission(type(record))):
        raise PermissionDenied(
            f"Only reviewers may delete a {record.status} {record._meta.verbose_name}; "
            "ask a reviewer to retract it."
        )


def row_relations(model):
    """The one-to-many relations of `model` whose rows keep history (memberships, citations)."""
    return [
        relation
        for relation in model._meta.related_objects
        if relation.one_to_many and hasattr(relation.related_model, "history")
    ]


RECOVERY_WINDOW = timedelta(seconds=30)


def deleted_records(model):
    """The last history entry of each deleted `model` record, newest deletion first."""
    return (
        model.history.filter(history_type="-")
        .exclude(**{f"{model._meta.pk.attname}__in": model.objects.values("pk")})
        .order_by("-history_date")
    )


@transaction.atomic
def record_recover(*, model, pk, user=None):
    """Bring a deleted record back as it was: its fields, many-to-many links, and the rows and
    citations deleted along with it (those whose deletion is in the same moment).

    A record that was public comes back as a draft unless `user` may publish it, so that a
    reviewer's deletion is undone only through review.

    Raises model.DoesNotExist when there is no deleted record with that pk.
    """
    if model.objects.filter(pk=pk).exists():
        raise model.DoesNotExist(f"{model._meta.verbose_name} {pk} is not deleted.")
    deletion = model.history.filter(id=pk, history_type="-").latest("history_date")
    last_state = model.history.filter(id=pk).exclude(history_type="-").latest("history_date")
    record = deletion.instance
    if user is not None and not user.has_perm(publish_permission(model)):
        record.status = Status.DRAFT
    record._history_user = user
    record.save(force_insert=True)
    for field in last_state._history_m2m_fields:
        target = get_m2m_reverse_field_name(field)
        ids = [getattr(row, f"{target}_id") for row in getattr(last_state, field.name).all()]
        getattr(record, field.name).set(ids)
    for relation in row_relations(model):
        gone = relation.related_model.history.filter(
            **{relation.field.attname: pk},
            history_type="-",
            history_date__gte=deletion.history_date - RECOVERY_WINDOW,
            history_date__lte=deletion.history_date + RECOVERY_WINDOW,
        )
        for entry in gone:
            row = entry.instance
            row._history_user = user
            row.save(force_insert=True)
    return record


@transaction.atomic
def record_rows_revert(*, record, when, user=None):
    """Put the record's rows (memberships, participants, contributions, locations, citations)
    back as they were at `when`, from their history. Rows with no history at all (loaded
    before history was kept) are left as they are."""
    for relation in row_relations(type(record)):
        rows_model, parent = relation.related_model, relation.field.attname
        history = rows_model.history.filter(**{parent: record.pk}).order_by(
            "-history_date", "-history_id"
        )
        tracked = set(history.values_list("id", flat=True))
        as_then = {}
        for entry in history.filter(history_date__lte=when):
            as_then.setdefault(entry.id, entry)
        # A row whose history begins after `when` was created then ("+"), or existed from
        # before history was kept: unchanged until its deletion ("-", whose entry holds its
        # state), or changed in a way we cannot undo ("~": left as it is).
        first_after = {}
        for entry in history.filter(history_date__gt=when).order_by("history_date", "history_id"):
            first_after.setdefault(entry.id, entry)
        for pk, entry in first_after.items():
            if pk in as_then:
                continue
            if entry.history_type == "-":
                as_then[pk] = entry
            elif entry.history_type == "~":
                tracked.discard(pk)
        wanted = {
            pk: entry
            for pk, entry in as_then.items()
            if entry.history_type != "-" or entry.history_date > when
        }
        for row in rows_model.objects.filter(**{parent: record.pk}, pk__in=tracked):
            if row.pk not in wanted:
                row._history_user = user
                row.delete()
        for entry in wanted.values():
            row = entry.instance
            restored = {
                f.attname: getattr(row, f.attname) for f in rows_model._meta.concrete_fields
            }
            if rows_model.objects.filter(pk=row.pk).values().first() != restored:
                row._history_user = user
                row.save()
