"""Full-text GIN indexes on PostgreSQL for the `search` filters (nothing on SQLite)."""

from django.db import migrations

from milidip.search_indexes import add_search_index

SEARCHED = {
    "country": ("name", "official_name", "code"),
    "alliance": ("name", "short_name", "description"),
    "treaty": ("name", "short_name", "provisions", "description"),
}


class Migration(migrations.Migration):
    dependencies = [("alliances", "0002_indexes_for_filters")]

    operations = [
        migrations.RunPython(*add_search_index("alliances", model, fields))
        for model, fields in SEARCHED.items()
    ]
