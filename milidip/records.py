"""What every public record in milidip has: timestamps and a publication status.

`Record` is the abstract base of Country, Alliance, Treaty, Exercise, Mission, Challenge and
Source. `SlugRecord` adds the slug that is the record's stable public identifier and natural key.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from milidip.dates import check_date_order


class UpdatedAtField(models.DateTimeField):
    """Like auto_now, but with a default, so records loaded from fixtures get a time too.

    Django skips pre_save for fixture (raw) saves, and auto_now fields take no default; this
    field has both: the default on creation, and the current time on every ordinary save.
    """

    def pre_save(self, model_instance, add):
        value = timezone.now()
        setattr(model_instance, self.attname, value)
        return value


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class RecordQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


def publish_permission(model):
    """The permission that lets a user publish and retract records of `model` (reviewers)."""
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def stored_status(record):
    """The status `record` has in the database (None when it is not saved yet)."""
    if record.pk is None:
        return None
    return type(record).objects.filter(pk=record.pk).values_list("status", flat=True).first()


def check_status_change(user, record):
    """Only reviewers publish or retract: refuse any other user's change of `record` (as it is
    in memory) into or out of published or retracted, against its stored status (a new record
    counts as coming from draft)."""
    previous_status = stored_status(record) or Status.DRAFT
    if record.status == previous_status:
        return
    if {record.status, previous_status} <= {Status.DRAFT}:
        return
    if not user.has_perm(publish_permission(type(record))):
        raise PermissionDenied(
            f"Only reviewers may change a {record._meta.verbose_name}'s status from "
            f"{previous_status} to {record.status}; save it as a draft and ask for review."
        )


def can_see_drafts(user, model):
    """Whether `user` may read drafts and retracted records of `model` (its view permission)."""
    return user is not None and user.has_perm(
        f"{model._meta.app_label}.view_{model._meta.model_name}"
    )


def visible_to(user, queryset):
    """The records of `queryset` the user may read: anonymous readers see published ones only."""
    if can_see_drafts(user, queryset.model):
        return queryset
    return queryset.published()


def visible_through(user, relation, model):
    """A filter keeping the rows whose `relation` (a foreign key to `model`) is a record the
    user may read: the related record's status, read through the join. The same rows as
    `{relation}__in=visible_to(user, model.objects.all())`, whose subquery cost Django and
    PostgreSQL more to compile and plan than the join it becomes (a country's exercises: the
    rows 1.4 -> 0.8 ms of CPU, their count 1.1 -> 0.6)."""
    if can_see_drafts(user, model):
        return Q()
    return Q(**{f"{relation}__status": Status.PUBLISHED})


# A record page's URL around its code or slug, per URL conf, script prefix and URL name: reversed
# once, as `record_url` builds every page's link from it.
_URL_AROUND_KEY = {}
_KEY_MARKER = "record-key-marker"


def record_url(name, key):
    """reverse(name, args=[key]) for a record page (a path whose one argument is the code or
    slug, `<str:key>`), without reversing each time: a page links hundreds of records, and
    reverse() cost more of its time than its SQL did. The same string reverse() gives (the key
    quoted as reverse quotes it); a key reverse() would refuse (empty, or with a "/") goes to
    reverse(), to be refused there."""
    key = str(key)
    if not key or "/" in key:
        return reverse(name, args=[key])
    around = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    parts = _URL_AROUND_KEY.get(around)
    if parts is None:
        head, marker, tail = reverse(name, args=[_KEY_MARKER]).partition(_KEY_MARKER)
        parts = _URL_AROUND_KEY[around] = (head, tail, bool(marker))
    head, tail, keyed = parts
    if not keyed:  # a pattern that does not put the key in the path as it is
        return reverse(name, args=[key])
    return head + quote(key, safe=RFC3986_SUBDELIMS + "/~:@") + tail


def route_url(name):
    """reverse(name) for a URL that takes no argument (a list page), reversed once per URL conf
    and script prefix, as record_url's patterns are: every page links each list in its header."""
    around = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    url = _ROUTE_URLS.get(around)
    if url is None:
        url = _ROUTE_URLS[around] = reverse(name)
    return url


_ROUTE_URLS = {}


def disputed_field():
    """A claimed record's `disputed`: the fields whose sources disagree, unresolved."""
    return models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The fields whose sources disagree and no curator has resolved "
        "(set by milidip.sources.claims.derive).",
    )


class Record(models.Model):
    status = models.CharField(
        "publication status",
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Draft records are seen by curators only; published ones by everyone. "
        "Retract a published record instead of deleting it, and say why.",
    )
    retraction_reason = models.TextField(
        blank=True,
        help_text="Required when the status is retracted: why the record was withdrawn.",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = UpdatedAtField(default=timezone.now, editable=False, db_index=True)

    objects = RecordQuerySet.as_manager()

    # (later, earlier) pairs of partial-date fields that must be in order; see check_date_order.
    date_order = (("end", "start"),)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        check_date_order(self, [pair for pair in self.date_order if hasattr(self, pair[0])])

    @classmethod
    def status_constraints(cls, prefix):
        """Named check constraints every concrete record carries (call from Meta.constraints)."""
        return [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name=f"{prefix}_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RETRACTED) | ~Q(retraction_reason=""),
                name=f"{prefix}_retraction_has_reason",
            ),
        ]


class SlugRecordManager(models.Manager.from_queryset(RecordQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugRecord(Record):
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The record's permanent public identifier, used in URLs and fixtures: "
        "lower-case words joined by hyphens. Do not change it once published.",
    )

    objects = SlugRecordManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


def field_list(fields, *, without=(), shown_as=None, add=()):
    """The field names one door shows of a record, derived from its model's field list.

    `fields` is the list declared beside the model (e.g. COUNTRY_FIELDS); `without` leaves out
    names this door does not show; `shown_as` maps a name to a run of `fields` that this door
    shows as that one name (an alliance's obligations as one nested object), placed where the
    run's first name stood; `add` goes at the end. A name in `without` or `shown_as` that
    `fields` does not hold is an error, so a renamed field cannot leave a stale door behind.
    """
    runs = shown_as or {}
    stale = ({*without} | {name for run in runs.values() for name in run}) - {*fields}
    if stale:
        raise ValueError(f"not in the field list: {', '.join(sorted(stale))}")
    replaced = {name: shown for shown, run in runs.items() for name in run}
    result = []
    for name in fields:
        if name in without:
            continue
        name = replaced.get(name, name)
        if name not in result:
            result.append(name)
    return [*result, *add]


HISTORY_BATCH = 500


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), HISTORY_BATCH):
        yield items[start : start + HISTORY_BATCH]


def last_history_id(model):
    """The id of the newest history entry of `model` (0 when it has none): what a run wrote
    comes after it."""
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
        snapshot.objects.bulk_create(rows, batch_size=HISTORY_BATCH)
