"""Sources and citations: where every record in milidip comes from.

A `Source` is an article kept as a text file in seeds/ (with its SHA-256 checksum) or a dataset.
`Citation` is the abstract base of each record type's citations (TreatyCitation, ...): it links a
record to a Source with a verbatim quote (articles) or a locator (datasets). `Citation.clean` is
the one place where a quote is checked against its article; the admin, the API and the tests all
go through it.
"""

import functools
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from milidip.dates import PartialDateField
from milidip.records import SlugRecord, UpdatedAtField, record_url

WHITESPACE_RE = re.compile(r"\s+")
QUOTE_MIN_LENGTH = 20
QUOTE_MAX_LENGTH = 600


def normalise_whitespace(text):
    """Collapse every run of whitespace to one space and trim the ends."""
    return WHITESPACE_RE.sub(" ", text).strip()


@functools.lru_cache(maxsize=64)
def _read_normalised(path, checksum):
    # Keyed by checksum too, so an edited file is read again.
    return normalise_whitespace(path.read_text(encoding="utf-8"))


def file_checksum(path):
    """SHA-256 hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# What a source's `file` may name: an article's text directly in seeds/, or a dataset file in
# seeds/datasets/. Nothing else is ever opened, so no one can point a source at a server file
# (/proc/self/environ, ../.secret_key) and use the quote check to read it.
SEED_FILE_PATTERNS = {
    "article": re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.txt"),
    "dataset": re.compile(r"datasets/[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.(csv|tsv|txt)"),
}


def seed_file_path(name, kind):
    """The path of the seeds/ file `name` for a source of `kind`; ValidationError for a name
    outside seeds/ (absolute, `..`, another folder, a symlink leading out) or of another type."""
    pattern = SEED_FILE_PATTERNS.get(kind)
    if pattern is None or not pattern.fullmatch(name or ""):
        where = "seeds/datasets/" if kind == "dataset" else "seeds/"
        raise ValidationError(
            {
                "file": f"Name a file in {where} by its name alone (e.g. "
                + ("datasets/mme_v7.csv" if kind == "dataset" else "000_a227187e7c0d9eeb.txt")
                + "); paths outside it are refused."
            }
        )
    root = Path(settings.SEEDS_DIR).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise ValidationError({"file": "The file leads outside seeds/; it is refused."})
    return path


# A source's own fields (status and timestamps aside), in the order the API shows them; the API,
# the CSV columns and the admin's form take theirs from here (milidip.records.field_list).
SOURCE_FIELDS = [
    "slug",
    "title",
    "kind",
    "collection",
    "author",
    "publisher",
    "published",
    "url",
    "citation_text",
    "licence",
    "file",
    "checksum",
    "description",
]


class Source(SlugRecord):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        DATASET = "dataset", "Dataset"

    class Collection(models.TextChoices):
        """The body of sources a source belongs to: the API's `collection` filter."""

        ARTICLES = "articles", "The five articles on South Korean military diplomacy"
        COW = "cow", "Correlates of War (state system, formal alliances)"
        ATOP = "atop", "Alliance Treaty Obligations and Provisions (ATOP)"
        MME = "mme", "Multinational Military Exercises (MME)"
        UN = "un", "United Nations Peace and Security Data Hub"
        IPI = "ipi", "International Peace Institute Peacekeeping Database"
        CURATED = "curated", "milidip's curated tables (the merges of duplicate records)"

    title = models.CharField(max_length=300, help_text="The title as the source gives it.")
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        db_index=True,
        help_text="Article: quotes are checked against its text file. Dataset: citations "
        "give a row locator instead of a quote.",
    )
    collection = models.CharField(
        max_length=10,
        choices=Collection.choices,
        db_index=True,
        help_text="The body of sources it belongs to: the articles, or one dataset family.",
    )
    author = models.CharField(max_length=300, blank=True, help_text="Author(s), if known.")
    publisher = models.CharField(max_length=300, blank=True)
    published = PartialDateField(
        help_text="When it was published, at the precision known (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    url = models.URLField("URL", blank=True, help_text="Where the original can be found.")
    citation_text = models.TextField(
        blank=True, help_text="How to cite the source, as its authors ask to be cited."
    )
    licence = models.CharField(
        max_length=200, blank=True, help_text="The licence or terms the source is used under."
    )
    file = models.CharField(
        max_length=200,
        blank=True,
        help_text="For an article: its text file, relative to seeds/ "
        "(e.g. 000_a227187e7c0d9eeb.txt).",
    )
    checksum = models.CharField(
        "SHA-256 checksum",
        max_length=64,
        blank=True,
        help_text="SHA-256 of the file's bytes; quotes are checked against exactly this text.",
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        permissions = [("publish_source", "Can publish and retract sources")]
        constraints = [
            *SlugRecord.status_constraints("source"),
            models.CheckConstraint(
                condition=Q(kind__in=["article", "dataset"]), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="article") | (~Q(file="") & ~Q(checksum="")),
                name="source_article_has_file_and_checksum",
            ),
            models.CheckConstraint(
                condition=~Q(file__startswith="/")
                & ~Q(file__contains="..")
                & ~Q(file__contains="\\"),
                name="source_file_inside_seeds",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:source", self.slug)

    @property
    def path(self):
        """The source's file in seeds/; ValidationError when `file` names anything else."""
        return seed_file_path(self.file, self.kind)

    def clean(self):
        super().clean()
        if self.file:
            seed_file_path(self.file, self.kind)
        if self.kind != self.Kind.ARTICLE:
            return
        if not self.file:
            raise ValidationError({"file": "An article needs its text file in seeds/."})
        if not self.path.is_file():
            raise ValidationError({"file": f"No file {self.file!r} in seeds/."})
        actual = file_checksum(self.path)
        if self.checksum and self.checksum != actual:
            raise ValidationError(
                {"checksum": f"{self.file} has checksum {actual}, not the one recorded."}
            )
        self.checksum = actual

    def normalised_text(self):
        """The article's text with whitespace normalised, as quotes are matched against it."""
        return _read_normalised(self.path, self.checksum)

    def contains_quote(self, quote):
        """True when the quote appears verbatim in the article (whitespace normalised)."""
        return normalise_whitespace(quote) in self.normalised_text()


class CitationManager(models.Manager):
    def get_by_natural_key(self, record_key, source_slug, quote, locator):
        record_model = self.model._meta.get_field("record").related_model
        return self.get(
            record=record_model.objects.get_by_natural_key(record_key),
            source__slug=source_slug,
            quote=quote,
            locator=locator,
        )


class Citation(models.Model):
    """Abstract: each concrete subclass adds `record`, a ForeignKey named "citations" back."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The article or dataset the record is taken from.",
    )
    quote = models.TextField(
        blank=True,
        max_length=QUOTE_MAX_LENGTH,
        help_text="For an article: a passage copied exactly from it (spacing may differ) that "
        f"supports the record, {QUOTE_MIN_LENGTH} to {QUOTE_MAX_LENGTH} characters.",
    )
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a dataset: the row it was imported from (file and row id).",
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="What the passage supports, if not obvious."
    )
    states = models.JSONField(
        default=dict,
        blank=True,
        help_text="What this row or quote states, field by field, in the API's encoding: "
        '{"defence": true, "start": "1953-10-01", "members/KOR/defence": true}. Each value is '
        "this source's claim; the record shows the one its field's rule picks "
        "(milidip.sources.claims). State only what the quote supports.",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = UpdatedAtField(default=timezone.now, editable=False)

    objects = CitationManager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self):
        return f"{self.source_id and self.source}: {self.quote[:60] or self.locator}"

    def natural_key(self):
        return (self.record.natural_key()[0], self.source.slug, self.quote, self.locator)

    natural_key.dependencies = ["sources.source"]

    def clean(self):
        super().clean()
        if not self.source_id:
            return
        source = self.source
        if source.kind == Source.Kind.ARTICLE:
            self._clean_article_quote(source)
        elif not self.locator:
            raise ValidationError(
                {"locator": f"A citation of the dataset “{source}” needs the row it came from."}
            )
        self._clean_states()

    def _clean_states(self):
        # Imported here: claims reads this module's models.
        from milidip.sources.claims import states_problems

        record_model = type(self)._meta.get_field("record").related_model
        problems = states_problems(record_model, self.states)
        if problems:
            raise ValidationError({"states": problems})

    def _clean_article_quote(self, source):
        quote = normalise_whitespace(self.quote)
        if not quote:
            raise ValidationError(
                {"quote": f"A citation of the article “{source}” needs a verbatim quote."}
            )
        if len(quote) < QUOTE_MIN_LENGTH:
            raise ValidationError(
                {
                    "quote": f"The quote is too short to identify a passage: at least "
                    f"{QUOTE_MIN_LENGTH} characters."
                }
            )
        if not source.contains_quote(quote):
            raise ValidationError(
                {
                    "quote": f"This quote is not found verbatim in the article “{source}” "
                    f"({source.slug}). Copy the passage exactly as the article has it."
                }
            )

    @classmethod
    def constraints_for(cls, prefix):
        """Named constraints every concrete citation table carries."""
        return [
            models.UniqueConstraint(
                fields=["record", "source", "quote", "locator"], name=f"{prefix}_unique"
            ),
            models.CheckConstraint(
                condition=~Q(quote="") | ~Q(locator=""), name=f"{prefix}_has_quote_or_locator"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("quote"), QUOTE_MAX_LENGTH),
                name=f"{prefix}_quote_length",
            ),
        ]


class Revision(models.Model):
    """A change to a public record, waiting for a reviewer.

    Published and retracted records are what the public reads, so a change to one by a user who
    may not publish that kind of record does not go live: the whole record as they left it (its
    fields, links, rows and citations, validated exactly as a direct save) is kept here, and a
    reviewer approves it (it is then written, in the record's history) or rejects it. See
    milidip.sources.review.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved (live)"
        REJECTED = "rejected", "Rejected"

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, help_text="The kind of record."
    )
    object_id = models.PositiveBigIntegerField(help_text="The record's database id.")
    record_label = models.CharField(
        "record", max_length=300, help_text="The record's name when the change was proposed."
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposed_revisions",
    )
    proposed_at = models.DateTimeField(default=timezone.now, db_index=True)
    base_version = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The record's history entry the change was made against; a revision whose "
        "record changed since cannot be approved over that change.",
    )
    proposed_state = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text="The record as proposed: fields, links and rows (with citations).",
    )
    changed = models.JSONField(
        default=list, help_text="The fields, links and row lists the revision changes."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_revisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(
        blank=True, help_text="Why the reviewer approved or rejected it."
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected"]),
                name="revision_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False),
                name="revision_decision_dated",
            ),
        ]

    def __str__(self):
        return f"Revision {self.pk} of {self.record_label} ({self.get_state_display()})"


class DataVersion(models.Model):
    """The data version (milidip.versions) when no shared cache holds it: one row, moved by every
    committed write that changes what reads return."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return str(self.version)


class Resolution(models.Model):
    """A curator's choice of the value a record shows for one field whose sources disagree.

    It comes first in the field's rule (milidip.sources.claims.derive): imports re-derive the
    record but never override it. Kept with its history, like every record.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, help_text="The kind of record."
    )
    object_id = models.PositiveBigIntegerField(help_text="The record's database id.")
    record_label = models.CharField("record", max_length=300, editable=False)
    field = models.CharField(
        max_length=200,
        help_text="The field resolved, as claims name it: defence, start, members/KOR/defence.",
    )
    value = models.JSONField(
        null=True, blank=True, help_text="The value shown, in the API's encoding (null: unknown)."
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The source whose claim was chosen; blank for a value no source states.",
    )
    reason = models.TextField(help_text="Why this value: required, and kept in the history.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["content_type", "object_id", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field"], name="resolution_unique"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="resolution_has_reason"),
        ]

    def __str__(self):
        return f"{self.record_label}: {self.field}"


