"""Curated merges: the records the datasets or the articles give twice, merged into one after
every import, and the aggregate UN missions made the parents of their parts.

Reads seeds/datasets/curated_merges.csv, one row per decision: `model` (app_label.model_name
of a record with a slug), `record` (its slug), `action`, `into` (the slug of the record kept,
or of the parent) and `reason`. It runs last, after every dataset and the curated records:

- merge: `record` is merged into `into` through the merge service (milidip.sources.merges:
  its citations, rows and links move, both histories say so, a MergedSlug makes its slug
  answer with a redirect). A record already merged is unchanged; a record not stored is
  reported (it may never have been made: an import that attaches ATOP's codings to the COW
  record makes no atop-4125). Later imports do not make the merged record again (the
  framework's RecordSync gives its rows to the record kept).
- part_of: `record` becomes a part of `into` (Mission.part_of): UNOSOM I and II of UNOSOM.
  A part whose parent a curator set otherwise is left alone and reported.

Each merge and each part is kept with the run (ImportRunRow, merged or corrected).
"""

from django.apps import apps
from django.core.exceptions import ValidationError

from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.reading import Input, RowError
from milidip.sources.merges import record_merge
from milidip.sources.models import MergedSlug

ACTIONS = ("merge", "part_of")
MODELS = ("missions.mission", "missions.exercise", "alliances.alliance", "alliances.treaty")


class CuratedMerges(Dataset):
    name = "curated-merges"
    inputs = {
        "merges": Input(
            file="curated_merges.csv", columns=("model", "record", "action", "into", "reason")
        )
    }

    def load(self, run):
        run.sync_sources()
        for row in run.rows("merges"):
            try:
                model, record, into = self.records(row)
                if row["action"] == "merge":
                    self.merge(run, row, model, record, into)
                else:
                    self.part_of(run, row, model, record, into)
            except RowError as error:
                run.bad_row(row, error)

    @staticmethod
    def records(row):
        if row["model"] not in MODELS:
            raise RowError(f"model {row['model']!r} is not one of {', '.join(MODELS)}")
        if row["action"] not in ACTIONS:
            raise RowError(f"action {row['action']!r} is not one of {', '.join(ACTIONS)}")
        if not row["reason"].strip():
            raise RowError("no reason")
        model = apps.get_model(row["model"])
        into = model.objects.filter(slug=row["into"]).first()
        if into is None:
            raise RowError(f"no {row['model']} {row['into']!r} to keep")
        return model, model.objects.filter(slug=row["record"]).first(), into

    @staticmethod
    def merge(run, row, model, record, into):
        label = row["model"]
        if record is None:
            if MergedSlug.objects.filter(model=label, old_slug=row["record"]).exists():
                run.report.count(MergedSlug, "unchanged")
                return
            run.note_row(
                row, "skipped", f"no {label} {row['record']!r} is stored: nothing to merge"
            )
            run.report.count(MergedSlug, "skipped")
            return
        try:
            merged = record_merge(record=record, into=into, reason=row["reason"])
        except ValidationError as error:
            raise RowError(" ".join(error.messages)) from None
        run.merged_slugs.append(merged.pk)
        run.report.count(MergedSlug, "created")
        run.note_row(
            row, "merged", f"{row['record']} merged into {row['into']}: {row['reason']}", quiet=True
        )

    @staticmethod
    def part_of(run, row, model, record, into):
        if record is None:
            raise RowError(f"no {row['model']} {row['record']!r}")
        if not hasattr(record, "part_of"):
            raise RowError(f"a {row['model']} has no part_of")
        if record.part_of_id == into.pk:
            run.report.count(model, "unchanged")
            return
        if record.part_of_id is not None:
            run.note_row(
                row,
                "skipped",
                f"{record.slug} is part of {record.part_of.slug}, as a curator set it; "
                f"the table says {into.slug}",
            )
            run.report.count(model, "skipped")
            return
        record.part_of = into
        try:
            record.full_clean()
        except ValidationError as error:
            raise RowError(" ".join(error.messages)) from None
        record._change_reason = f"import curated-merges: part of {into.slug}"[:100]
        record.save()
        run.report.count(model, "updated")
        run.note_row(
            row, "corrected", f"{record.slug} is part of {into.slug}: {row['reason']}", quiet=True
        )
