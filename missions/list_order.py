"""A country's exercises in list order, read from one index (PostgreSQL).

The busiest list is a country's exercises (`/api/v1/exercises/?country=USA`; a dossier links to
it). Its rows are found through the participants' index, but their order (start, name, slug)
lives on the exercises: PostgreSQL joined all of a country's participations to their exercises
and sorted them for every page (the US: 1,884 rows, about 1.5 ms of a page's ~3 ms of
PostgreSQL time, the largest single part of a page 30 under load).

So each participation carries its exercise's list order: four columns on
missions_exerciseparticipant (`list_status`, `list_start`, `list_name`, `list_slug`) and a
partial index on (country, list order) of published exercises. A page's ids are then an
index-only scan of one country's entries, cut at the page (the US's page 30: 0.14 ms against
1.5-2 ms, EXPLAIN ANALYZE on the full data).

The columns are PostgreSQL's own, not the model's: triggers keep them, so that every door that
writes (the admin, the API, CSV and dataset imports, revert, recover, raw SQL, COPY) keeps them
true without knowing of them, and neither forms, serializers, fixtures nor the history see them.
- A participation inserted or updated reads its exercise's four values (BEFORE, row by row).
- An exercise inserted, or whose status, start, name or slug changes, writes them to its
  participations (AFTER, row by row): this covers a participation inserted before its exercise
  in one transaction (the foreign keys are deferred).
- The triggers name no column in their definitions (the function compares), and the copies are
  `text`: PostgreSQL refuses to alter a column that a trigger's WHEN or UPDATE OF names, and a
  later migration may lengthen a name or change a collation. A collation given to
  missions_exercise's name, slug or start must be given to the copy as well, or the pages would
  be cut in another order than the one they are shown in (tests/api/test_list_order.py
  compares every page with the sorted list).
Writes that switch triggers off (session_replication_role = replica, as make bench-data does
for a large scale) must write the columns themselves.

The functions are made with CREATE OR REPLACE: a backup from before this migration, restored
(pg_restore --clean drops and makes again the tables it holds, not functions it does not), leaves
them behind for the migration to make again.

SQLite has no such columns (a table rebuilt by a later migration would lose them and their
triggers without a word): its lists sort as before.
"""

from django.db import connections

COLUMNS = ("list_status", "list_start", "list_name", "list_slug")

INSTALL = [
    """ALTER TABLE missions_exerciseparticipant
        ADD COLUMN list_status text,
        ADD COLUMN list_start text COLLATE "C",
        ADD COLUMN list_name text,
        ADD COLUMN list_slug text""",
    """CREATE OR REPLACE FUNCTION missions_participant_list_order() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- No exercise yet (inserted later in the transaction): NULLs, until its insert
        -- fills them.
        SELECT e.status, e.start, e.name, e.slug
          INTO NEW.list_status, NEW.list_start, NEW.list_name, NEW.list_slug
          FROM missions_exercise e WHERE e.id = NEW.exercise_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER participant_list_order
        BEFORE INSERT OR UPDATE ON missions_exerciseparticipant
        FOR EACH ROW EXECUTE FUNCTION missions_participant_list_order()""",
    """CREATE OR REPLACE FUNCTION missions_exercise_list_order() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (OLD.status, OLD.start, OLD.name, OLD.slug)
                IS NOT DISTINCT FROM (NEW.status, NEW.start, NEW.name, NEW.slug) THEN
            RETURN NULL;
        END IF;
        UPDATE missions_exerciseparticipant
           SET list_status = NEW.status, list_start = NEW.start, list_name = NEW.name,
               list_slug = NEW.slug
         WHERE exercise_id = NEW.id;
        RETURN NULL;
    END $$""",
    # No column list and no WHEN: a trigger's definition naming a column would stop any
    # later migration from altering that column's type or collation.
    """CREATE TRIGGER exercise_list_order
        AFTER INSERT OR UPDATE ON missions_exercise
        FOR EACH ROW EXECUTE FUNCTION missions_exercise_list_order()""",
    """UPDATE missions_exerciseparticipant p
          SET list_status = e.status, list_start = e.start, list_name = e.name,
              list_slug = e.slug
         FROM missions_exercise e
        WHERE e.id = p.exercise_id""",
    """CREATE INDEX participant_in_list_order ON missions_exerciseparticipant
        (country_id, list_start, list_name, list_slug, exercise_id)
        WHERE list_status = 'published'""",
    # The planner's statistics for the new columns. (The rows the UPDATE above rewrote are
    # read from the table, not the index alone, until a vacuum marks them visible again.)
    "ANALYZE missions_exerciseparticipant",
]

REMOVE = [
    "DROP TRIGGER exercise_list_order ON missions_exercise",
    "DROP FUNCTION missions_exercise_list_order()",
    "DROP TRIGGER participant_list_order ON missions_exerciseparticipant",
    "DROP FUNCTION missions_participant_list_order()",
    "DROP INDEX participant_in_list_order",
    """ALTER TABLE missions_exerciseparticipant
        DROP COLUMN list_status, DROP COLUMN list_start, DROP COLUMN list_name,
        DROP COLUMN list_slug""",
]

PAGE_IDS = (
    'SELECT "exercise_id" FROM "missions_exerciseparticipant" '
    'WHERE "country_id" = %s '
    "AND \"list_status\" = 'published' "
    'ORDER BY "list_start", "list_name", "list_slug" LIMIT %s OFFSET %s'
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INSTALL:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


def page_ids(alias, country_id):
    """For the published exercises a country takes part in, in list order (start, name, slug):
    a function of (offset, limit) giving the (SQL, parameters) of that page's exercise ids; None
    where the database keeps no list order (SQLite)."""
    if connections[alias].vendor != "postgresql":
        return None

    def page(offset, limit):
        return PAGE_IDS, (country_id, limit, offset)

    return page
