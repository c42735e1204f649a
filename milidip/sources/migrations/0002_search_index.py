"""Full-text GIN index on PostgreSQL for the sources' `search` filter (nothing on SQLite)."""

from django.db import migrations

from milidip.search_indexes import add_search_index


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [
        migrations.RunPython(
            *add_search_index("sources", "source", ("title", "author", "publisher", "description"))
        )
    ]
