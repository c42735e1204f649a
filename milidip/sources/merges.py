"""One record per real-world thing: merging two records into one, splitting one off again, and
finding where an old slug went.

- `record_merge(record=, into=, reason=, user=, run=)` moves everything that hangs off `record`
  onto `into` (its citations, its rows: memberships, participants, contributions, strengths,
  locations; the links other records hold to it: an iteration's series, a deployment's
  `part_of`, a challenge's alliances; its own many-to-many links: a mission's hosts), writes
  the history of both records with the reason, records a `MergedSlug` and deletes `record`;
  `into` is derived again from the claims of both (milidip.sources.claims). A curator's
  resolution of a field of `record` moves to `into` when `into` has none of that field (its
  history says so); where `into` has its own, that one stands and the other is deleted, its
  history saying why.
  A row that `into` already has (the same participant) is not doubled: the moved copy is
  deleted.
- `record_split(record=, slug=, name=, citations=, rows=, reason=, user=)` makes a new record
  from `record` (its fields copied, as a draft) and moves the chosen citations and rows to it.
  Splitting off a slug that was merged away undoes the merge: its MergedSlug is removed.
- `redirect_slug(model, slug, queryset=None)` is where a detail route (the API's, a page's)
  sends a slug it does not know: the record it was merged into (following merges of merges),
  or, for a model with `slug_aliases` ({"atop": "atop_id"}), the record whose id the slug
  names (`atop-3220` -> the alliance with atop_id 3220). None when neither applies.

Review: merging changes (and deletes) public records, so it is a reviewer's act. A user who may
not publish records of the model (a curator) may merge and split drafts only; for a published
or retracted record the service refuses (PermissionDenied) and the admin says to ask a
reviewer. Imports (the curated merges table) run without a user and merge directly.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from milidip.services import row_relations
from milidip.sources.claims import derive
from milidip.sources.models import MergedSlug, Resolution
from milidip.sources.review import needs_review

MAX_HOPS = 10
REASON_LENGTH = 100  # simple-history's change reason column


def model_label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def redirect_slug(model, slug, queryset=None):
    """The slug a request for `model`'s unknown `slug` should be sent to, or None.

    Follows MergedSlug (a merge of a record itself merged later leads to the last one), then
    the model's `slug_aliases`; the slug returned is one of `queryset` (default: every record
    of the model), so a reader is never sent to a record they may not read."""
    queryset = model.objects.all() if queryset is None else queryset
    label, target = model_label(model), slug
    for _ in range(MAX_HOPS):
        into = (
            MergedSlug.objects.filter(model=label, old_slug=target)
            .values_list("into", flat=True)
            .first()
        )
        if into is None:
            break
        target = into
    if target != slug and queryset.filter(slug=target).exists():
        return target
    for prefix, field in getattr(model, "slug_aliases", {}).items():
        match = re.fullmatch(rf"{re.escape(prefix)}-([1-9][0-9]{{0,8}})", slug)
        if match:
            found = (
                queryset.filter(**{field: int(match.group(1))})
                .order_by("pk")
                .values_list("slug", flat=True)
                .first()
            )
            if found is not None and found != slug:
                return found
    return None


def merged_into(model):
    """{old slug: the record it was merged into} for every merged record of `model` (empty
    for a model without slugs): what importers consult so as not to create them again."""
    if not any(field.name == "slug" for field in model._meta.concrete_fields):
        return {}
    merges = dict(
        MergedSlug.objects.filter(model=model_label(model)).values_list("old_slug", "into")
    )
    if not merges:
        return {}
    targets = model.objects.in_bulk(set(merges.values()), field_name="slug")
    return {old: targets[into] for old, into in merges.items() if into in targets}


def check_may_merge(user, *records):
    """Merging or splitting public records is a reviewer's act (see the module's docstring)."""
    for record in records:
        if needs_review(user, record):
            raise PermissionDenied(
                f"“{record}” is {record.status}: only reviewers of "
                f"{record._meta.verbose_name_plural} merge or split public records; ask one."
            )


def _save(instance, user, reason):
    instance._history_user = user
    instance._change_reason = reason[:REASON_LENGTH]
    instance.save()


def _duplicate(row):
    """Whether `row`, as it now stands, repeats a row already stored: by the row model's
    `merge_identity` fields where it names them (a membership: the same country from the same
    day, whatever its role), else by its unique constraints."""
    identity = getattr(type(row), "merge_identity", None)
    if identity:
        values = {name: getattr(row, type(row)._meta.get_field(name).attname) for name in identity}
        return type(row)._default_manager.filter(**values).exclude(pk=row.pk).exists()
    try:
        row.validate_unique()
        row.validate_constraints()
    except ValidationError:
        return True
    return False


def _move_rows(record, into, user, reason):
    """Move `record`'s rows and the references other records hold to it onto `into`."""
    moved = 0
    for relation in type(record)._meta.related_objects:
        if relation.many_to_many:
            continue
        field = relation.field
        if not (relation.one_to_many or relation.one_to_one):
            continue
        for row in relation.related_model._default_manager.filter(**{field.name: record}):
            if type(row) is type(into) and row.pk == into.pk:
                setattr(into, field.name, None)  # `into` pointed at `record` (its series)
                continue
            setattr(row, field.name, into)
            if _duplicate(row):
                row._history_user = user
                row._change_reason = reason[:REASON_LENGTH]
                row.delete()
                continue
            _save(row, user, reason)
            moved += 1
    return moved


