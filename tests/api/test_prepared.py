"""Queries compiled once per process (milidip.api.prepared): the rows are the ones values() gives,
and a list request compiles through the ORM only what depends on its parameters."""

import json
import re

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import DataError, connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from milidip.api.prepared import READ_KEYS, Prepared, json_column, with_hole
from milidip.urls import router
from missions.models import Exercise, ExerciseCitation
from tests.api.helpers import article
from tests.factories import QUOTE_004, ExerciseFactory

pytestmark = pytest.mark.django_db

VIEWSETS = {prefix: viewset for prefix, viewset, _ in router.registry}
LIST = "/api/v1/exercises/?country=USA&page_size=1"


@pytest.fixture
def compiled_sql(monkeypatch):
    """(SQL, whether a subquery) of every query the ORM's compiler writes while the test runs."""
    compiled = []
    as_sql = SQLCompiler.as_sql

    def recording(self, *args, **kwargs):
        result = as_sql(self, *args, **kwargs)
        compiled.append((result[0], self.query.subquery))
        return result

    monkeypatch.setattr(SQLCompiler, "as_sql", recording)
    return compiled


def citation_rows(queryset):
    return queryset.values("pk", "record_id", "source__slug", "quote", "states", "created")


@pytest.fixture
def cited():
    """Three citations of Foal Eagle with states of every JSON shape, and one of another."""
    foal_eagle = Exercise.objects.get(slug="foal-eagle")
    source = article()
    other = Exercise.objects.exclude(pk=foal_eagle.pk).first()
    states = ({"start": "1961"}, {"a": [1, 2.5, None, True], "b": {"c": "é"}}, {})
    made = [
        ExerciseCitation.objects.create(
            record=foal_eagle, source=source, quote=QUOTE_004, locator=f"p. {n}", states=state
        )
        for n, state in enumerate(states)
    ]
    ExerciseCitation.objects.create(record=other, source=source, quote=QUOTE_004)
    return foal_eagle, other, made


def test_rows_by_keys_are_the_rows_values_gives(cited):
    foal_eagle, other, _ = cited
    prepared = Prepared(
        lambda: citation_rows(ExerciseCitation.objects.filter(**{f"record__{READ_KEYS}": True}))
    )
    for keys in ([foal_eagle.pk], [foal_eagle.pk, other.pk], [other.pk]):
        read = sorted(prepared.by_keys("default", keys), key=lambda row: row["pk"])
        expected = list(citation_rows(ExerciseCitation.objects.filter(record__in=keys)))
        assert read == sorted(expected, key=lambda row: row["pk"])
        assert {row["record_id"] for row in read} == set(keys)
    assert prepared.by_keys("default", []) == []
    # Compiled once for the database, whatever the number of keys.
    assert list(prepared.compiled) == ["default"]


def test_rows_by_subquery_follow_the_ordering_of_the_prepared_query(cited):
    _, _, made = cited
    prepared = Prepared(
        lambda: citation_rows(
            ExerciseCitation.objects.filter(**{f"pk__{READ_KEYS}": True}).order_by("-pk")
        )
    )
    made_ids = [citation.pk for citation in made]
    keys = ExerciseCitation.objects.filter(pk__in=made_ids).order_by("pk").values("pk")[:2]
    read = prepared.by_subquery(keys)
    assert [row["pk"] for row in read] == [made[1].pk, made[0].pk]
    assert read[0]["states"] == {"a": [1, 2.5, None, True], "b": {"c": "é"}}


def test_a_query_without_its_hole_is_refused():
    prepared = Prepared(lambda: Exercise.objects.values("pk"))
    with pytest.raises(ValueError, match="read_keys"):
        prepared.by_keys("default", [1])


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1.5, -0, 1E5, true]}',
        "[]",
        '"text"',
        "null",
        '{"big": 123456789012345678901234567890}',
        "-9223372036854775809",
        "18446744073709551616",
        "[1e400, NaN]",
        '"\\ud800"',
    ],
)
def test_json_columns_parse_as_jsonfield_parses_them(text):
    parsed = json_column(text, None, connection)
    assert repr(parsed) == repr(json.loads(text))


