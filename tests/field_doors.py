"""The field lists each door shows of a record: API output and input, CSV columns, admin form.

Shared by tests/test_field_lists.py and the probe it runs in a separate process.
"""

from django.contrib import admin

from alliances import serializers as alliance_serializers
from milidip.sources import serializers as source_serializers
from missions import serializers as mission_serializers

SERIALIZERS = {
    "Country": alliance_serializers,
    "Alliance": alliance_serializers,
    "Treaty": alliance_serializers,
    "Exercise": mission_serializers,
    "Mission": mission_serializers,
    "Challenge": mission_serializers,
    "Source": source_serializers,
}


def doors(name):
    """Each door's field names for the record named `name` (e.g. "Country")."""
    module = SERIALIZERS[name]
    shown = admin.site.get_model_admin(getattr(module, f"{name}Serializer").Meta.model)
    (resource,) = shown.resource_classes
    result = {
        "output": list(getattr(module, f"{name}Serializer")().fields),
        "csv": [field.column_name for field in resource().get_export_fields()],
        "admin_fieldsets": [
            [title, {**options, "fields": list(options["fields"])}]
            for title, options in shown.fieldsets
        ],
    }
    if hasattr(module, f"{name}InputSerializer"):
        result["input"] = list(getattr(module, f"{name}InputSerializer")().fields)
    return result


def every_door():
    return {name: doors(name) for name in SERIALIZERS}
