"""Reviewers see, annotate and decide revisions; curators see them (their own pending changes)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"curator": ["view"], "reviewer": ["view", "change"]}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group in group_model.objects.filter(name__in=GRANTS):
        for action in GRANTS[group.name]:
            group.permissions.add(
                permission_model.objects.get(
                    content_type__app_label="sources", codename=f"{action}_revision"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0008_revisions_for_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