def test_json_columns_left_as_jsonfield_leaves_them():
    assert json_column(None, None, connection) is None
    assert json_column({"already": "parsed"}, None, connection) == {"already": "parsed"}
    assert json_column("not json", None, connection) == "not json"


def test_a_list_compiles_only_what_its_parameters_change(client, compiled_sql):
    """The page's records, participants, domains, purposes and citations are read by queries
    compiled on the first request, and an anonymous list's filtered ids and its count's key
    are compiled once for the data version (views.CompiledForList): the same list asked again
    compiles none of them, and another page only its ids."""
    client.get(LIST, HTTP_CACHE_CONTROL="no-cache")
    compiled_sql.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, HTTP_CACHE_CONTROL="no-cache")
    compiled = [sql for sql, subquery in compiled_sql if not subquery]
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    run = [query["sql"] for query in queries.captured_queries]
    reading = [sql for sql in run if 'missions_exerciseparticipant"."role"' in sql]
    assert reading, run
    # No query that reads the page's rows went through the ORM's compiler this time, nor the
    # list's filtered ids or its count's key (kept with the list for the version): only the
    # data version's own read (in the database here, in Redis with REDIS_URL set).
    assert len(compiled) == 1 and '"sources_dataversion"' in compiled[0], compiled
    # Another page of the same list compiles its ids' query alone; on PostgreSQL a country's
    # list reads them from the participants' list order (missions.list_order), written by hand.
    compiled_sql.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{LIST}&page=2", HTTP_CACHE_CONTROL="no-cache").status_code == 200
    compiled = [sql for sql, subquery in compiled_sql if not subquery]
    if connection.vendor == "postgresql":
        assert len(compiled) == 1, compiled
        ids = [q["sql"] for q in queries.captured_queries if '"list_start"' in q["sql"]]
        assert len(ids) == 1 and "LIMIT 2 OFFSET 1" in ids[0]
    else:
        assert len(compiled) == 2, compiled
        assert '"missions_exercise"."id" AS "pk" FROM' in compiled[1]
        assert "LIMIT 2 OFFSET 1" in compiled[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_page_is_read_by_an_array_of_its_ids_on_postgresql(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, HTTP_CACHE_CONTROL="no-cache").status_code == 200
    pages = [
        q["sql"] for q in queries.captured_queries if '"description" AS "description"' in q["sql"]
    ]
    assert len(pages) == 1
    assert '"missions_exercise"."id" = ANY(ARRAY(SELECT' in pages[0]


def test_a_detail_reads_its_record_once_and_builds_no_filterset(
    client, built_filtersets, cited, compiled_sql
):
    """A detail reads its record once, as a row by its slug (no instance from get_object read
    again as a row), shows its claims from rows as the serializer shows them from the
    instance, builds no FilterSet (it takes no filter parameter), and, once a first detail
    has compiled the queries, compiles nothing through the ORM but the data version."""
    built = built_filtersets
    other = cited[1]
    assert client.get(f"/api/v1/exercises/{other.slug}/").status_code == 200
    compiled_sql.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/exercises/foal-eagle/", HTTP_CACHE_CONTROL="no-cache")
    assert response.status_code == 200
    compiled = [sql for sql, _ in compiled_sql if "sources_dataversion" not in sql]
    assert compiled == []
    serializer = VIEWSETS["exercises"].detail_serializer_class(
        cited[0], context={"request": response.wsgi_request}
    )
    assert response.json() == json.loads(json.dumps(serializer.data))
    assert response.json()["claims"]["start"]
    records = [
        q["sql"]
        for q in queries.captured_queries
        if re.search(r'FROM "missions_exercise"( |$)', q["sql"])
    ]
    assert len(records) == 1 and '"slug"' in records[0].split("WHERE")[1], records
    assert built == []
    client.get("/api/v1/exercises/", {"country": "KOR"}, HTTP_CACHE_CONTROL="no-cache")
    assert built == ["ExerciseFilter"]


@pytest.mark.parametrize("prefix", list(VIEWSETS))
@pytest.mark.parametrize("reader", ["anonymous", "curator"])
def test_a_details_records_are_its_viewsets_queryset_as_visible_to_its_reader(
    prefix, reader, django_user_model
):
    """A detail's record is read from the viewset's `queryset` as visible_to shows it to the
    reader (BaseViewSet.visible_row), not through get_queryset: so get_queryset must give
    exactly that for a detail, on every viewset. One that narrows a detail's records (a
    filter) would be skipped by the read, and fails here."""
    from django.contrib.auth.models import AnonymousUser, Permission
    from django.test import RequestFactory

    from milidip.records import visible_to

    user = AnonymousUser()
    if reader == "curator":
        user = django_user_model.objects.create_user("curator", password="not-used-1234")
        user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
        user = django_user_model.objects.get(pk=user.pk)
    request = RequestFactory().get("/")
    request.user = user
    view = VIEWSETS[prefix]()
    view.action, view.request, view.kwargs, view.format_kwarg = "retrieve", request, {}, None
    expected = visible_to(user, view.queryset.all()).prefetch_related(None)
    assert str(view.get_queryset().query) == str(expected.query)
    assert not view.queryset.query.has_filters()


def test_a_dossier_compiles_its_groups_once_for_every_country(client, compiled_sql):
    """A dossier's groups, and its UN personnel's sums, are read by queries compiled on the
    first dossier a kind of reader asks for: another country's compiles only its lookup."""
    assert client.get("/api/v1/countries/KOR/dossier/").status_code == 200
    compiled_sql.clear()
    response = client.get("/api/v1/countries/USA/dossier/")
    compiled = [sql for sql, _ in compiled_sql]
    assert response.status_code == 200
    assert response.json()["country"]["code"] == "USA"
    # The data version (read from the database without Redis) and the country's lookup.
    read = [sql for sql in compiled if "sources_dataversion" not in sql]
    assert len(read) == 1 and 'FROM "alliances_country"' in read[0], compiled


def test_the_hole_is_no_filter_outside_a_prepared_query(client, django_user_model):
    """`read_keys` is registered on every field, but only a Prepared query's build may write it:
    elsewhere it is Django's FieldError, so the admin answers a changelist asked for it as it
    answers any lookup it cannot make (not a 500, no SQL with a hole in it)."""
    with pytest.raises(FieldError, match="read_keys"):
        Exercise.objects.filter(**{f"pk__{READ_KEYS}": 1})
    user = django_user_model.objects.create_superuser("admin-hole", password="not-used-1234")
    client.force_login(user)
    response = client.get("/admin/missions/exercise/", {f"pk__{READ_KEYS}": "1"})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def test_a_subquery_that_can_match_nothing_reads_nothing():
    prepared = Prepared(lambda: with_hole(Exercise._base_manager, "pk").values("pk", "slug"))
    assert prepared.by_subquery(Exercise.objects.filter(pk__in=[]).values("pk")) == []


def test_a_distinct_query_is_refused():
    prepared = Prepared(lambda: with_hole(Exercise._base_manager, "pk").distinct().values("pk"))
    with pytest.raises(ValueError, match="DISTINCT"):
        prepared.by_keys("default", [1])


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
)


