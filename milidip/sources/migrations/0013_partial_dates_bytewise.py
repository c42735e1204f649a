"""Partial dates compare byte by byte on PostgreSQL (milidip.dates.PartialDateField)."""

from django.db import migrations

from milidip.dates import collate_partial_dates


class Migration(migrations.Migration):
    dependencies = [("sources", "0012_h2_import_runs_and_merges")]

    operations = [
        migrations.RunPython(
            collate_partial_dates("sources"), collate_partial_dates("sources", "default")
        ),
    ]
