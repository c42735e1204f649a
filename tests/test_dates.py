"""Partial dates keep their own precision, compare as time, and filter by year."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from alliances.models import Alliance
from milidip.dates import (
    PartialDateField,
    collate_partial_dates,
    earliest_day,
    latest_day,
    parse_partial_date,
    year_range_q,
)
from tests.factories import AllianceFactory


@pytest.mark.parametrize(
    ("value", "precision"),
    [("195", "decade"), ("1953", "year"), ("1980-01", "month"), ("2011-07-08", "day")],
)
def test_a_partial_date_keeps_its_precision(value, precision):
    assert parse_partial_date(value) == precision


@pytest.mark.parametrize(
    "value", ["53", "1953-1", "1953-13", "1953-02-30", "1953/10/01", "1980-01-xx", "-9", "19530"]
)
def test_a_malformed_or_impossible_date_is_rejected_with_its_value(value):
    with pytest.raises(ValidationError) as error:
        parse_partial_date(value)
    assert repr(value) in error.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [("1953", "1953-10-01"), ("1953-10-01", "1953"), ("195", "1953"), ("1953", "195")],
)
def test_an_end_at_coarser_precision_within_the_start_is_accepted(start, end):
    alliance = AllianceFactory(start=start, end=end)
    alliance.full_clean()
    assert Alliance.objects.filter(pk=alliance.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"), [("1953", "1952"), ("1953-10", "1953-09-30"), ("196", "1955")]
)
def test_the_database_rejects_an_end_before_the_start(start, end):
    with pytest.raises(IntegrityError, match="alliance_end_not_before_start"), transaction.atomic():
        AllianceFactory(start=start, end=end)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year_from", "year_to", "expected"),
    [
        (1990, None, {"d1990s", "y1995", "m2001"}),
        (1995, 1995, {"d1990s", "y1995"}),
        (1996, 2000, {"d1990s"}),
        (None, 1989, {"y1985"}),
        (2000, 2009, {"m2001"}),
        (1800, 1900, set()),
    ],
)
def test_year_ranges_are_inclusive_and_a_decade_overlaps_its_years(year_from, year_to, expected):
    for slug, start in [
        ("d1990s", "199"),
        ("y1995", "1995"),
        ("m2001", "2001-06"),
        ("y1985", "1985"),
        ("unknown", ""),
    ]:
        AllianceFactory(slug=slug, start=start)
    matched = Alliance.objects.filter(
        year_range_q("start", year_from, year_to),
        slug__in=["d1990s", "y1995", "m2001", "y1985", "unknown"],
    )
    assert set(matched.values_list("slug", flat=True)) == expected


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("199", "1990-01-01", "1999-12-31"),  # a decade
        ("195", "1950-01-01", "1959-12-31"),
        ("200", "2000-01-01", "2009-12-31"),
        ("1953", "1953-01-01", "1953-12-31"),  # a year
        ("1953-06", "1953-06-01", "1953-06-30"),  # a month of 30 days
        ("1953-12", "1953-12-01", "1953-12-31"),
        ("1953-02", "1953-02-01", "1953-02-28"),
        ("1952-02", "1952-02-01", "1952-02-29"),  # a leap year
        ("1900-02", "1900-02-01", "1900-02-28"),  # a century: not a leap year
        ("2000-02", "2000-02-01", "2000-02-29"),  # but every fourth century is
        ("2011-07-08", "2011-07-08", "2011-07-08"),  # a day is itself
        ("2000-02-29", "2000-02-29", "2000-02-29"),
    ],
)
def test_a_partial_date_spans_from_its_earliest_to_its_latest_day(value, earliest, latest):
    assert (earliest_day(value), latest_day(value)) == (earliest, latest)


@pytest.mark.parametrize("value", ["", None])
def test_an_unknown_date_has_no_days(value):
    assert earliest_day(value) is None
    assert latest_day(value) is None


@pytest.mark.parametrize("value", ["53", "1953-13", "1900-02-29", "19530", "195-01"])
def test_a_malformed_date_has_no_days_but_an_error_naming_it(value):
    for bound in (earliest_day, latest_day):
        with pytest.raises(ValidationError) as error:
            bound(value)
        assert repr(value) in error.value.messages[0]


def partial_date_columns():
    """(table, column) of every partial date, the history's included."""
    return sorted(
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, PartialDateField)
    )


def column_collations(cursor, tables):
    """{(table, column): collation} of `tables` as the database declares them (None: its
    default)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
        return {(table, column): collation for table, column, collation in cursor.fetchall()}
    found = {}
    for table in tables:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        (sql,) = cursor.fetchone()
        # Each text column's definition, up to the next comma (a constraint naming the column
        # does not follow its name with a type).
        for column, definition in re.findall(r'"(\w+)" (varchar\(\d+\)[^,]*)', sql):
            collation = re.search(r"COLLATE (\S+)", definition)
            found.setdefault((table, column), collation and collation.group(1).strip('"'))
    return found


@pytest.mark.django_db
def test_every_partial_date_column_compares_byte_by_byte():
    """On PostgreSQL each partial date column is collated "C", as the migrations leave it; on
    SQLite each has the default, BINARY: the same order on both engines, in any locale."""
    columns = partial_date_columns()
    assert ("missions_exercise", "start") in columns
    assert ("missions_historicalexercise", "start") in columns
    with connection.cursor() as cursor:
        collations = column_collations(cursor, {table for table, _ in columns})
    expected = "C" if connection.vendor == "postgresql" else None
    assert {column: collations[column] for column in columns} == dict.fromkeys(columns, expected)


@pytest.mark.django_db(transaction=True)
def test_the_collation_migrations_collate_each_partial_date_and_undo_it():
    """Each app's migration (run here with the models as the migrations know them) gives every
    partial date column of its app "C", and back the database's default: db_parameters alone
    never changes a column made before it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite columns have no collation of their own")
    historical = MigrationLoader(connection).project_state().apps
    columns = partial_date_columns()
    apps_of = {"alliances": "alliances_", "missions": "missions_", "sources": "sources_"}
    assert {
        prefix for prefix in apps_of.values() if any(t.startswith(prefix) for t, _ in columns)
    } == set(apps_of.values())
    try:
        with connection.schema_editor() as editor:
            for app_label in apps_of:
                collate_partial_dates(app_label, "default")(historical, editor)
        with connection.cursor() as cursor:
            undone = column_collations(cursor, ())
        assert {undone[column] for column in columns} == {None}
    finally:
        with connection.schema_editor() as editor:
            for app_label in apps_of:
                collate_partial_dates(app_label)(historical, editor)
    with connection.cursor() as cursor:
        done = column_collations(cursor, ())
    assert {column: done[column] for column in columns} == dict.fromkeys(columns, "C")
