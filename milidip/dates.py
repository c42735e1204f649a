"""Partial dates: a date kept at the precision its source gives, never more.

A partial date is an ISO 8601 string at its own precision, stored as text:

    "195"         a decade (the 1950s), ISO 8601-2's three-digit decade
    "1953"        a year
    "1953-10"     a month
    "1953-10-01"  a day
    ""            unknown

Because the parts are zero-padded, text order is time order, and a date is "not before" another
when it is not smaller than the other cut to its own length (see `not_before_q`). Use
`PartialDateField` on models, `year_range_q` for year filters and `earliest_day`/`latest_day`
for the days a date spans (what the API shows beside each date, so that no client has to parse
a decade); nothing else in milidip parses dates.
"""

import calendar
import datetime
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Left, Length

PARTIAL_DATE_RE = re.compile(r"^(?P<year>\d{3,4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")

DECADE, YEAR, MONTH, DAY = "decade", "year", "month", "day"
PRECISIONS = (DECADE, YEAR, MONTH, DAY)


def parse_partial_date(value):
    """Check a partial date and return its precision; raise ValidationError naming the fault."""
    match = PARTIAL_DATE_RE.match(value)
    if not match:
        raise ValidationError(
            "%(value)r is not a partial date: write YYYY, YYYY-MM or YYYY-MM-DD "
            "(or YYY for a decade, e.g. 199 for the 1990s).",
            code="invalid_partial_date",
            params={"value": value},
        )
    year, month, day = match.group("year", "month", "day")
    if len(year) == 3:
        if month:
            raise ValidationError(
                "%(value)r: a decade (three digits) cannot have a month.",
                code="invalid_partial_date",
                params={"value": value},
            )
        return DECADE
    if month is None:
        return YEAR
    try:
        datetime.date(int(year), int(month), int(day or 1))
    except ValueError as error:
        raise ValidationError(
            "%(value)r is not a real date (%(error)s).",
            code="impossible_date",
            params={"value": value, "error": error},
        ) from error
    return DAY if day else MONTH


@lru_cache(maxsize=4096)
def earliest_day(value):
    """The first day a partial date can mean, as ISO 8601 (YYYY-MM-DD); None when it is unknown.

    "195" -> "1950-01-01", "1953" -> "1953-01-01", "1953-10" -> "1953-10-01"; a day is itself.
    Cached: a page repeats the same few hundred dates, and each is worked out once a process.
    """
    if not value:
        return None
    precision = parse_partial_date(value)
    if precision == DECADE:
        return f"{value}0-01-01"
    if precision == YEAR:
        return f"{value}-01-01"
    if precision == MONTH:
        return f"{value}-01"
    return value


@lru_cache(maxsize=4096)
def latest_day(value):
    """The last day a partial date can mean, as ISO 8601 (YYYY-MM-DD); None when it is unknown.

    "195" -> "1959-12-31", "1953" -> "1953-12-31", "1900-02" -> "1900-02-28" and
    "2000-02" -> "2000-02-29" (the Gregorian leap years); a day is itself.
    """
    if not value:
        return None
    precision = parse_partial_date(value)
    if precision == DECADE:
        return f"{value}9-12-31"
    if precision == YEAR:
        return f"{value}-12-31"
    if precision == MONTH:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value


def validate_partial_date(value):
    """Model-field validator: empty is allowed (unknown), anything else must parse."""
    if value:
        parse_partial_date(value)


# The collation a partial date's column has on PostgreSQL (PartialDateField.db_parameters).
BYTEWISE = "C"


class PartialDateField(models.CharField):
    """A date at its own precision, stored as ISO 8601 text; blank means unknown.

    On PostgreSQL its column's collation is "C": text compares byte by byte, as SQLite's BINARY
    does, which for these digits and hyphens is time order in every locale. Under the
    database's own locale (C.UTF-8 here, en_US.UTF-8 on many servers) PostgreSQL compares each
    pair of values through the C library's strcoll and cannot sort by abbreviated keys; the
    exercise list sorts a country's exercises by their start for every page past the first
    (the United States: 1,884), and that sort cost about twice as much (collate_partial_dates).
    """

    description = "Partial date (YYY, YYYY, YYYY-MM or YYYY-MM-DD)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        self.validators.append(validate_partial_date)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not self.db_collation:
            params["collation"] = BYTEWISE
        return params

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("max_length", 10), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs


