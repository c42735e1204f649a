"""Each participation carries its exercise's list order, kept by triggers, on PostgreSQL
(missions.list_order): a country's exercises are paged from one index."""

from django.db import migrations

from missions import list_order


class Migration(migrations.Migration):
    dependencies = [("missions", "0015_partial_dates_bytewise")]

    operations = [migrations.RunPython(list_order.install, list_order.remove)]
