"""The hand-written floors of `make bench` (bench/run): what the same answers cost without a
framework.

- A bare WSGI app (run by gunicorn with 2 workers, as milidip is):
  `/constant` answers constant bytes; `/list?page=N` answers page N (50 a page) of the published
  exercises the United States took part in, built as JSON by PostgreSQL in one statement (the
  API's fields and embedding: series, alliance, participants with their country, domains,
  purposes and citations with their source; the count and the paging links), on the database at
  FLOOR_DATABASE_URL.
- `python bench/floor.py datasette-query N` prints the query string that asks Datasette for the
  same page of the same SQLite file (JSON1 embedding, no count).
"""

import json
import os
import sys
import urllib.parse

PAGE_SIZE = 50
CONSTANT = json.dumps({"detail": "constant bytes, for the floor of a 304 or a cached answer"})

# One exercise as the API shows it (`e` is the exercise; EMBED marks nested JSON), in
# PostgreSQL's words (json_build_object, json_agg); SQLite's JSON1 takes it with the functions
# renamed.
EXERCISE = """json_build_object(
  'slug', e.slug, 'name', e.name, 'kind', e.kind,
  'series', EMBED((SELECT json_build_object('slug', s.slug, 'name', s.name, 'kind', s.kind,
                                      'start', s.start)
             FROM missions_exercise s WHERE s.id = e.series_id)),
  'alliance', EMBED((SELECT json_build_object('slug', a.slug, 'name', a.name,
                                        'short_name', a.short_name, 'kind', a.kind,
                                        'cow_id', a.cow_id, 'atop_id', a.atop_id)
               FROM alliances_alliance a WHERE a.id = e.alliance_id)),
  'participants', EMBED(COALESCE((
      SELECT json_agg(json_build_object('country', json_build_object('code', c.code,
                                                                     'name', c.name),
                                        'role', p.role) ORDER BY p.country_id)
      FROM missions_exerciseparticipant p JOIN alliances_country c ON c.id = p.country_id
      WHERE p.exercise_id = e.id), json_array())),
  'domains', EMBED(COALESCE((
      SELECT json_agg(d.code ORDER BY d.code)
      FROM missions_exercise_domains ed JOIN missions_domain d ON d.id = ed.domain_id
      WHERE ed.exercise_id = e.id), json_array())),
  'purposes', EMBED(COALESCE((
      SELECT json_agg(d.code ORDER BY d.code)
      FROM missions_exercise_purposes ep JOIN missions_purpose d ON d.id = ep.purpose_id
      WHERE ep.exercise_id = e.id), json_array())),
  'start', e.start, 'end', e."end", 'location', e.location,
  'latitude', e.latitude, 'longitude', e.longitude, 'description', e.description,
  'mme_id', e.mme_id, 'mme_series', e.mme_series,
  'status', e.status, 'created', e.created, 'updated', e.updated,
  'citations', EMBED(COALESCE((
      SELECT json_agg(json_build_object(
               'source', json_build_object('slug', so.slug, 'title', so.title,
                                           'kind', so.kind, 'collection', so.collection),
               'quote', ci.quote, 'locator', ci.locator, 'note', ci.note) ORDER BY ci.id)
      FROM missions_exercisecitation ci JOIN sources_source so ON so.id = ci.source_id
      WHERE ci.record_id = e.id), json_array()))
)"""

USA_PUBLISHED = """e.status = 'published' AND EXISTS (
    SELECT 1 FROM missions_exerciseparticipant p JOIN alliances_country c ON c.id = p.country_id
    WHERE p.exercise_id = e.id AND c.code = 'USA')"""

POSTGRESQL_EXERCISE = EXERCISE.replace("json_array()", "'[]'::json").replace("EMBED(", "(")

POSTGRESQL_PAGE = f"""
WITH page AS (
  SELECT e.*, count(*) OVER () AS total FROM missions_exercise e
  WHERE {USA_PUBLISHED}
  ORDER BY e.start, e.name, e.slug LIMIT {PAGE_SIZE} OFFSET %(offset)s
)
SELECT json_build_object(
  'count', (SELECT max(total) FROM page),
  'next', %(next)s::text, 'previous', %(previous)s::text,
  'results', COALESCE(json_agg({POSTGRESQL_EXERCISE} ORDER BY e.start, e.name, e.slug), '[]'::json)
)::text FROM page e
"""

# Nested JSON from a subquery loses SQLite's JSON subtype: json() gives it back.
SQLITE_EXERCISE = (
    EXERCISE.replace("json_build_object", "json_object")
    .replace("json_agg", "json_group_array")
    .replace("EMBED(", "json(")
    # SQLite before 3.44 (Debian's 3.40) takes no ORDER BY inside an aggregate.
    .replace(" ORDER BY p.country_id", "")
    .replace(" ORDER BY d.code", "")
    .replace(" ORDER BY ci.id", "")
)

SQLITE_PAGE = f"""
SELECT {SQLITE_EXERCISE}
  AS exercise
FROM missions_exercise e WHERE {USA_PUBLISHED}
ORDER BY e.start, e.name, e.slug LIMIT {PAGE_SIZE} OFFSET :offset
"""


def link(environ, page):
    if page < 1:
        return None
    host = environ.get("HTTP_HOST", "127.0.0.1")
    return f"http://{host}/list?page={page}"


_connection = None


def page_json(environ, page):
    global _connection
    import psycopg

    if _connection is None:
        _connection = psycopg.connect(
            os.environ["FLOOR_DATABASE_URL"].replace("postgres://", "postgresql://"),
            autocommit=True,
        )
    parameters = {
        "offset": (page - 1) * PAGE_SIZE,
        "next": link(environ, page + 1),
        "previous": link(environ, page - 1),
    }
    (body,) = _connection.execute(POSTGRESQL_PAGE, parameters).fetchone()
    return body.encode()


def application(environ, start_response):
    if environ["PATH_INFO"] == "/list":
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        body = page_json(environ, int(query.get("page", ["1"])[0]))
    else:
        body = CONSTANT.encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


if __name__ == "__main__" and sys.argv[1:2] == ["datasette-query"]:
    page = int(sys.argv[2])
    print(
        urllib.parse.urlencode(
            {
                "sql": SQLITE_PAGE,
                "offset": (page - 1) * PAGE_SIZE,
                "_shape": "array",
                "_json": "exercise",
            }
        )
    )
