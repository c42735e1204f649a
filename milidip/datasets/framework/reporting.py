"""What a run tells: a progress bar on a terminal (plain lines otherwise), the outcomes per
model (created, updated, unchanged, skipped), the bad rows, the records left to curators and
the changes, the rows kept out or changed (`RowNote`: skipped, merged, corrected, each with
its reason, which the run stores with its ImportRun), and the summary that ends a run's
output."""

from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = ("created", "updated", "unchanged", "skipped")


class Progress:
    """A progress bar on a terminal; elsewhere one plain line when the work starts."""

    WIDTH = 30

    def __init__(self, out, label, total, *, quiet=False):
        self.out, self.label, self.total = out, label, total
        self.tty = out.isatty() and not quiet
        self.done = 0
        self._shown = -1
        self._mid_line = False
        if not quiet and not self.tty:
            out.write(f"{label} ({total})")

    def advance(self, count=1):
        self.done += count
        if not self.tty:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        if filled != self._shown or self.done == self.total:
            self._shown = filled
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.out.write(f"\r{self.label} [{bar}] {self.done}/{self.total}", ending="")
            self.out.flush()
            self._mid_line = True

    def interrupt(self):
        """End the bar's line so that a message can be written; the bar goes on below it."""
        if self._mid_line:
            self.out.write("")
            self._mid_line = False
            self._shown = -1

    def finish(self):
        if self.tty:
            self.interrupt()


@dataclass(frozen=True)
class RowNote:
    """A row the run did not import as the file gives it: skipped, merged or corrected."""

    model: str
    locator: str
    outcome: str
    reason: str


@dataclass
class Report:
    """What a run did: outcomes per model, bad rows, skipped records and changes."""

    counts: dict[str, Counter] = field(default_factory=dict)
    bad_rows: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    derived: Counter = field(default_factory=Counter)
    rows: list[RowNote] = field(default_factory=list)

    def count(self, model, outcome, number=1):
        self.counts.setdefault(model._meta.label, Counter())[outcome] += number

    def note(self, model, locator, outcome, reason):
        label = model._meta.label if model is not None else ""
        self.rows.append(RowNote(label, str(locator)[:300], outcome, str(reason)))

    def total(self, outcome):
        return sum(counter[outcome] for counter in self.counts.values())

    def summary(self, dataset, elapsed, *, dry_run):
        """The lines that end a run's output."""
        verb = "would be" if dry_run else "were"
        lines = [
            f"{dataset}: done in {elapsed:.2f} s"
            + (" (dry run: nothing was written)" if dry_run else "")
        ]
        width = max((len(label) for label in self.counts), default=0)
        for label, counter in self.counts.items():
            counts = ", ".join(f"{counter[outcome]} {outcome}" for outcome in OUTCOMES)
            lines.append(f"  {label:<{width}}  {counts}")
        if self.derived:
            derived = ", ".join(f"{number} {label}" for label, number in self.derived.items())
            lines.append(f"  shown values {verb} derived anew from the claims of: {derived}")
        if self.bad_rows:
            lines.append(f"  {len(self.bad_rows)} bad rows {verb} skipped (listed above)")
        noted = Counter(note.outcome for note in self.rows)
        if noted["merged"] or noted["corrected"]:
            lines.append(
                f"  {noted['merged']} rows {verb} merged and {noted['corrected']} corrected "
                "(kept with the run's record, ImportRun)"
            )
        if self.skipped:
            lines.append(
                f"  {len(self.skipped)} records changed by curators {verb} left alone "
                "(listed above; --overwrite replaces them)"
            )
        return lines


def reasons(error):
    """A ValidationError's messages on one line, each after its field's name."""
    return "; ".join(
        " ".join(messages) if name == "__all__" else f"{name}: {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    )


def label(instance):
    """A record as reports name it: its model's label and its str()."""
    return f"{instance._meta.label} {instance}"
