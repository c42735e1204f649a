"""Serializer fields shared by every resource."""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from milidip.dates import earliest_day, latest_day, validate_partial_date
from milidip.records import Status, can_see_drafts

PARTIAL_DATE_PATTERN = r"^\d{3,4}(-\d{2}(-\d{2})?)?$"
# The most items any list in a written record may hold (parties, memberships, participants,
# contributions, locations, citations, domains ...): more than any real record has (the UN has
# 193 members), few enough that checking them all takes about a second at most (500 parties:
# 0.4-1.0 s on SQLite and PostgreSQL here, against 5.4 s for 5,000). A longer list is a
# 400 naming the field and the limit, before any item is looked up. The schema states it as
# maxItems.
MAX_INPUT_ITEMS = 500


def too_many_items(field_name, given, limit=MAX_INPUT_ITEMS):
    return f"At most {limit} items in {field_name}; {given} given."


class CountedFirst:
    """Mixed into a many=True field: a list over `max_length` items is refused before any item
    is looked at; the error names the field and the limit."""

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_length:
            raise serializers.ValidationError(
                too_many_items(self.field_name, len(data), self.max_length), code="max_length"
            )
        return super().to_internal_value(data)


class BoundedManyRelatedField(CountedFirst, serializers.ManyRelatedField):
    """A list of related records (many=True) of at most `max_length` items, counted first."""

    def __init__(self, *args, max_length=MAX_INPUT_ITEMS, **kwargs):
        self.max_length = max_length
        super().__init__(*args, **kwargs)