@on_postgresql
def test_the_read_queries_become_prepared_statements(client):
    """Run `prepare_threshold` times on one connection, a list's read queries are prepared
    statements of the server's (it no longer parses and plans them), and the query log still
    names them, with their values, once they are."""
    threshold = connection.connection.prepare_threshold
    assert threshold == settings.DATABASE_PREPARE_THRESHOLD == 5
    for _ in range(threshold + 1):
        response = client.get(LIST, HTTP_CACHE_CONTROL="no-cache")
        assert response.status_code == 200
    statements = prepared_statements()
    for column in ('"role" AS "role"', '"quote" AS "quote"', '"description" AS "description"'):
        assert [s for s in statements if column in s], (column, statements)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(LIST, HTTP_CACHE_CONTROL="no-cache")
    assert again.content == response.content
    # Logged with its values written in: a statement one can run again as it is.
    (citations,) = [q["sql"] for q in queries.captured_queries if '"quote" AS "quote"' in q["sql"]]
    assert "= ANY('{" in citations and "$1" not in citations
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {citations}")
        assert cursor.fetchall()


@on_postgresql
def test_one_statement_reads_any_number_of_keys(client):
    """The keys are one array parameter: pages of 1, 2 and 3 records read their citations by
    one prepared statement, not one per page size."""
    for size in (1, 2, 3):
        for _ in range(6):
            response = client.get(
                "/api/v1/exercises/", {"page_size": size}, HTTP_CACHE_CONTROL="no-cache"
            )
            assert len(response.json()["results"]) == size
    citations = [s for s in prepared_statements() if '"quote" AS "quote"' in s]
    assert len(citations) == 1, citations


