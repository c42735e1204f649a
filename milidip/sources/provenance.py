"""Checks that every record in the database says where it comes from.

`provenance_problems()` walks every citation table (the concrete subclasses of Citation) and
reports: records with no citation, citations that fail validation (a quote not verbatim in its
article, a dataset citation without a locator), and articles whose file is missing or changed.
The `check_provenance` command and the test suite both use it.
"""

from django.core.exceptions import ValidationError

from milidip.sources.models import Citation, Source


def citation_models():
    """Every concrete citation model, e.g. TreatyCitation."""
    return [model for model in Citation.__subclasses__() if not model._meta.abstract]


def provenance_problems():
    """Yield one line per problem found; nothing when every record is properly sourced."""
    for source in Source.objects.filter(kind=Source.Kind.ARTICLE):
        try:
            source.full_clean()
        except ValidationError as error:
            yield f"source {source.slug}: {'; '.join(error.messages)}"
    for citation_model in citation_models():
        record_model = citation_model._meta.get_field("record").related_model
        label = record_model._meta.label_lower
        uncited = record_model.objects.filter(citations__isnull=True)
        for record in uncited:
            yield f"{label} {record.natural_key()[0]}: no citation"
        # Uniqueness and the foreign keys are the database's to enforce; checking them here
        # would cost queries per citation, and the datasets bring tens of thousands.
        for citation in citation_model.objects.select_related("record", "source").iterator(
            chunk_size=2000
        ):
            try:
                citation.full_clean(
                    exclude=["record", "source"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                key = citation.record.natural_key()[0]
                problem = "; ".join(error.messages)
                yield f"{label} {key}: citation of {citation.source.slug}: {problem}"
