"""A country's exercises in list order from the participants' index (missions.list_order): the
triggers keep each participation's copy of its exercise's order through every kind of write,
and the pages read from it are the pages the list would give by sorting."""

import threading
from types import SimpleNamespace

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from milidip.datasets.management.commands import bench_data
from milidip.records import Status
from missions import list_order
from missions.models import Exercise, ExerciseParticipant
from missions.views import ExerciseViewSet
from tests.factories import CountryFactory, ExerciseFactory, ParticipantFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the list order is kept on PostgreSQL only"
    ),
]

STALE = """
    SELECT p.id, p.list_status, p.list_start, p.list_name, p.list_slug,
           e.status, e.start, e.name, e.slug
      FROM missions_exerciseparticipant p JOIN missions_exercise e ON e.id = p.exercise_id
     WHERE (p.list_status, p.list_start, p.list_name, p.list_slug)
           IS DISTINCT FROM (e.status, e.start, e.name, e.slug)
"""


def stale():
    """Participations whose list order is not their exercise's (empty when all are true)."""
    with connection.cursor() as cursor:
        cursor.execute(STALE)
        return cursor.fetchall()


def list_order_of(participant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT list_status, list_start, list_name, list_slug "
            "FROM missions_exerciseparticipant WHERE id = %s",
            [participant.pk],
        )
        return cursor.fetchone()


def test_the_list_order_follows_every_kind_of_write():
    korea, japan = CountryFactory(code="QKA"), CountryFactory(code="QJA")
    participant = ParticipantFactory(country=korea, exercise__start="2001-05")
    exercise = participant.exercise
    assert list_order_of(participant) == (
        Status.PUBLISHED,
        "2001-05",
        exercise.name,
        exercise.slug,
    )
    # A record saved with a new name, start and status.
    exercise.name, exercise.start, exercise.status = "Renamed", "1999", Status.DRAFT
    exercise.save()
    assert list_order_of(participant) == (Status.DRAFT, "1999", "Renamed", exercise.slug)
    # An update of many rows at once.
    Exercise.objects.filter(pk=exercise.pk).update(slug="moved-slug", status=Status.PUBLISHED)
    assert list_order_of(participant)[0::3] == (Status.PUBLISHED, "moved-slug")
    # A participation moved to another exercise, or given another country.
    other = ExerciseFactory(start="2010")
    ExerciseParticipant.objects.filter(pk=participant.pk).update(exercise=other)
    assert list_order_of(participant) == (Status.PUBLISHED, "2010", other.name, other.slug)
    participant.refresh_from_db()
    participant.country = japan
    participant.save()
    # Many made at once.
    ExerciseParticipant.objects.bulk_create(
        [ExerciseParticipant(exercise=exercise, country=country) for country in (korea, japan)]
    )
    assert stale() == []


def test_a_participation_written_before_its_exercise_takes_its_order_when_it_comes():
    """The foreign keys are deferred: an import may write a participation first."""
    country = CountryFactory(code="QKB")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('missions_exercise', 'id'))")
        (exercise_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO missions_exerciseparticipant (role, country_id, exercise_id) "
            "VALUES ('host', %s, %s)",
            [country.pk, exercise_id],
        )
        ExerciseFactory(pk=exercise_id, slug="late-exercise", name="Late", start="2004")
    assert ExerciseParticipant.objects.filter(exercise_id=exercise_id).count() == 1
    assert stale() == []