def collate_partial_dates(app_label, collation=BYTEWISE):
    """A migration's RunPython function giving every partial date column of `app_label`'s
    models (their history's too) `collation` on PostgreSQL: "C" forward (what db_parameters
    gives a column made since), "default" (the database's) back. Columns made before kept the
    database's collation, and a migration of a field whose class did not change alters
    nothing, hence this. Elsewhere it does nothing."""

    def collate(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for model in apps.get_app_config(app_label).get_models():
            changes = [
                f"ALTER COLUMN {quote(field.column)} TYPE {field.db_type(connection)} "
                f"COLLATE {quote(collation)}"
                for field in model._meta.local_fields
                if isinstance(field, PartialDateField)
            ]
            if changes:
                schema_editor.execute(
                    f"ALTER TABLE {quote(model._meta.db_table)} {', '.join(changes)}"
                )

    return collate


def is_not_before(later, earlier):
    """Python twin of `not_before_q`: True when partial date `later` is not before `earlier`."""
    return not later or not earlier or later >= earlier[: len(later)]


def check_date_order(instance, pairs):
    """Raise ValidationError on the field when a (later, earlier) pair of dates is out of order.

    The database refuses the same with a named constraint; this says it on the field, in the
    curator's words.
    """
    errors = {}
    for later, earlier in pairs:
        later_value, earlier_value = getattr(instance, later), getattr(instance, earlier)
        if not is_not_before(later_value, earlier_value):
            label = instance._meta.get_field(earlier).verbose_name
            errors[later] = f"{later_value} is before the {label} date ({earlier_value})."
    if errors:
        raise ValidationError(errors)


def not_before_q(later, earlier):
    """Q that holds when partial date field `later` is not before field `earlier`.

    Either being blank passes (nothing is known to compare). "1953" is not before "1953-10-01":
    the earlier date is cut to the later one's length before comparing, so a year is compared
    as a year.
    """
    return (
        models.Q(**{later: ""})
        | models.Q(**{earlier: ""})
        | models.Q(**{f"{later}__gte": Left(earlier, Length(later))})
    )


def year_range_q(field, year_from=None, year_to=None):
    """Q for records whose partial date `field` falls in [year_from, year_to], inclusive.

    A decade overlaps a year range when any of its years does. Blank dates never match a range.
    The comparisons are on the stored text, so an index on the field serves them.
    """
    q = ~models.Q(**{field: ""})
    if year_from is not None:
        # Years and finer dates: text order. A decade: the decade holding year_from, or later.
        q &= models.Q(**{f"{field}__gte": f"{year_from:04d}"}) | models.Q(
            **{field: f"{year_from:04d}"[:3]}
        )
    if year_to is not None:
        following = f"{year_to + 1:04d}"
        q &= models.Q(**{f"{field}__lt": following})
        if following.endswith("0"):
            # "199" sorts before "1990" but the 1990s begin after year_to = 1989.
            q &= ~models.Q(**{field: following[:3]})
    return q


class EndKind(models.TextChoices):
    """What a blank or given end means (`end_kind` beside `end`)."""

    ENDED = "ended", "Ended on the date given"
    ENDED_UNKNOWN_DATE = "ended-unknown-date", "Ended, at a date not known"
    CENSORED = "censored", "In force when the source's coverage ends (see coverage_end)"
    UNKNOWN = "unknown", "Not known whether or when it ended"


def end_kind_field():
    return models.CharField(
        "end kind",
        max_length=20,
        choices=EndKind.choices,
        default=EndKind.UNKNOWN,
        db_index=True,
        help_text="What the end means: ended (on the date in the end field), ended-unknown-date, "
        "censored (still in force when the source's coverage ends: coverage_end) or unknown. "
        "An end date makes it ended.",
    )


def coverage_end_field():
    return PartialDateField(
        "coverage end",
        db_index=True,
        help_text="For a censored end: when the coverage of the source that says it was still "
        "in force ends (COW alliances 2012, ATOP 2016).",
    )


def end_kinds_migration(app_label, *model_names):
    """The data migration that set `end_kind` on the rows stored before it existed: records
    with an end have ended; a mission flagged ended without one ended at a date not known;
    the rest stay unknown until an import or a curator says more. (RunPython's forward
    function, for the migrations of each app that gained the field.)"""

    def derive_end_kinds(apps, schema_editor):
        for name in model_names:
            model = apps.get_model(app_label, name)
            model.objects.exclude(end="").update(end_kind=EndKind.ENDED)
            if name == "Mission":
                model.objects.filter(end="", ended=True).update(end_kind=EndKind.ENDED_UNKNOWN_DATE)

    return derive_end_kinds


def derive_end_kind(instance, *, ended=False):
    """Make `end_kind` agree with `end` (and a mission's `ended` flag): a date is `ended`; an
    ended record without one is `ended-unknown-date` unless the kind says more; a kind of
    `ended` without a date falls back to unknown. Called by clean() and before every save."""
    if instance.end:
        instance.end_kind = EndKind.ENDED
    elif ended and instance.end_kind in (EndKind.UNKNOWN, EndKind.ENDED, ""):
        instance.end_kind = EndKind.ENDED_UNKNOWN_DATE
    elif instance.end_kind in (EndKind.ENDED, ""):
        instance.end_kind = EndKind.UNKNOWN
    if instance.end_kind != EndKind.CENSORED:
        instance.coverage_end = ""
