"""Curators and reviewers edit the rows the datasets brought: state-system spells and a
mission's monthly strengths, as they edit memberships and contributions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROWS = {"alliances": ["statesystemmembership"], "missions": ["missionstrength"]}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group in group_model.objects.filter(name__in=["curator", "reviewer"]):
        for app_label, models in ROWS.items():
            for model in models:
                for action in ("view", "add", "change", "delete"):
                    group.permissions.add(
                        permission_model.objects.get(
                            content_type__app_label=app_label, codename=f"{action}_{model}"
                        )
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0005_source_collection"),
        ("alliances", "0006_dataset_identities_and_obligations"),
        ("missions", "0006_dataset_identities_and_strengths"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
