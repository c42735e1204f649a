"""Queries the read path compiles once per process, not once per request.

Every page reads its records, then their participants, citations, domains ... by the page's ids.
Those queries have the same shape on every request; only the ids change. Compiling them through
the ORM each time (resolving each column, quoting each name, cloning the query) cost a list page
more CPU than the database spent answering them. A `Prepared` query is a values() queryset whose
filter on the keys it is read by is a hole (`field__read_keys=True`); it is compiled once per
database alias, and each read fills the hole with the keys (`IN (%s, ...)`; on PostgreSQL one
array, `= ANY(%s)`) or with a subquery that finds them, runs the SQL on a cursor Django wraps
(so query logging, metrics and the test's query counts see it) and gives the rows as values()
would: the same names, the same values, through the same converters. On PostgreSQL that cursor
binds on the server, and psycopg prepares a statement once it has run often enough
(`bound_cursor`).
"""

import contextvars
import datetime
import hashlib
import json
import re
from functools import cache, cached_property

import orjson
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import NotSupportedError, connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Field, ForeignObject, JSONField, Lookup
from django.db.models.expressions import Col

READ_KEYS = "read_keys"
# What the hole compiles to: a marker no SQL Django writes contains.
HOLE = "\x00read-keys\x00"
PLACEHOLDER = re.compile(r"%%|%s")
LONG_NUMBER = re.compile(r"[0-9]{19}")
# True while a Prepared query is built and compiled: the only place its hole may be written.
_building = contextvars.ContextVar("milidip_prepared_building", default=False)


class ReadKeysHole(Lookup):
    """`field__read_keys=True`: the place a Prepared query's keys go (never run as it is).
    Registered on every field, so it refuses to be used outside a Prepared query's build: a
    lookup name taken from a caller (the admin's changelist filters) gets Django's FieldError,
    never SQL with a hole in it."""

    lookup_name = READ_KEYS
    prepare_rhs = False

    def get_prep_lookup(self):
        if not _building.get():
            raise FieldError(f"{READ_KEYS} is a Prepared query's hole, not a filter")
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} {HOLE}", params


# A foreign key looks its lookups up on ForeignObject's own registry, not Field's.
Field.register_lookup(ReadKeysHole)
ForeignObject.register_lookup(ReadKeysHole)


def json_column(value, expression, connection):
    """JSONField.from_db_value for a column (no decoder), parsed by orjson: a page's citations
    each carry `states`, and the standard library's parser took a tenth of a list's CPU."""
    if not isinstance(value, str):
        return value  # None, or a value the backend already parsed
    if value == "{}":
        return {}  # most citations' `states`: a new dict each time, as a parser would give
    # orjson reads an integer beyond 64 bits as a float, where the standard library keeps it.
    if len(value) < 19 or not LONG_NUMBER.search(value):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            pass  # NaN, an infinity, a lone surrogate: the standard library reads them.
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value  # what JSONField itself does with text that is not JSON


def faster(functions, expression):
    """The converters of one column, with JSONField's own parser swapped for `json_column`
    where that gives the same value (a plain column, the default decoder)."""
    field = getattr(expression, "output_field", None)
    if not (isinstance(expression, Col) and isinstance(field, JSONField) and field.decoder is None):
        return functions
    original = field.from_db_value
    return [json_column if function == original else function for function in functions]


def hole(lookup):
    """The filter keywords putting a Prepared query's hole on `lookup` (inside its build only)."""
    return {f"{lookup}__{READ_KEYS}": True}


def with_hole(queryset, lookup):
    """`queryset` filtered on `lookup` by a Prepared query's hole (inside its build only)."""
    return queryset.filter(**hole(lookup))


def bound_cursor(connection):
    """A cursor for a Prepared query's read: on PostgreSQL (psycopg 3) one that binds its
    parameters on the server, so that psycopg prepares a statement run often enough
    (`prepare_threshold`: DATABASE_PREPARE_THRESHOLD in settings.py) and the server no longer
    parses and plans it on each read. Django's own cursors bind on the client and prepare
    nothing. It is wrapped as Django wraps its cursors, so that the execute wrappers (metrics)
    and the query log (DEBUG, the tests' query counts) see it; the log names the statement
    with its values in place, as for any other query."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from psycopg.pq import Format

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = ServerBindingCursor(connection.connection)
    loader = cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    cursor.adapters.register_loader(TIMESTAMPTZ_OID, iso_timestamps(loader))
    if connection.queries_logged:
        return LoggedRead(cursor, connection)
    return connection.make_cursor(cursor)


@cache
def iso_timestamps(loader):
    """Django's loader of PostgreSQL's timestamptz (`loader`: aware date-times in the connection's
    zone), reading the text PostgreSQL sends in UTC with datetime.fromisoformat: a page reads a
    hundred date-times, and psycopg's pure-Python parsing of each, which Django's loader extends,
    cost more than the rest of the row. The same values: anything else (another zone, a year
    beyond 9999, BC, infinity) goes to `loader` itself."""

    class IsoTimestamptzLoader(loader):
        def load(self, data):
            if self.timezone is datetime.UTC:
                try:
                    value = datetime.datetime.fromisoformat(str(data, "ascii"))
                except ValueError:
                    pass
                else:
                    if value.tzinfo is datetime.UTC:
                        return value
            return super().load(data)

    return IsoTimestamptzLoader


class LoggedRead(CursorDebugWrapper):
    """Django's logging cursor for a server-bound read: it logs the statement with its values
    written in (as Django does with server-side binding), not the `$1` psycopg sends."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


