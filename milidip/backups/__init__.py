"""Backups of the whole database: `make backup` and `make restore` (manage.py backup, restore).

The database's own tools copy everything, history included, exactly: pg_dump's custom format
(restored by pg_restore) for PostgreSQL, and SQLite's online backup API for SQLite, which copies
a consistent snapshot even while the server writes (a plain `cp` of a live file may not be).
Django's dumpdata/loaddata is not a backup path here; the README says why.
"""
