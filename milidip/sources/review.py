"""Review: what the public reads changes only when a reviewer says so.

A published (or retracted) record is public. A change to it by a user who may not publish that
kind of record (a curator) is not written: it is made and validated exactly as a direct save
would be (the admin's form and inlines, the API's input, a CSV row all go through their usual
path), the record as it would then be is captured, the write is rolled back, and the captured
state is kept as a pending `Revision`. A reviewer approves it (it is written through
`record_save`, in the record's history, naming both people) or rejects it with a reason.

Doors that write use `ReviewGate`:

    gate = ReviewGate(record=record, user=request.user)
    with gate:
        ...write the record, its links and rows as usual...
    if gate.revision:   # the change waits for review; nothing public changed
        ...

Reviewers (and scripts and imports, which run without a user) write directly; so does anyone
changing a draft. A revision remembers the record's version (milidip.services.version_token) it
was made against.
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from milidip.records import Status, publish_permission, stored_status
from milidip.services import record_save, row_relations, version_token
from milidip.sources.models import Revision

PUBLIC = (Status.PUBLISHED, Status.RETRACTED)


def may_publish(user, model):
    return user is not None and user.has_perm(publish_permission(model))


def needs_review(user, record):
    """Whether a change by `user` to the stored `record` must wait for a reviewer."""
    if user is None or record.pk is None:
        return False
    return stored_status(record) in PUBLIC and not may_publish(user, type(record))


def owned_rows(model):
    """The row lists that belong to a record of `model` and go with it (memberships,
    participants, contributions, strengths, locations, citations): deleted with it."""
    return [
        relation
        for relation in row_relations(model)
        if relation.on_delete is models.CASCADE and not hasattr(relation.related_model, "status")
    ]


def _values(instance, exclude=()):
    return {
        field.attname: field.value_from_object(instance)
        for field in type(instance)._meta.concrete_fields
        if field.editable and not field.primary_key and field.attname not in exclude
    }


def record_state(record):
    """The record as stored: its editable fields, its links and its rows, as JSON-ready data."""
    model = type(record)
    state = {
        "fields": _values(record),
        "links": {
            field.name: sorted(getattr(record, field.name).values_list("pk", flat=True))
            for field in model._meta.many_to_many
        },
        "rows": {},
    }
    for relation in owned_rows(model):
        manager = getattr(record, relation.get_accessor_name())
        state["rows"][relation.get_accessor_name()] = [
            _values(row, exclude={relation.field.attname}) for row in manager.order_by("pk")
        ]
    # Round-trip through JSON so that stored and freshly captured states compare alike.
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder))


def state_changes(before, after):
    """The names of the fields, links and row lists that differ between two states."""
    changed = []
    for part in ("fields", "links", "rows"):
        for name in sorted(set(before[part]) | set(after[part])):
            if before[part].get(name) != after[part].get(name):
                changed.append(name)
    return changed


class ReviewGate:
    """Around a write: when the change needs review, keep it as a pending Revision and undo it.

    Use it as a context manager, or call `open()` before the write and `close()` after it when
    the write is spread over several hooks (the admin's save_model and save_related).
    """

    def __init__(self, *, record, user):
        self.record, self.user = record, user
        self.revision = None
        self.active = False

    def open(self):
        self.active = needs_review(self.user, self.record)
        if self.active:
            model = type(self.record)
            stored = model.objects.get(pk=self.record.pk)
            self.label = str(stored)[:300]
            self.base_version = version_token(stored)
            self.before = record_state(stored)
            self.savepoint = transaction.savepoint()
        return self

    def close(self):
        """Capture the record as written, undo the write and keep it as a Revision (none when
        the write changed nothing)."""
        if not self.active:
            return None
        model = type(self.record)
        after = record_state(model.objects.get(pk=self.record.pk))
        transaction.savepoint_rollback(self.savepoint)
        self.active = False
        changed = state_changes(self.before, after)
        if changed:
            self.revision = Revision.objects.create(
                content_type=ContentType.objects.get_for_model(model),
                object_id=self.record.pk,
                record_label=self.label,
                proposed_by=self.user,
                base_version=self.base_version,
                proposed_state=after,
                changed=changed,
            )
        return self.revision

    def abandon(self):
        if self.active:
            transaction.savepoint_rollback(self.savepoint)
            self.active = False

    def __enter__(self):
        return self.open()

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            self.abandon()
            return False
        self.close()
        return False


def revision_record(revision):
    model = revision.content_type.model_class()
    return model.objects.filter(pk=revision.object_id).first()


def check_may_decide(user, revision):
    model = revision.content_type.model_class()
    if not may_publish(user, model):
        raise PermissionDenied(
            f"Only reviewers of {model._meta.verbose_name_plural} approve or reject their "
            "revisions."
        )
    if revision.state != Revision.State.PENDING:
        raise ValidationError(f"Revision {revision.pk} was already {revision.state}.")


@transaction.atomic
def revision_approve(*, revision, user, note=""):
    """Write a pending revision to its record, in the record's history. Refused when the record
    changed after the revision was proposed (so no one's later change is overwritten unseen)."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    check_may_decide(user, revision)
    model = revision.content_type.model_class()
    record = model.objects.select_for_update().filter(pk=revision.object_id).first()
    if record is None:
        raise ValidationError(f"The record of revision {revision.pk} no longer exists.")
    if version_token(record) != revision.base_version:
        raise ValidationError(
            f"“{record}” changed after revision {revision.pk} was proposed; approving it would "
            "undo that change. Reject it and ask for the change again on the current version."
        )
    state = revision.proposed_state
    current = record_state(record)
    changed = set(state_changes(current, state))
    rows = {name: items for name, items in state["rows"].items() if name in changed}
    citations = rows.pop("citations", None)
    record._change_reason = (
        f"Revision {revision.pk} by {revision.proposed_by}, approved by {user}"
        + (f": {note}" if note else "")
    )[:100]
    record_save(
        record=record,
        fields=state["fields"],
        links={name: ids for name, ids in state["links"].items() if name in changed},
        rows=rows,
        citations=citations,
        user=user,
    )
    revision.state = Revision.State.APPROVED
    revision.decided_by, revision.decided_at, revision.decision_note = user, timezone.now(), note
    revision.save()
    return record


@transaction.atomic
def revision_reject(*, revision, user, note=""):
    """Close a pending revision without changing its record."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    check_may_decide(user, revision)
    revision.state = Revision.State.REJECTED
    revision.decided_by, revision.decided_at, revision.decision_note = user, timezone.now(), note
    revision.save()
    return revision


def pending_revisions(record):
    """The record's revisions still waiting for a reviewer, newest first."""
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        state=Revision.State.PENDING,
    )
