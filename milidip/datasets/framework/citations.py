"""Citing records to the rows they come from (`CitationSync`)."""

from django.core.exceptions import ValidationError

from milidip.datasets.framework.history import create_with_history
from milidip.datasets.framework.reporting import reasons


class CitationSync:
    """Cite records to the rows they come from: one citation per (record, source, row).

    Citations are only ever added: one that is already there is unchanged.
    """

    def __init__(self, run, model, sources):
        self.run, self.model = run, model
        self._seen = set(
            model.objects.filter(source__in=sources, quote="").values_list(
                "record_id", "source_id", "locator"
            )
        )
        self._new = []

    def cite(self, record, source, row, *, note=""):
        key = (record.pk, source.pk, row.locator)
        if key in self._seen:
            self.run.report.count(self.model, "unchanged")
            return
        self._seen.add(key)
        citation = self.model(record=record, source=source, locator=row.locator, note=note)
        try:
            citation.full_clean(
                exclude=["record", "source"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self.run.bad_row(row, reasons(error), model=self.model)
            return
        self._new.append(citation)

    def flush(self):
        create_with_history(self.run, self.model, self._new)
        self._new = []
