"""Writing records: one service for every record type, so every writer obeys the same rules.

`record_save` sets a record's fields, its many-to-many links, its rows (memberships,
participants, contributions, locations) and its citations, validating each with the model's own
`full_clean` (the checks the admin runs: verbatim quotes, dates, codes, constraints) inside one
transaction. Any failure raises ValidationError with the path of the field at fault
(`citations[0].quote`) and leaves the database as it was.
"""

from django.core.exceptions import ValidationError
from django.db import transaction


def _prefixed(error, prefix):
    if hasattr(error, "error_dict"):
        return ValidationError(
            {f"{prefix}.{field}": messages for field, messages in error.message_dict.items()}
        )
    return ValidationError({prefix: error.messages})


def _replace_rows(record, related_name, items):
    manager = getattr(record, related_name)
    manager.all().delete()
    parent_field = manager.field.name
    for index, item in enumerate(items):
        row = manager.model(**{parent_field: record}, **item)
        try:
            row.full_clean()
        except ValidationError as error:
            raise _prefixed(error, f"{related_name}[{index}]") from error
        row.save()


@transaction.atomic
def record_save(*, record, fields, links=None, rows=None, citations=None):
    """Create or update `record` and what hangs off it; returns the saved record.

    fields: model field values to set. links: {m2m name: [objects]} to set in full.
    rows: {related name: [field dicts]}, each list replacing the record's rows.
    citations: [field dicts] replacing the record's citations; a record needs at least one.
    """
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    for name, objects in (links or {}).items():
        getattr(record, name).set(objects)
    for related_name, items in (rows or {}).items():
        _replace_rows(record, related_name, items)
    if citations is not None:
        if not citations:
            raise ValidationError({"citations": ["Cite at least one source."]})
        _replace_rows(record, "citations", citations)
    return record
