"""Create the fixed vocabularies of exercise domains and purposes."""

from django.db import migrations

from missions.models import DOMAINS, PURPOSES


def create_vocabularies(apps, schema_editor):
    for model_name, vocabulary in (("Domain", DOMAINS), ("Purpose", PURPOSES)):
        model = apps.get_model("missions", model_name)
        for code, name in vocabulary.items():
            model.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("missions", "0001_initial")]

    operations = [migrations.RunPython(create_vocabularies, migrations.RunPython.noop)]