def fetch_all(connection, sql, params):
    with bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def replanned_result_type(error):
    """True for PostgreSQL's refusal to run a prepared statement whose result's columns changed
    since it was prepared ("cached plan must not change result type", SQLSTATE 0A000)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "0A000" and "cached plan" in str(cause)


def placeholders(sql):
    return sum(1 for match in PLACEHOLDER.finditer(sql) if match.group() == "%s")


def shaper(width, names, converters):
    """A function (rows, functions, expressions, connection) -> [dict] that names each row's
    values as values() does and passes each through its column's converters (`functions` and
    their `expressions`, in the order of `converters`, flattened): one dict display compiled for
    the query, rather than a loop over the columns and their converters for every row."""
    if len(names) != width:
        raise ValueError(f"{width} columns selected for {len(names)} names")
    values = [f"row[{index}]" for index in range(width)]
    at = 0
    for index, functions, _ in converters:
        for _ in functions:
            values[index] = f"functions[{at}]({values[index]}, expressions[{at}], connection)"
            at += 1
    items = ", ".join(f"{name!r}: {value}" for name, value in zip(names, values, strict=True))
    source = (
        "def shape(rows, functions, expressions, connection):\n"
        f"    return [{{{items}}} for row in rows]\n"
    )
    namespace = {}
    exec(compile(source, "<a Prepared query's rows>", "exec"), namespace)
    return namespace["shape"]


class Compiled:
    """One Prepared query's SQL on one database, split at its hole."""

    def __init__(self, queryset, alias):
        query = queryset.query
        if query.distinct:
            # DISTINCT may select columns of its own (its ordering's): rows would not be values'.
            raise ValueError("a Prepared query is not DISTINCT")
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        before, hole, after = sql.partition(HOLE)
        if not hole or HOLE in after:
            raise ValueError("a Prepared query needs exactly one `read_keys` filter")
        split = placeholders(before)
        self.before, self.after = before, after
        self.params_before, self.params_after = tuple(params[:split]), tuple(params[split:])
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        # A backend's converters are methods of the compiling connection's `ops`: kept by name,
        # and taken from the reading connection's (each thread has its own connection).
        ops = compiler.connection.ops
        self.converters = [
            (
                index,
                [
                    function.__name__ if getattr(function, "__self__", None) is ops else function
                    for function in faster(functions, expression)
                ],
                expression,
            )
            for index, (functions, expression) in compiler.get_converters(fields).items()
        ]
        self.shape = shaper(len(fields), self.names, self.converters)

    @cached_property
    def digest(self):
        """A name for this query, from its SQL and fixed parameters: the same query, the same
        name, in any process of any release (made once, not on every read that needs it)."""
        query = repr((self.before, self.after, self.params_before, self.params_after))
        return hashlib.sha256(query.encode()).hexdigest()[:32]


class Prepared:
    """A values() queryset with one `read_keys` hole (made by `build()`), compiled once per
    database alias and read by keys or by a subquery: see the module docstring."""

    def __init__(self, build):
        self.build = build
        self.compiled = {}

    def compile(self, alias):
        compiled = self.compiled.get(alias)
        if compiled is None:
            token = _building.set(True)
            try:
                compiled = self.compiled[alias] = Compiled(self.build(), alias)
            finally:
                _building.reset(token)
        return compiled

    def read(self, alias, hole, hole_params):
        compiled = self.compile(alias)
        connection = connections[alias]
        sql = f"{compiled.before}{hole}{compiled.after}"
        params = (*compiled.params_before, *hole_params, *compiled.params_after)
        try:
            rows = fetch_all(connection, sql, params)
        except NotSupportedError as error:
            if not replanned_result_type(error) or connection.in_atomic_block:
                raise
            # A migration altered a column this statement returns (its type or collation)
            # while the statement was prepared on this connection: PostgreSQL refuses to run
            # it again. Outside a transaction, the connection's prepared statements are
            # dropped (psycopg forgets its own when it sees DEALLOCATE ALL) and the read runs
            # once more, to be prepared anew. In a transaction the error ends it, and the
            # rollback makes psycopg forget them as well.
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
            rows = fetch_all(connection, sql, params)
        if not compiled.converters:
            return compiled.shape(rows, (), (), connection)
        ops = connection.ops
        functions = [
            getattr(ops, function) if isinstance(function, str) else function
            for _, column, _ in compiled.converters
            for function in column
        ]
        expressions = [expression for _, column, expression in compiled.converters for _ in column]
        return compiled.shape(rows, functions, expressions, connection)

    def by_keys(self, alias, keys):
        """The rows whose hole's field is one of `keys`."""
        keys = list(keys)
        if not keys:
            return []
        if connections[alias].vendor == "postgresql":
            # One parameter, whatever the number of keys: one statement to prepare.
            return self.read(alias, "= ANY(%s)", [keys])
        return self.read(alias, f"IN ({', '.join(['%s'] * len(keys))})", keys)

    def by_subquery(self, queryset, compiled=None):
        """The rows whose hole's field is one `queryset` (values of one column) gives.

        On PostgreSQL the subquery is an array (`= ANY(ARRAY(...))`): the planner then runs it
        first and reads the rows by index. Given `IN (...)`, it expected more keys than a page
        has and scanned the whole table for a hash join (a US list page: 2.4 -> 1.5 ms)."""
        alias = queryset.db
        try:
            if compiled is None:
                compiled = queryset.query.get_compiler(using=alias).as_sql()
            sql, params = compiled
        except EmptyResultSet:
            return []  # a filter that can match nothing (`pk__in=[]`): Django runs no query
        if connections[alias].vendor == "postgresql":
            return self.read(alias, f"= ANY(ARRAY({sql}))", params)
        return self.read(alias, f"IN ({sql})", params)
