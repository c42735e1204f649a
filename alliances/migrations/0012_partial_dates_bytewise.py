"""Partial dates compare byte by byte on PostgreSQL (milidip.dates.PartialDateField)."""

from django.db import migrations

from milidip.dates import collate_partial_dates


class Migration(migrations.Migration):
    dependencies = [("alliances", "0011_treaty_country_claims")]

    operations = [
        migrations.RunPython(
            collate_partial_dates("alliances"), collate_partial_dates("alliances", "default")
        ),
    ]
