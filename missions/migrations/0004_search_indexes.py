"""Full-text GIN indexes on PostgreSQL for the `search` filters (nothing on SQLite)."""

from django.db import migrations

from milidip.search_indexes import add_search_index

SEARCHED = {
    "exercise": ("name", "location", "description"),
    "mission": ("name", "short_name", "description"),
    "challenge": ("name", "description", "responses"),
}


class Migration(migrations.Migration):
    dependencies = [("missions", "0003_indexes_for_filters")]

    operations = [
        migrations.RunPython(*add_search_index("missions", model, fields))
        for model, fields in SEARCHED.items()
    ]