class Conflict(models.Model):
    """An open conflict: a record's field whose sources' claims disagree and that no curator
    has resolved. Written only by milidip.sources.claims.derive, the curators' work list."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, help_text="The kind of record."
    )
    object_id = models.PositiveBigIntegerField(help_text="The record's database id.")
    record_label = models.CharField("record", max_length=300)
    field = models.CharField(max_length=200, help_text="The claim key: defence, members/KOR/end.")
    rule = models.CharField(
        max_length=100,
        help_text="The field's name in the precedence table: defence, members.end (any member).",
    )
    shown = models.JSONField(null=True, blank=True, help_text="The value shown (by precedence).")
    claims = models.JSONField(
        default=list, help_text="Each claim: its source's collection and slug, row or quote, value."
    )

    class Meta:
        verbose_name = "open conflict"
        ordering = ["content_type", "record_label", "field"]
        indexes = [
            models.Index(fields=["content_type", "field", "object_id"]),
            models.Index(fields=["content_type", "rule", "object_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field"], name="conflict_unique"
            )
        ]

    def __str__(self):
        return f"{self.record_label}: {self.field}"


class ImportRun(models.Model):
    """One run of a dataset import, as `manage.py import_dataset` did it: which files (with
    their checksums) it read, when, for whom, and how many records of each model came out
    created, updated, unchanged or skipped. Its `rows` are the rows it skipped, merged or
    corrected, each with the reason. Written by the import framework; read-only everywhere."""

    dataset = models.CharField(
        max_length=50, db_index=True, help_text="The dataset's name (`import_dataset <name>`)."
    )
    sources = models.ManyToManyField(
        Source, related_name="import_runs", help_text="The Source records the dataset cites."
    )
    files = models.JSONField(
        default=list,
        help_text='The files it read: [{"input": ..., "file": ..., "sha256": ...}].',
    )
    started = models.DateTimeField(db_index=True)
    finished = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who ran it; blank for a command run from a shell.",
    )
    overwrite = models.BooleanField(
        default=False, help_text="It replaced what curators changed (--overwrite)."
    )
    counts = models.JSONField(
        default=dict,
        help_text='Records per model and outcome: {"missions.Mission": {"created": 3, ...}}.',
    )

    class Meta:
        ordering = ["-started", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished__gte=models.F("started")), name="import_run_finished_after"
            )
        ]

    def __str__(self):
        return f"{self.dataset} at {self.started:%Y-%m-%d %H:%M:%S}"


class ImportRunRow(models.Model):
    """A row a run did not import as the file gives it: skipped (a bad row), merged into
    another record, or corrected (a value the run changed or dropped), with why."""

    class Outcome(models.TextChoices):
        SKIPPED = "skipped", "Skipped"
        MERGED = "merged", "Merged"
        CORRECTED = "corrected", "Corrected"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    model = models.CharField(
        max_length=100, blank=True, help_text="The model the row feeds (missions.Exercise)."
    )
    locator = models.CharField(
        max_length=300, help_text="The file and row (mme_v7.csv:198), or the record."
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField()

    class Meta:
        ordering = ["run", "pk"]
        indexes = [models.Index(fields=["run", "outcome"], name="import_run_row_outcome_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["skipped", "merged", "corrected"]),
                name="import_run_row_outcome_valid",
            )
        ]

    def __str__(self):
        return f"{self.locator}: {self.outcome}"


class MergedSlug(models.Model):
    """A record merged into another: its slug now answers with a redirect (301) to the record
    it was merged into. Made by the merge service (milidip.sources.merges), from an import run
    (the curated merges table) or a curator."""

    model = models.CharField(
        max_length=100, help_text="The record's model, as app_label.model_name (missions.exercise)."
    )
    old_slug = models.SlugField(max_length=100, help_text="The slug of the merged record.")
    into = models.SlugField(max_length=100, help_text="The slug of the record it was merged into.")
    merged_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey(
        ImportRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merges",
        help_text="The import run that merged it, if one did.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The curator who merged it, if one did.",
    )
    reason = models.TextField(help_text="Why the two are one record.")

    class Meta:
        ordering = ["model", "old_slug"]
        constraints = [
            models.UniqueConstraint(fields=["model", "old_slug"], name="merged_slug_unique"),
            models.CheckConstraint(
                condition=~Q(old_slug=models.F("into")), name="merged_slug_not_into_itself"
            ),
        ]

    def __str__(self):
        return f"{self.model} {self.old_slug} -> {self.into}"
