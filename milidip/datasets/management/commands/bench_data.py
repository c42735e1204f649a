"""Fill DATABASE_URL's database with synthetic exercises for benchmarks: `make bench-data SCALE=N`.

Shaped like the Multinational Military Exercises dataset: about three participants each (one
host), partial dates at MME's mix of precisions (year, month, day), a few drafts, and one citation
of a dataset row each. Countries are the ones already in the database (import the datasets
first: `make setup-db`), the United States and a few others taking part far more often, as in
MME. Deterministic: the same SCALE gives the same records (a seeded generator).

Written in bulk (COPY on PostgreSQL, bulk_create in batches on SQLite), so a million exercises
take minutes; the rows bypass the services and have no history: this is for a throwaway
benchmark database, never a real one. Running it again adds nothing when the records are there.
"""

import random
from contextlib import contextmanager
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg.types.json import Jsonb

from alliances.models import Country
from milidip.records import Status
from milidip.sources.models import Source
from missions import list_order
from missions.models import Exercise, ExerciseCitation, ExerciseParticipant

SOURCE_SLUG = "synthetic-benchmark-exercises"
BATCH = 5000
REBUILD_INDEXES_FROM = 50_000
WORDS = (
    "Eagle", "Shield", "Freedom", "Guardian", "Pacific", "Northern", "Sea", "Dragon", "Lion",
    "Falcon", "Cobra", "Steppe", "Spirit", "Harmony", "Resolve", "Thunder", "Anchor", "Trident",
    "Valiant", "Sentinel", "Balikatan", "Tiger",
)  # fmt: skip
EXERCISE_COLUMNS = [
    "id", "status", "retraction_reason", "created", "updated", "slug", "name", "kind", "start",
    "end", "location", "description", "mme_id", "mme_series", "disputed",
]  # fmt: skip
PARTICIPANT_COLUMNS = ["id", "role", "country_id", "exercise_id"]
CITATION_COLUMNS = [
    "id",
    "quote",
    "locator",
    "note",
    "created",
    "updated",
    "record_id",
    "source_id",
    "states",
]


def partial_date(rng, year):
    """A date at MME's mix of precisions: a year, a month or a day."""
    precision = rng.random()
    if precision < 0.15:
        return str(year)
    month = rng.randint(1, 12)
    if precision < 0.4:
        return f"{year}-{month:02}"
    return f"{year}-{month:02}-{rng.randint(1, 28):02}"


def synthetic_rows(scale, first_ids, countries, source_id, now):
    """(exercises, participants, citations) as tuples in the tables' column order, in batches;
    a participant's ends with its exercise's list order (missions.list_order.COLUMNS)."""
    rng = random.Random(12)
    exercise_id, participant_id, citation_id = first_ids
    # The United States and a few others take part far more often, as in MME.
    weights = [25 if code == "USA" else 6 if code in ("KOR", "JPN", "GBR", "FRA") else 1
               for code, _ in countries]  # fmt: skip
    country_ids = [pk for _, pk in countries]
    exercises, participants, citations = [], [], []
    for number in range(1, scale + 1):
        exercise_id += 1
        year = rng.randint(1980, 2024)
        start = partial_date(rng, year)
        end = start if rng.random() < 0.6 else ""
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {year}"
        status = Status.DRAFT if rng.random() < 0.02 else Status.PUBLISHED
        exercises.append(
            (exercise_id, status, "", now, now, f"bench-{number}", name, "exercise", start,
             end, rng.choice(("", "Pacific Ocean", "Korean Peninsula", "Baltic Sea")),
             "A synthetic exercise for benchmarks.", "", "", [])
        )  # fmt: skip
        count = rng.choice((2, 2, 3, 3, 3, 4, 4, 5))
        chosen = set()
        while len(chosen) < count:
            chosen.add(rng.choices(country_ids, weights)[0])
        for index, country_id in enumerate(sorted(chosen)):
            participant_id += 1
            role = "host" if index == 0 else "participant"
            # Then the exercise's list order (missions.list_order), written on PostgreSQL.
            participants.append(
                (participant_id, role, country_id, exercise_id, status, start, name,
                 f"bench-{number}")
            )  # fmt: skip
        citation_id += 1
        citations.append(
            (citation_id, "", f"synthetic row {number}", "", now, now, exercise_id, source_id, {})
        )
        if len(exercises) >= BATCH or number == scale:
            yield exercises, participants, citations
            exercises, participants, citations = [], [], []