def test_the_triggers_keep_what_raw_sql_writes():
    participant = ParticipantFactory(country=CountryFactory(code="QKC"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE missions_exercise SET name = 'Raw' WHERE id = %s", [participant.exercise_id]
        )
        # A hand-written copy that lies is put right by the trigger in the same statement.
        cursor.execute(
            "UPDATE missions_exerciseparticipant SET list_name = 'wrong' WHERE id = %s",
            [participant.pk],
        )
    assert list_order_of(participant)[2] == "Raw"
    assert stale() == []


def test_a_later_migration_may_still_alter_the_columns_the_triggers_read():
    """The triggers name no column in their definitions (PostgreSQL would refuse to alter a
    column a trigger's WHEN or UPDATE OF names), and the copies are text, of any length."""
    participant = ParticipantFactory(country=CountryFactory(code="QKG"))
    long_name = "A" * 250
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys checked
        cursor.execute('ALTER TABLE missions_exercise ALTER COLUMN "name" TYPE varchar(300)')
        cursor.execute('ALTER TABLE missions_exercise ALTER COLUMN "start" TYPE varchar(12)')
        cursor.execute(
            "UPDATE missions_exercise SET name = %s WHERE id = %s",
            [long_name, participant.exercise_id],
        )
    assert list_order_of(participant)[2] == long_name


@pytest.fixture
def crowded_country(committed):
    """A country in nine exercises whose order needs every key: starts of each precision,
    equal starts, equal names (told apart by slug), a draft and a retracted one (committed:
    the data version moves, and anonymous lists are kept for it)."""
    with committed():
        return crowd()


def crowd():
    country = CountryFactory(code="QKD")
    made = [
        ("2001", "Bravo", "b-2001"),
        ("2001-03", "Alpha", "a-2001-03"),
        ("2001-03", "Alpha", "a-2001-03-bis"),
        ("2001-03", "Charlie", "c-2001-03"),
        ("2001-03-05", "Alpha", "a-2001-03-05"),
        ("", "Undated", "undated"),
        ("1999-12-31", "Zulu", "z-1999"),
    ]
    for start, name, slug in made:
        ParticipantFactory(country=country, exercise__start=start, exercise__name=name,
                           exercise__slug=slug)  # fmt: skip
    ParticipantFactory(country=country, exercise__slug="drafted", exercise__status=Status.DRAFT)
    ParticipantFactory(
        country=country,
        exercise__slug="withdrawn",
        exercise__status=Status.RETRACTED,
        exercise__retraction_reason="Never held.",
    )
    ParticipantFactory(country=CountryFactory(code="QKE"), exercise__slug="someone-else")
    return country


def sorted_slugs(country, **filters):
    return list(
        Exercise.objects.published()
        .filter(participants=country, **filters)
        .order_by("start", "name", "slug")
        .values_list("slug", flat=True)
    )


def paged_slugs(client, query, **headers):
    slugs, page = [], 1
    while True:
        response = client.get(
            f"/api/v1/exercises/?{query}&page_size=2&page={page}",
            HTTP_CACHE_CONTROL="no-cache",
            **headers,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        slugs += [record["slug"] for record in body["results"]]
        if body["next"] is None:
            return slugs, body["count"]
        page += 1


def test_every_page_from_the_index_is_the_page_sorting_gives(client, crowded_country):
    expected = sorted_slugs(crowded_country)
    assert len(expected) == 7
    with CaptureQueriesContext(connection) as queries:
        slugs, count = paged_slugs(client, "country=QKD")
    assert (slugs, count) == (expected, 7)
    from_index = [q["sql"] for q in queries.captured_queries if '"list_start"' in q["sql"]]
    assert len(from_index) == 4, "each of the four pages reads its ids from the list order"


def test_a_write_moves_an_exercise_on_the_next_read(client, crowded_country, committed):
    assert paged_slugs(client, "country=QKD")[0][0] == "undated"
    with committed():
        for slug, changes in (("undated", {"start": "2030"}), ("a-2001-03", {"status": "draft"})):
            exercise = Exercise.objects.get(slug=slug)
            for name, value in changes.items():
                setattr(exercise, name, value)
            exercise.save()
    slugs, count = paged_slugs(client, "country=QKD")
    assert slugs == sorted_slugs(crowded_country)
    assert (slugs[-1], count) == ("undated", 6)
    assert "a-2001-03" not in slugs


def test_other_lists_sort_as_before(client, crowded_country):
    """More filters than the country, or the country repeated: the list is cut by the ORM's
    own query, and gives the records the ORM sorts."""
    cases = {
        "country=QKD&kind=exercise": sorted_slugs(crowded_country, kind="exercise"),
        "country=QKD&country=QKE": [],  # no exercise of both
    }
    for query, expected in cases.items():
        with CaptureQueriesContext(connection) as queries:
            slugs, _ = paged_slugs(client, query)
        assert not any('"list_start"' in q["sql"] for q in queries.captured_queries)
        assert slugs == expected, query
    assert len(cases["country=QKD&kind=exercise"]) == 7


def test_only_a_reader_who_sees_no_drafts_is_given_the_index(crowded_country, django_user_model):
    """The list order holds published exercises only: a curator's list (which the read cache
    never keeps, so it does not reach page_ids_for over HTTP today) is refused it all the same."""
    parameters = (("country", ("QKD",)),)
    curator = django_user_model.objects.create_superuser("curator", password="x" * 20)
    for user, given in ((AnonymousUser(), True), (curator, False)):
        view = ExerciseViewSet(action="list", request=SimpleNamespace(user=user))
        view.filterset = SimpleNamespace(
            form=SimpleNamespace(cleaned_data={"country": [crowded_country]})
        )
        page = view.page_ids_for(parameters, ExerciseViewSet.queryset.all())
        assert (page is not None) == given, user


def test_a_curators_list_shows_the_drafts_the_index_leaves_out(
    client, crowded_country, django_user_model
):
    curator = django_user_model.objects.create_superuser("curator", password="x" * 20)
    client.force_login(curator)
    with CaptureQueriesContext(connection) as queries:
        slugs, count = paged_slugs(client, "country=QKD")
    assert not any('"list_start"' in q["sql"] for q in queries.captured_queries)
    assert {"drafted", "withdrawn"} <= set(slugs) and count == 9


def test_the_copies_sort_as_the_exercises_columns_do():
    """Each copy has its column's collation: the index cuts pages in the order they show in."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.attname, a.attcollation FROM pg_attribute a
                WHERE (a.attrelid = 'missions_exercise'::regclass
                       AND a.attname IN ('start', 'name', 'slug'))
                   OR (a.attrelid = 'missions_exerciseparticipant'::regclass
                       AND a.attname IN ('list_start', 'list_name', 'list_slug'))"""
        )
        collations = dict(cursor.fetchall())
    assert len(collations) == 6
    for name in ("start", "name", "slug"):
        assert collations[f"list_{name}"] == collations[name], name


def concurrent_writes(first, second):
    """Run `first` in a transaction of its own, then `second` in another connection's while the
    first is still open; commit the first (the second may be waiting on it), then the second."""
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT'] or 5432} dbname={settings['NAME']}"
    dsn += f" user={settings['USER']}"
    with psycopg.connect(dsn) as one, psycopg.connect(dsn) as two:
        one.execute(*first)
        waited = threading.Event()

        def run_second():
            two.execute(*second)
            waited.set()
            two.commit()

        thread = threading.Thread(target=run_second)
        thread.start()
        blocked = not waited.wait(0.5)
        one.commit()
        thread.join(10)
        assert not thread.is_alive()
        return blocked


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_an_exercise_and_its_participations_leave_no_stale_copy():
    """A curator retracting an exercise while an import adds a participation to it: whichever
    writes first, the other waits for it, and the copy ends as the exercise is."""
    country = CountryFactory(code="QKH")
    exercise = ExerciseFactory(start="2001")
    retract = (
        "UPDATE missions_exercise SET status = 'draft' WHERE id = %s",
        [exercise.pk],
    )
    join = (
        "INSERT INTO missions_exerciseparticipant (role, country_id, exercise_id) "
        "VALUES ('participant', %s, %s)",
        [country.pk, exercise.pk],
    )
    assert concurrent_writes(retract, join), "the participation waits for the exercise's write"
    assert stale() == []
    ExerciseParticipant.objects.all().delete()
    Exercise.objects.filter(pk=exercise.pk).update(status=Status.PUBLISHED)
    assert concurrent_writes(join, retract), "the exercise's write waits for the participation"
    assert stale() == []
    assert list_order_of(ExerciseParticipant.objects.get())[0] == Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_list_order_and_takes_it_away():
    ParticipantFactory(country=CountryFactory(code="QKF"))
    participations = ExerciseParticipant.objects.count()
    executor = MigrationExecutor(connection)
    here = [("missions", "0016_participant_list_order")]
    before = [("missions", "0015_partial_dates_bytewise")]
    try:
        executor.migrate(before)
        with connection.cursor() as cursor:
            columns = {c.name for c in connection.introspection.get_table_description(
                cursor, "missions_exerciseparticipant")}  # fmt: skip
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%list_order%%'")
            assert cursor.fetchone() == (0,)
        assert columns.isdisjoint(list_order.COLUMNS)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(here)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%list_order%%'")
        assert cursor.fetchone() == (2,)
    assert stale() == []
    assert ExerciseParticipant.objects.count() == participations


def test_synthetic_exercises_written_without_triggers_carry_their_list_order(monkeypatch):
    """make bench-data turns triggers off for a large scale (session_replication_role): the
    rows it copies carry their list order themselves."""
    for number in range(12):
        CountryFactory(code=f"Q{chr(65 + number)}Y")
    monkeypatch.setattr(bench_data, "REBUILD_INDEXES_FROM", 1)
    call_command("bench_data", scale=30)
    assert ExerciseParticipant.objects.filter(exercise__slug__startswith="bench-").count() >= 60
    assert stale() == []