class BoundedListSerializer(CountedFirst, serializers.ListSerializer):
    """Rows (many=True nested serializers) of at most `max_length` items, counted first."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_INPUT_ITEMS)
        super().__init__(*args, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": PARTIAL_DATE_PATTERN,
        "description": "ISO 8601 at its own precision: YYY (decade), YYYY, YYYY-MM or "
        "YYYY-MM-DD; null when unknown.",
        "example": "1953-10-01",
    }
)
class PartialDateField(serializers.CharField):
    """A partial date: "1953", "1980-01", "2011-07-08", "199" (the 1990s); null when unknown."""

    def __init__(self, **kwargs):
        # Written as "" or null for none; read back as null, never "".
        kwargs.setdefault("allow_blank", not kwargs.get("read_only", False))
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.validators.append(validate_partial_date)

    def to_representation(self, value):
        return value or None

    def to_internal_value(self, data):
        if data is None:
            return ""
        return super().to_internal_value(data)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


END_NOTE = (
    " A null `end` says nothing by itself: `end_kind` tells whether the record ended at a date "
    "not known, was still in force when its source's coverage ends (`censored`: see "
    "`coverage_end` and its own bounds) or is not known to have ended."
)


class DayBoundField(serializers.Field):
    """One bound of a partial date (milidip.dates.earliest_day or latest_day), read from the
    same column as the date; added beside each date by `DateBoundsMixin`."""

    day = None  # milidip.dates.earliest_day or latest_day
    words = ""  # what the bound is, with examples, for the schema

    def __init__(self, *, of, note="", **kwargs):
        kwargs.update(read_only=True, allow_null=True)
        kwargs.setdefault(
            "help_text",
            f"The {self.words.format(of=of)}; null when `{of}` is null." + note,
        )
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.day(value)


@extend_schema_field({"type": "string", "format": "date", "example": "1990-01-01"})
class EarliestDayField(DayBoundField):
    """`195` -> 1950-01-01, `1953` -> 1953-01-01, `1953-10` -> 1953-10-01, a day -> itself."""

    day = staticmethod(earliest_day)
    words = (
        "first day `{of}` can mean, as a full ISO 8601 date: `199` (the 1990s) -> 1990-01-01, "
        "`1953` -> 1953-01-01, `1953-10` -> 1953-10-01, a day -> itself"
    )


@extend_schema_field({"type": "string", "format": "date", "example": "1999-12-31"})
class LatestDayField(DayBoundField):
    """`195` -> 1959-12-31, `1953` -> 1953-12-31, `2000-02` -> 2000-02-29, a day -> itself."""

    day = staticmethod(latest_day)
    words = (
        "last day `{of}` can mean, as a full ISO 8601 date: `199` (the 1990s) -> 1999-12-31, "
        "`1953` -> 1953-12-31, `2000-02` -> 2000-02-29, `1900-02` -> 1900-02-28, a day -> itself"
    )


class DateBoundsMixin:
    """For output serializers: each partial date is followed by its earliest and latest day.

    `start` gets `start_earliest` and `start_latest`, read from the same column, so lists,
    details, the dossier and the downloads (CSV columns included) all show them, and the read
    plans (milidip.api.reading) compile them like any other field. An `end` beside an
    `end_kind` says where a null end's meaning is.
    """

    def get_fields(self):
        fields = {}
        declared = super().get_fields()
        for name, field in declared.items():
            fields[name] = field
            if isinstance(field, PartialDateField):
                source = field.source or name
                note = END_NOTE if name == "end" and "end_kind" in declared else ""
                fields[f"{name}_earliest"] = EarliestDayField(source=source, of=name, note=note)
                fields[f"{name}_latest"] = LatestDayField(source=source, of=name, note=note)
        return fields


def is_lookup_safe(value):
    """True when a string can be sent to the database as a lookup value (no NUL, no surrogate)."""
    return "\x00" not in value and not any(0xD800 <= ord(char) <= 0xDFFF for char in value)


class RecordRef(serializers.SlugRelatedField):
    """A related record named by its code or slug; an unknown one is a 400 naming it."""

    default_error_messages = {
        "does_not_exist": "No record with {slug_name} {value}.",
        "invalid": "Give the {slug_name} as text of at most 100 characters.",
    }

    @classmethod
    def many_init(cls, *args, max_length=MAX_INPUT_ITEMS, **kwargs):
        # As RelatedField.many_init, with a bounded list.
        list_kwargs = {"child_relation": cls(*args, **kwargs), "max_length": max_length}
        list_kwargs.update({key: kwargs[key] for key in kwargs if key in MANY_RELATION_KWARGS})
        return BoundedManyRelatedField(**list_kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 100 or not is_lookup_safe(data):
            self.fail("invalid", slug_name=self.slug_field)
        return super().to_internal_value(data)


class VisibleListSerializer(serializers.ListSerializer):
    """Embedded lists leave out what the reader may not see (drafts, for anonymous readers).

    Filters the already-prefetched items in Python: no extra query.
    """

    def to_representation(self, data):
        items = data.all() if isinstance(data, models.manager.BaseManager) else data
        return [self.child.to_representation(item) for item in items if self.child.is_visible(item)]


class VisibleRefMixin:
    """For serializers of embedded records and rows: what points at a draft is hidden.

    `visibility_path` names the attribute holding the record whose status counts (a membership's
    country); None means the item itself. A single hidden reference shows as null; a hidden item
    in a list is left out (set `Meta.list_serializer_class = VisibleListSerializer`).
    """

    visibility_path = None

    def is_visible(self, item):
        record = getattr(item, self.visibility_path) if self.visibility_path else item
        if record is None or record.status == Status.PUBLISHED:
            return True
        request = self.context.get("request")
        return can_see_drafts(getattr(request, "user", None), type(record))

    def to_representation(self, instance):
        if not self.is_visible(instance):
            return None
        return super().to_representation(instance)


def coverage_end_output():
    """A censored end's `coverage_end` as read: a partial date (null when there is none)."""
    return PartialDateField(
        read_only=True,
        help_text="For a censored end (`end_kind` censored): when the coverage of the source "
        "that says it was still in force ends (COW alliances 2012, ATOP 2016); null otherwise.",
    )


def date_input():
    """A partial date as a write takes it: optional, "" or null for none."""
    return PartialDateField(required=False)


@extend_schema_field({"type": "string", "format": "uri", "readOnly": True})
class PageUrlField(serializers.Field):
    """The absolute URL of the record's public page (its model's get_absolute_url)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "The record's page for people (HTML).")
        super().__init__(**kwargs)

    def to_representation(self, record):
        path = record.get_absolute_url()
        # Downloads read as an anonymous caller (request None) and give their own for the host.
        request = self.context.get("request") or self.context.get("page_request")
        return request.build_absolute_uri(path) if request is not None else path
