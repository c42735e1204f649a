"""Each participation carries its exercise's list order, kept by triggers, on PostgreSQL
(missions.list_order): a country's exercises are paged from one index.

The SQL is written here, not imported: what this migration did stays what it does. The
functions are made with CREATE OR REPLACE: a backup from before this migration, restored
(pg_restore --clean drops and makes again the tables it holds, not functions it does not),
leaves them behind for the migration to make again. They run with the search_path they were
made with (a restore may run with another)."""

from django.db import migrations

INSTALL = [
    """ALTER TABLE missions_exerciseparticipant
        ADD COLUMN list_status text,
        ADD COLUMN list_start text COLLATE "C",
        ADD COLUMN list_name text,
        ADD COLUMN list_slug text""",
    """CREATE OR REPLACE FUNCTION missions_participant_list_order() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        -- No exercise yet (inserted later in the transaction): NULLs, until its insert
        -- fills them. FOR SHARE: a transaction changing the exercise at the same time
        -- finishes first (its values are read), or waits for this one to commit (and its
        -- trigger then sees this row); without it, each could miss the other's write.
        SELECT e.status, e.start, e.name, e.slug
          INTO NEW.list_status, NEW.list_start, NEW.list_name, NEW.list_slug
          FROM missions_exercise e WHERE e.id = NEW.exercise_id
           FOR SHARE;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER participant_list_order
        BEFORE INSERT OR UPDATE ON missions_exerciseparticipant
        FOR EACH ROW EXECUTE FUNCTION missions_participant_list_order()""",
    """CREATE OR REPLACE FUNCTION missions_exercise_list_order() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INSTALL:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("missions", "0015_partial_dates_bytewise")]

    operations = [migrations.RunPython(install, remove)]
