"""Citing records to the rows they come from (`CitationSync`), with what each row states, and
the curated treaties to the rows of the alliances they found (`cite_curated_treaties`)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from alliances.models import Treaty, TreatyCitation
from milidip.datasets.framework.history import BATCH_SIZE, chunks, create_with_history
from milidip.datasets.framework.reporting import reasons


class CitationSync:
    """Cite records to the rows they come from: one citation per (record, source, row).

    Citations are only ever added. `states` is the row's claims (milidip.sources.claims): what
    it says of the record's fields, in the API's encoding; a citation already there takes the
    row's states when they changed, and is otherwise unchanged. A run writes only its own
    source's citations, so it never overwrites another source's claim.
    """

    def __init__(self, run, model, sources):
        self.run, self.model = run, model
        self._seen = {
            (record_id, source_id, locator): (pk, states)
            for record_id, source_id, locator, pk, states in model.objects.filter(
                source__in=sources, quote=""
            ).values_list("record_id", "source_id", "locator", "pk", "states")
        }
        self._new, self._restated = [], []
        self.records = set()

    def cite(self, record, source, row, *, note="", states=None):
        key = (record.pk, source.pk, row.locator)
        states = states or {}
        self.records.add(record.pk)
        if key in self._seen:
            pk, stored = self._seen[key]
            if pk is not None and stored != states:
                self._restated.append(self.model(pk=pk, states=states))
                self._seen[key] = (pk, states)
            else:
                self.run.report.count(self.model, "unchanged")
            return
        self._seen[key] = (None, states)
        citation = self.model(
            record=record, source=source, locator=row.locator, note=note, states=states
        )
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
        if not self._restated:
            return
        pks = [citation.pk for citation in self._restated]
        stored = self.model.objects.in_bulk(pks)
        now = timezone.now()
        changed = []
        for citation in self._restated:
            instance = stored[citation.pk]
            instance.states, instance.updated = citation.states, now
            instance._history_user = None
            changed.append(instance)
        for batch in chunks(changed):
            bulk_update_with_history(
                batch,
                self.model,
                ["states", "updated"],
                batch_size=BATCH_SIZE,
                default_change_reason=self.run.change_reason,
            )
        self.run.report.count(self.model, "updated", len(changed))
        self._restated = []


def cite_curated_treaties(run, source, curated, alliances, label):
    """Cite each curated treaty on the dataset row of the alliance it founds, stating the row's
    start as the treaty's day of signature, and derive the treaties again.

    `curated` is an importer's table of curated pairs {dataset id: treaty slug} (each entry
    saying why the row's alliance is that treaty's), `alliances` the file's alliances by
    dataset id (each with its `row` and `start`), `label` the dataset's name in the note. A
    treaty not stored (the curated records not loaded) or an alliance with no start is passed
    over. Alliance datasets code alliances, not treaties: only a pair a curator made is a
    claim about a treaty."""
    pairs = [
        (key, slug, alliances[key])
        for key, slug in curated.items()
        if key in alliances and alliances[key].start
    ]
    treaties = Treaty.objects.in_bulk([slug for _, slug, _ in pairs], field_name="slug")
    citations = CitationSync(run, TreatyCitation, [source])
    for key, slug, alliance in pairs:
        if slug in treaties:
            note = f"{label} {key}: the alliance this treaty founds, from the day it was signed"
            citations.cite(
                treaties[slug], source, alliance.row, note=note, states={"signed": alliance.start}
            )
    citations.flush()
    run.derive(Treaty, [treaty.pk for treaty in treaties.values()])
