"""The two curation groups: curators create and edit; reviewers also publish, retract, delete.

Permissions are normally made after migrations run; they are made here first so the groups can
be given them on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORDS = {
    "sources": ["source"],
    "alliances": ["country", "alliance", "treaty"],
    "missions": ["exercise", "mission", "challenge"],
}
ROWS = {
    "sources": [],
    "alliances": [
        "membership",
        "countrycitation",
        "alliancecitation",
        "treatycitation",
    ],
    "missions": [
        "exerciseparticipant",
        "missioncontribution",
        "missionlocation",
        "exercisecitation",
        "missioncitation",
        "challengecitation",
    ],
}


def codenames(group):
    """(app_label, codename) of every permission the group holds."""
    for app_label, models in RECORDS.items():
        for model in models:
            yield app_label, f"view_{model}"
            yield app_label, f"add_{model}"
            yield app_label, f"change_{model}"
            if group == "reviewer":
                yield app_label, f"delete_{model}"
                yield app_label, f"publish_{model}"
    for app_label, models in ROWS.items():
        for model in models:
            for action in ("view", "add", "change", "delete"):
                yield app_label, f"{action}_{model}"


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name in ("curator", "reviewer"):
        group, _ = group_model.objects.get_or_create(name=name)
        for app_label, codename in codenames(name):
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["curator", "reviewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0003_history_and_publishing"),
        ("alliances", "0004_history_and_publishing"),
        ("missions", "0005_history_and_publishing"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