def copy_rows(cursor, table, columns, rows):
    quoted = ", ".join(f'"{column}"' for column in columns)
    with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [Jsonb(value) if isinstance(value, dict | list) else value for value in row]
            )


class Command(BaseCommand):
    help = "Add SCALE synthetic exercises (with participants and citations) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="How many exercises.")

    def handle(self, *args, scale, **options):
        if scale < 1:
            raise CommandError("--scale: at least 1.")
        countries = list(Country.objects.order_by("pk").values_list("code", "pk"))
        if len(countries) < 10:
            raise CommandError("Import the datasets first (make setup-db): too few countries.")
        done = Exercise.objects.filter(slug__startswith="bench-").count()
        if done >= scale:
            self.stdout.write(f"bench-data: {done} synthetic exercises already there.")
            return
        if done:
            raise CommandError(
                f"{done} synthetic exercises are there, not {scale}: use a fresh database."
            )
        started = datetime.now(UTC)
        with transaction.atomic():
            source, _ = Source.objects.get_or_create(
                slug=SOURCE_SLUG,
                defaults={
                    "title": "Synthetic exercises for benchmarks",
                    "kind": Source.Kind.DATASET,
                    "status": Status.PUBLISHED,
                    "description": "Generated by make bench-data; not real data.",
                },
            )
            participant_columns = PARTICIPANT_COLUMNS
            if connection.vendor == "postgresql":
                # Triggers keep these columns, but not while session_replication_role is
                # `replica` (indexes_rebuilt_after): the rows carry them.
                participant_columns = [*PARTICIPANT_COLUMNS, *list_order.COLUMNS]
            tables = [
                (Exercise, EXERCISE_COLUMNS),
                (ExerciseParticipant, participant_columns),
                (ExerciseCitation, CITATION_COLUMNS),
            ]
            first_ids = [
                (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
                for model, _ in tables
            ]
            batches = synthetic_rows(scale, first_ids, countries, source.pk, started)
            with self.indexes_rebuilt_after([model for model, _ in tables], scale):
                for batch in batches:
                    for (model, columns), rows in zip(tables, batch, strict=True):
                        self.write(model, columns, rows)
            self.reset_sequences([model for model, _ in tables])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model, _ in tables:
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        seconds = (datetime.now(UTC) - started).total_seconds()
        self.stdout.write(f"bench-data: {scale} synthetic exercises written in {seconds:.1f} s.")

    def write(self, model, columns, rows):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_rows(cursor.cursor, model._meta.db_table, columns, rows)
            return
        by_column = {field.column: field for field in model._meta.concrete_fields}
        fields = [by_column[column] for column in columns]
        model.objects.bulk_create(
            [
                # A participant's list order is PostgreSQL's alone (missions.list_order).
                model(**dict(zip([f.attname for f in fields], row[: len(fields)], strict=True)))
                for row in rows
            ],
            batch_size=500,
        )

    @contextmanager
    def indexes_rebuilt_after(self, models, scale):
        """On PostgreSQL, for a large scale: the tables' plain indexes (not those of
        constraints) dropped while the rows are copied and built again after, once: several
        times faster than updating them row by row (the full-text GIN index above all)."""
        if connection.vendor != "postgresql" or scale < REBUILD_INDEXES_FROM:
            yield
            return
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [tables],
            )
            indexes = cursor.fetchall()
            # The rows are consistent by construction: no foreign-key trigger per row.
            cursor.execute("SET LOCAL session_replication_role = replica")
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            for _, definition in indexes:
                cursor.execute(definition)

    def reset_sequences(self, models):
        if connection.vendor != "postgresql":
            return  # SQLite takes the next id after the largest
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
