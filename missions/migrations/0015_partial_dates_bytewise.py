"""Partial dates compare byte by byte on PostgreSQL (milidip.dates.PartialDateField)."""

from django.db import migrations

from milidip.dates import collate_partial_dates


class Migration(migrations.Migration):
    dependencies = [("missions", "0014_h12_claims")]

    operations = [
        migrations.RunPython(
            collate_partial_dates("missions"), collate_partial_dates("missions", "default")
        ),
    ]