@on_postgresql
def test_no_statement_is_prepared_when_turned_off(client):
    """DATABASE_PREPARE_THRESHOLD=off (a pooler that cannot keep them): nothing is prepared,
    and the page is the same."""
    first = client.get(LIST, HTTP_CACHE_CONTROL="no-cache").content
    connection.connection.prepare_threshold = None
    try:
        for _ in range(8):
            assert client.get(LIST, HTTP_CACHE_CONTROL="no-cache").content == first
        assert prepared_statements() == []
    finally:
        connection.connection.prepare_threshold = settings.DATABASE_PREPARE_THRESHOLD


@pytest.mark.parametrize(
    ("text", "threshold"), [(None, 5), ("0", 0), ("12", 12), ("off", None), (" OFF ", None)]
)
def test_the_prepare_threshold_is_read_from_the_environment(monkeypatch, text, threshold):
    from milidip.settings import env_prepare_threshold

    if text is None:
        monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", text)
    assert env_prepare_threshold() == threshold


def test_an_empty_json_object_is_a_new_dict_each_time():
    """Most citations' `states` are `{}`: read without a parser, and never one dict shared by
    two rows (a caller changing one would change the other)."""
    first, second = json_column("{}", None, connection), json_column("{}", None, connection)
    assert first == second == {}
    assert first is not second


DATE_TIMES = [
    "2026-12-04 12:19:02+00",
    "2026-12-04 12:19:02.4+00",
    "2026-12-04 12:19:02.42513+00",
    "2026-12-04 12:19:02.425131+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "20000-01-01 00:00:00+00",
    "0044-03-15 12:00:00+00 BC",
    "infinity",
]


def read_date_time(cursor, text):
    """(the value, its zone) read from `text`, or the error Django's loader raises for it."""
    try:
        cursor.execute(f"SELECT '{text}'::timestamptz")
        (value,) = cursor.fetchone()
    except DataError as error:
        return type(error)
    return value, value.tzinfo


@on_postgresql
@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul"])
def test_date_times_read_as_django_reads_them(zone):
    """The read path's own parsing of timestamptz (prepared.iso_timestamps) gives what Django's
    loader gives for every text PostgreSQL may send, or the same error: other offsets, years
    beyond 9999, BC and infinity go to Django's loader itself."""
    from milidip.api.prepared import bound_cursor

    with connection.cursor() as cursor:
        cursor.execute(f"SET TIME ZONE '{zone}'")
        try:
            for text in DATE_TIMES:
                expected = read_date_time(cursor, text)
                with bound_cursor(connection) as bound:
                    assert read_date_time(bound, text) == expected, text
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_outlives_a_migration_that_changes_its_prepared_statements_columns(client):
    """A migration that alters a column the read path's prepared statements return (as
    `missions.0015` changed `start`'s collation) while servers run: PostgreSQL then refuses to
    run those statements ("cached plan must not change result type"), and each read answered
    500 until the connection was closed. The read now drops the connection's prepared
    statements and runs once more."""
    ExerciseFactory(start="1961")
    url = "/api/v1/exercises/?page_size=1"
    for _ in range(connection.connection.prepare_threshold + 1):
        first = client.get(url, HTTP_CACHE_CONTROL="no-cache")
        assert first.status_code == 200
    assert [s for s in prepared_statements() if '"start" AS "start"' in s]
    params = {**connection.get_connection_params(), "autocommit": True}
    with psycopg.connect(**params) as migrating:
        try:
            for collation in ('"default"', '"C"'):
                migrating.execute(
                    "ALTER TABLE missions_exercise ALTER COLUMN start "
                    f"TYPE varchar(10) COLLATE {collation}"
                )
                again = client.get(url, HTTP_CACHE_CONTROL="no-cache")
                assert again.status_code == 200
                assert again.content == first.content
        finally:
            migrating.execute(
                'ALTER TABLE missions_exercise ALTER COLUMN start TYPE varchar(10) COLLATE "C"'
            )
