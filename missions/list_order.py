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

The columns are PostgreSQL's own, not the model's: triggers keep them (made by migration
missions.0016), so that every door that writes (the admin, the API, CSV and dataset imports,
revert, recover, raw SQL, COPY) keeps them without knowing of them, and neither forms,
serializers, fixtures nor the history see them.
- A participation inserted or updated reads its exercise's four values (BEFORE, row by row),
  locking the exercise's row FOR SHARE: a transaction changing that exercise at the same time
  either commits first (and its values are the ones read) or waits for this one to commit (and
  its own trigger then sees this participation). Unlocked, each could miss the other's write.
  The price: an exercise's status, start, name or slug cannot change while a transaction that
  wrote one of its participations is open (a curator's save waits for a dataset import that
  touched it, seconds at most).
- An exercise inserted, or whose status, start, name or slug changes, writes them to its
  participations (AFTER, row by row, locking those rows): this covers a participation inserted
  before its exercise in one transaction (the foreign keys are deferred).
- The triggers name no column in their definitions (the function compares), and the copies are
  `text`: PostgreSQL refuses to alter a column that a trigger's WHEN or UPDATE OF names, and a
  later migration may lengthen a name or change a collation. A collation given to
  missions_exercise's name, slug or start must be given to the copy as well, or pages would be
  cut in another order than the one they are shown in (tests/api/test_list_order.py compares
  the columns' collations and every page with the sorted list). The functions' bodies and
  PAGE_IDS name the tables and columns as text: a migration that renames one must write the
  functions again.
- A page's ids, cut from the index, are checked against the exercises' own status: a copy that
  some write the triggers did not see left stale could misplace a record, never show a draft.
Writes that switch triggers off (session_replication_role = replica, as make bench-data does
for a large scale) must write the columns themselves.

SQLite has no such columns (a table rebuilt by a later migration would lose them and their
triggers without a word): its lists sort as before.
"""

from django.db import connections

COLUMNS = ("list_status", "list_start", "list_name", "list_slug")

# Cut from the index, then checked against the exercises themselves (51 rows by primary key):
# a copy stale by some write the triggers did not see can misplace a record on a page, but can
# never show a draft or a retracted record to an anonymous reader.
PAGE_IDS = (
    'SELECT "page"."exercise_id" FROM ('
    'SELECT "exercise_id" FROM "missions_exerciseparticipant" '
    'WHERE "country_id" = %s '
    "AND \"list_status\" = 'published' "
    'ORDER BY "list_start", "list_name", "list_slug" LIMIT %s OFFSET %s'
    ') "page" JOIN "missions_exercise" ON "missions_exercise"."id" = "page"."exercise_id" '
    'WHERE "missions_exercise"."status" = \'published\''
)


def page_ids(alias, country_id):
    """For the published exercises a country takes part in, in list order (start, name, slug):
    a function of (offset, limit) giving the (SQL, parameters) of that page's exercise ids; None
    where the database keeps no list order (SQLite)."""
    if connections[alias].vendor != "postgresql":
        return None

    def page(offset, limit):
        return PAGE_IDS, (country_id, limit, offset)

    return page