def _move_links(record, into):
    """Join `record`'s many-to-many links (its own and those other records hold) to `into`."""
    model = type(record)
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if not through._meta.auto_created:
            continue  # through models (participants) are rows, moved with them
        getattr(into, field.name).add(*getattr(record, field.name).all())
    for relation in model._meta.related_objects:
        if not relation.many_to_many or not relation.through._meta.auto_created:
            continue
        for other in relation.related_model._default_manager.filter(
            **{relation.field.name: record}
        ):
            links = getattr(other, relation.field.name)
            links.add(into)
            links.remove(record)


def _move_resolutions(record, into, user, note):
    """Move the curators' resolutions of `record` to `into`, except a field `into` has resolved
    itself: its own stands, and the merged record's is deleted with the reason in its
    history."""
    content_type = ContentType.objects.get_for_model(type(record))
    resolutions = Resolution.objects.filter(content_type=content_type)
    resolved = set(resolutions.filter(object_id=into.pk).values_list("field", flat=True))
    for resolution in resolutions.filter(object_id=record.pk):
        resolution._history_user = user
        if resolution.field in resolved:
            resolution._change_reason = (
                f"dropped: {record.slug} merged into {into.slug}, which resolves "
                f"{resolution.field} itself"
            )[:REASON_LENGTH]
            resolution.delete()
            continue
        resolution.object_id, resolution.record_label = into.pk, str(into)[:300]
        resolution._change_reason = note[:REASON_LENGTH]
        resolution.save()


@transaction.atomic
def record_merge(*, record, into, reason, user=None, run=None):
    """Merge `record` into `into` (same model): everything moves to `into`, the history of
    both says so, `record` is deleted and its slug answers with a redirect. Returns the
    MergedSlug."""
    model = type(record)
    if type(into) is not model:
        raise ValidationError("A record merges only into a record of the same kind.")
    if record.pk == into.pk:
        raise ValidationError("A record cannot be merged into itself.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the two are one record."})
    if user is not None:
        check_may_merge(user, record, into)
    old_slug = record.slug
    note = f"merged {old_slug} into {into.slug}: {reason}"
    _move_rows(record, into, user, note)
    _move_links(record, into)
    _move_resolutions(record, into, user, note)
    MergedSlug.objects.filter(model=model_label(model), into=old_slug).update(into=into.slug)
    _save(into, user, note)
    record = model.objects.get(pk=record.pk)
    old_pk = record.pk
    record._history_user = user
    record._change_reason = note[:REASON_LENGTH]
    record.delete()
    # `into` now holds both records' claims; the merged record's open conflicts go with it.
    derive(model, [into.pk, old_pk], user=user, change_reason=note[:REASON_LENGTH])
    merged, _ = MergedSlug.objects.update_or_create(
        model=model_label(model),
        old_slug=old_slug,
        defaults={"into": into.slug, "reason": reason, "user": user, "run": run},
    )
    return merged


@transaction.atomic
def record_split(*, record, slug, name, reason, citations=(), rows=None, user=None):
    """Split a new record off `record`: a draft copy of its fields under `slug` and `name`,
    taking the citations (ids) and rows ({related name: ids}) given. Returns the new record."""
    model = type(record)
    if not reason.strip():
        raise ValidationError({"reason": "Say why they are two records."})
    if user is not None:
        check_may_merge(user, record)
    if model.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"{slug!r} is already another record's."})
    new = model.objects.get(pk=record.pk)
    new.pk = new.id = None
    new.slug, new.name, new.status, new.retraction_reason = slug, name, "draft", ""
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key and field.name != "slug":
            setattr(new, field.attname, field.get_default())
        if any(
            isinstance(constraint, models.UniqueConstraint) and constraint.fields == (field.name,)
            for constraint in model._meta.constraints
        ):
            setattr(new, field.attname, field.get_default())
    note = f"split {slug} off {record.slug}: {reason}"
    new.full_clean()
    _save(new, user, note)
    chosen = {"citations": list(citations), **(rows or {})}
    for relation in row_relations(model):
        ids = chosen.get(relation.get_accessor_name())
        if not ids:
            continue
        for row in relation.related_model._default_manager.filter(
            **{relation.field.name: record, "pk__in": ids}
        ):
            setattr(row, relation.field.name, new)
            _save(row, user, note)
    MergedSlug.objects.filter(model=model_label(model), old_slug=slug).delete()
    _save(model.objects.get(pk=record.pk), user, note)
    # Each of the two shows what its own citations now claim.
    derive(model, [record.pk, new.pk], user=user, change_reason=note[:REASON_LENGTH])
    return new
