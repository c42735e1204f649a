"""CSV import and export of records in the admin (django-import-export).

A row names related records by code or slug (`alliance`, `parties` as "KOR;USA"), and may carry
one citation in the columns `citation_source`, `citation_quote` and `citation_locator`. A new
record must: nothing enters milidip without a source. Each row is validated like a form in the
admin (the model's full_clean, the verbatim-quote check, reviewer-only publication) and shown
in the preview with its errors before anything is saved; saving goes through
`milidip.services.record_save`, as the API's writes do, so every imported change is in the
record's history. An update of a published or retracted record by a
curator becomes a pending revision for a reviewer (milidip.sources.review), as in the form.

Spreadsheet formats are exported formula-safe (OWASP's CSV-injection advice, as the API's CSV):
a text cell beginning with =, +, -, @, a tab or a carriage return gets a leading single quote,
and an import takes that quote off again, so an export edited and imported back is unchanged.
(django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only deletes a leading "=",
which loses data and leaves +, -, @ formulas through; it is not used.)
"""

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from milidip.api.renderers import FORMULA_STARTS, escape_formula
from milidip.records import check_status_change
from milidip.services import record_save, uncited
from milidip.sources.models import Source
from milidip.sources.review import ReviewGate

CITATION_COLUMNS = ("citation_source", "citation_quote", "citation_locator")
# Formats a spreadsheet opens (and runs formulas in); JSON and YAML are data, left as they are.
SPREADSHEET_FORMATS = ("CSV", "TSV", "XLS", "XLSX", "ODS", "HTML")


def unescape_formula(value):
    """An imported cell without the quote that escape_formula put before a formula start."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def mapped(dataset, function):
    """A copy of a tablib Dataset with `function` applied to every cell."""
    result = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        result.append([function(value) for value in row])
    return result


class FormulaSafeFormat:
    """Mixed into an import-export format: escape formulas on export, unescape on import."""

    def export_data(self, dataset, **kwargs):
        safe = mapped(
            dataset, lambda value: escape_formula(value) if isinstance(value, str) else value
        )
        return super().export_data(safe, **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return mapped(super().create_dataset(in_stream, **kwargs), unescape_formula)


def formula_safe(file_format):
    if file_format.__name__ not in SPREADSHEET_FORMATS:
        return file_format
    return type(file_format.__name__, (FormulaSafeFormat, file_format), {})


# The admin's import and export formats: django-import-export's, formula-safe.
FORMATS = [formula_safe(file_format) for file_format in base_formats.DEFAULT_FORMATS]


class RecordResource(resources.ModelResource):
    """Base resource: validation as in the admin, and one optional citation per row."""

    citation_source = fields.Field(column_name="citation_source", readonly=True)
    citation_quote = fields.Field(column_name="citation_quote", readonly=True)
    citation_locator = fields.Field(column_name="citation_locator", readonly=True)

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        self.pending_citations = {}
        self.review_gate = None

    def save_instance(self, instance, is_create, row, **kwargs):
        # A curator's update of a public record is kept for review, as in the admin's form:
        # the gate opens before the row is written and closes once its links are (save_m2m).
        if not is_create:
            self.review_gate = ReviewGate(record=instance, user=self.user).open()
        super().save_instance(instance, is_create, row, **kwargs)

    def do_instance_save(self, instance, is_create):
        # Through the one write service, as the API writes: validated, in the history, by this
        # user. A new record is saved with the row's citation, which it cannot be without.
        citation = self.pending_citations.pop(id(instance), None) if is_create else None
        citations = None
        if citation is not None:
            citations = [
                {"source": citation.source, "quote": citation.quote, "locator": citation.locator}
            ]
        record_save(record=instance, fields={}, citations=citations, user=self.user)

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if self.review_gate is not None:
            self.review_gate.close()
            self.review_gate = None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        errors = {}
        if self.user is not None:
            try:
                check_status_change(self.user, instance)
            except PermissionDenied as error:
                errors["status"] = [str(error)]
        citation = self.citation_from_row(instance, row, errors)
        if citation is not None:
            self.pending_citations[id(instance)] = citation
        if errors:
            raise ValidationError(errors)

    def citation_from_row(self, instance, row, errors):
        """The row's citation, checked like the admin's citation form; None if the row has none."""
        slug = (row.get("citation_source") or "").strip()
        quote = row.get("citation_quote") or ""
        locator = row.get("citation_locator") or ""
        if not slug:
            # A row may leave an existing record's citations as they are; a new record needs one.
            if uncited(creating=instance.pk is None, citations=None):
                errors["citation_source"] = [
                    "A new record needs a citation: fill citation_source and citation_quote "
                    "(or citation_locator for a dataset)."
                ]
            return None
        source = Source.objects.filter(slug=slug).first()
        if source is None:
            errors["citation_source"] = [f"No source with slug {slug!r}."]
            return None
        citation_model = type(instance).citations.rel.related_model
        citation = citation_model(source=source, quote=quote, locator=locator)
        try:
            citation.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"citation_{field}"] = messages
            return None
        return citation

    def first_citation(self, record):
        # Export queries prefetch citations with their sources (RecordAdmin.get_export_queryset).
        return next(iter(record.citations.all()), None)

    def dehydrate_citation_source(self, record):
        citation = self.first_citation(record)
        return citation.source.slug if citation else ""

    def dehydrate_citation_quote(self, record):
        citation = self.first_citation(record)
        return citation.quote if citation else ""

    def dehydrate_citation_locator(self, record):
        citation = self.first_citation(record)
        return citation.locator if citation else ""

    def after_save_instance(self, instance, row, **kwargs):
        # An existing record's row citation joins its others (a new record's was saved with it).
        citation = self.pending_citations.pop(id(instance), None)
        if citation is None:
            return
        citation.record = instance
        if not citation.record.citations.filter(
            source=citation.source, quote=citation.quote, locator=citation.locator
        ).exists():
            citation.full_clean()
            citation.save()


def by_slug(model, field="slug"):
    return widgets.ForeignKeyWidget(model, field=field)


def many_by(model, field="slug"):
    return widgets.ManyToManyWidget(model, field=field, separator=";")


def record_resource(model, columns, *, id_field="slug", foreign=None, many=None):
    """A RecordResource for `model`: `columns` (from its field list) in order, then the status
    and the citation columns; related records by code or slug."""
    columns = [*columns, "status"]
    attrs = {}
    for name, (related, field) in (foreign or {}).items():
        attrs[name] = fields.Field(attribute=name, column_name=name, widget=by_slug(related, field))
    for name, (related, field) in (many or {}).items():
        attrs[name] = fields.Field(attribute=name, column_name=name, widget=many_by(related, field))
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": [*columns, *CITATION_COLUMNS],
            "export_order": [*columns, *CITATION_COLUMNS],
            "import_id_fields": [id_field],
            "clean_model_instances": True,
            "skip_unchanged": True,
            "report_skipped": True,
        },
    )
    return type(f"{model.__name__}Resource", (RecordResource,), attrs)
