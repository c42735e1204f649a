"""After an import, the planner's statistics are refreshed, and on PostgreSQL the tables are
vacuumed (milidip.datasets.framework.run.refresh_planner_statistics)."""

import pytest
from django.db import connection, transaction

from milidip.datasets.framework.run import refresh_planner_statistics


def vacuum_counts():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, vacuum_count FROM pg_stat_user_tables "
            "WHERE relname IN ('missions_exercise', 'missions_exerciseparticipant')"
        )
        return dict(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's VACUUM")
@pytest.mark.django_db(transaction=True)
def test_after_an_import_postgresql_vacuums_the_tables_it_wrote():
    """Run outside a transaction, as `import_dataset` runs it, the statistics' refresh also
    vacuums (the visibility map lets a country filter read its index alone); inside one, where
    PostgreSQL refuses VACUUM, it analyzes only."""
    before = vacuum_counts()
    with transaction.atomic():
        refresh_planner_statistics()
    assert vacuum_counts() == before
    refresh_planner_statistics()
    after = vacuum_counts()
    assert set(after) == {"missions_exercise", "missions_exerciseparticipant"}
    assert all(after[table] == before[table] + 1 for table in after), (before, after)
