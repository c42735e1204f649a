"""Serializers for sources and citations, and the bases of every cited record's serializers
(`RecordSerializer` for reading, `RecordInputSerializer` for writing)."""

from collections import defaultdict, namedtuple

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from milidip.api.fields import (
    BoundedListSerializer,
    DateBoundsMixin,
    PageUrlField,
    PartialDateField,
    RecordRef,
    VisibleListSerializer,
    VisibleRefMixin,
)
from milidip.api.prepared import Prepared, with_hole
from milidip.api.reading import related_lookup
from milidip.records import Status, can_see_drafts, field_list
from milidip.services import uncited
from milidip.sources.claims import RULES, fields_of, held, resolutions_of, rules_for
from milidip.sources.models import SOURCE_FIELDS, ImportRun, ImportRunRow, Resolution, Source

# What every cited record shows after its own fields, and what a write may send after them.
RECORD_OUTPUT_FIELDS = ["status", "created", "updated", "html_url", "citations"]
RECORD_INPUT_FIELDS = ["status", "retraction_reason", "citations"]


class SourceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["slug", "title", "kind", "collection"]


class CitationSerializer(VisibleRefMixin, serializers.Serializer):
    """A citation as read: the source, and the verbatim quote or the dataset row.

    A citation of a source the reader may not see (a draft) is left out, as the source is.
    """

    visibility_path = "source"

    source = SourceRefSerializer(read_only=True)
    quote = serializers.CharField(read_only=True, allow_blank=True)
    locator = serializers.CharField(read_only=True, allow_blank=True)
    note = serializers.CharField(read_only=True, allow_blank=True)
    states = serializers.DictField(
        read_only=True,
        child=serializers.JSONField(),
        help_text="What this quote or row states, field by field: its claims (see `claims`).",
    )

    class Meta:
        list_serializer_class = VisibleListSerializer


CLAIM_VALUE = {
    "type": ["string", "boolean", "integer", "null"],
    "description": "A value in the API's encoding: a partial date as a string, a boolean, a "
    "code; null for not known.",
}
CLAIMS_SCHEMA = {
    "type": "object",
    "description": "Each claimed field's claims, by field (a member's as "
    "`members/<country code>/<field>`, a country's later spell `members/KOR~2/<field>`): "
    "the value shown, the rule that chose it (`curator`: a curator's resolution; `agreed`: "
    "the claims agree, at most differing in precision; `precedence`: they disagree and the "
    "field's precedence chose, so the field is in `disputed`), and every source's claim with "
    "its quote or row, in precedence order.",
    "additionalProperties": {
        "type": "object",
        "required": ["shown", "rule", "claims"],
        "additionalProperties": False,
        "properties": {
            "shown": CLAIM_VALUE,
            "rule": {"type": "string", "enum": list(RULES)},
            "claims": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "collection", "value"],
                    "additionalProperties": False,
                    "properties": {
                        "source": {"type": "string", "description": "The source's slug."},
                        "collection": {"type": "string"},
                        "quote": {"type": "string"},
                        "locator": {"type": "string"},
                        "value": CLAIM_VALUE,
                    },
                },
            },
        },
    },
}


class DisputedField(serializers.ListField):
    """A claimed record's `disputed`: the fields whose sources disagree, unresolved."""

    def __init__(self, *, record, **kwargs):
        kwargs.update(child=serializers.CharField(), read_only=True)
        kwargs.setdefault(
            "help_text",
            "The fields whose sources disagree and no curator has resolved (each field's "
            f"claims are in the {record}'s detail, `claims`); filter with `?disputed=`.",
        )
        super().__init__(**kwargs)


# What ClaimsRelation reads of a citation (its owner's column aside).
CITED_COLUMNS = [
    "pk",
    "states",
    "quote",
    "locator",
    "source__slug",
    "source__collection",
    "source__status",
]


def shown_claims(fields, drafts):
    """`claims` as a reader sees them, from a record's fields (fields_of, then held): without
    the claims of draft sources unless the reader sees drafts (`drafts`), and without a field
    left with no claim, unless a curator resolved it."""
    shown = {}
    for key, field in sorted(fields.items()):
        field.claims = [
            claim for claim in field.claims if drafts or claim.source.status == Status.PUBLISHED
        ]
        if field.claims or field.rule == "curator":
            shown[key] = field.as_json()
    return shown


# What ClaimsRelation reads of a citation, its source and a resolution: the attributes the
# claims' functions (milidip.sources.claims) use of the model instances.
CitedRow = namedtuple("CitedRow", "pk states quote locator source")
SourceRow = namedtuple("SourceRow", "slug collection status")
ResolutionRow = namedtuple("ResolutionRow", "value")


class ClaimsRelation:
    """ClaimsField as the read path (milidip.api.reading) reads it, from rows: the records'
    citations with their sources in one query, their resolutions in another (both compiled
    once, whatever the number of records), and the claimed fields' stored values from the
    records' own rows (columns it adds to the plan). The same claims as the field, without
    reading each record, its citations and their sources as instances (three ORM queries and
    a score of instances cost a detail more than the rest of its reading)."""

    def __init__(self, plan, name):
        model = self.model = plan.model
        for rule in rules_for(model):
            if "." not in rule:  # a field of the record itself, not of its rows
                plan.column(model._meta.get_field(rule).attname)
        citation_model, owner = related_lookup(model, "citations")
        self.owner = owner
        self.citations = Prepared(
            lambda: (
                with_hole(citation_model._default_manager, owner)
                .order_by()
                .values(*CITED_COLUMNS, owner)
            )
        )
        meta = model._meta
        self.resolutions = Prepared(
            lambda: (
                with_hole(
                    Resolution._default_manager.filter(
                        content_type__app_label=meta.app_label, content_type__model=meta.model_name
                    ),
                    "object_id",
                )
                .order_by()
                .values("object_id", "field", "value")
            )
        )

    def fetch(self, rows, reader):
        ids = [row["pk"] for row in rows]
        if not ids:
            return {}
        cited = defaultdict(list)
        for row in self.citations.by_keys(self.model._default_manager.db, ids):
            source = SourceRow(
                row["source__slug"], row["source__collection"], row["source__status"]
            )
            cited[row[self.owner]].append(
                CitedRow(row["pk"], row["states"], row["quote"], row["locator"], source)
            )
        resolved = defaultdict(dict)
        for row in self.resolutions.by_keys(Resolution._default_manager.db, ids):
            resolved[row["object_id"]][row["field"]] = ResolutionRow(row["value"])
        drafts = reader.sees_drafts(Source)
        model = self.model
        claims = {}
        for row in rows:
            pk = row["pk"]
            fields = fields_of(None, resolved.get(pk), cited.get(pk, ()), model=model)
            claims[pk] = shown_claims(
                held(None, fields, model=model, stored=row.__getitem__), drafts
            )
        return claims


@extend_schema_field(CLAIMS_SCHEMA)
class ClaimsField(serializers.Field):
    """A record's claims (milidip.sources.claims), from its prefetched citations and one query
    for its resolutions. Claims of sources the reader may not see (drafts) are left out."""

    read_relation = ClaimsRelation  # how the read path reads it (milidip.api.reading)

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, record):
        request = self.context.get("request")
        drafts = can_see_drafts(getattr(request, "user", None), Source)
        return shown_claims(held(record, fields_of(record, resolutions_of(record))), drafts)


class CitationInputSerializer(serializers.Serializer):
    """A citation as written: a source slug and a quote (articles) or a locator (datasets).

    The quote is checked against the article by the model (Citation.clean), the same check the
    admin applies.
    """

    source = RecordRef(slug_field="slug", queryset=Source.objects.all())
    quote = serializers.CharField(required=False, allow_blank=True, default="", max_length=600)
    locator = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    states = serializers.DictField(
        required=False,
        default=dict,
        child=serializers.JSONField(allow_null=True),
        help_text='What the quote or row states, field by field, e.g. {"defence": true, '
        '"members/KOR/defence": true}: state only what it supports. Checked against the '
        "fields a source can state.",
    )

    class Meta:
        list_serializer_class = BoundedListSerializer


class SourceSerializer(DateBoundsMixin, serializers.ModelSerializer):
    published = PartialDateField(read_only=True)
    url = serializers.CharField(
        read_only=True, allow_blank=True, help_text="Where the original can be found, if online."
    )
    html_url = PageUrlField()
    runs = serializers.SerializerMethodField(
        help_text="For a dataset: the URL of its import runs (newest first); null for an article."
    )

    class Meta:
        model = Source
        fields = field_list(SOURCE_FIELDS, add=["status", "created", "updated", "html_url", "runs"])
        read_only_fields = fields
        # For milidip.api.reading: `runs` is a link built from the slug, for datasets only.
        read_columns = {
            "runs": (["kind", "slug"], lambda row, request: runs_url(row, request)),
        }

    def get_runs(self, source) -> str | None:
        return runs_url({"kind": source.kind, "slug": source.slug}, self.context.get("request"))


def runs_url(source, request):
    """The URL of a dataset's import runs (absolute with a request); None for an article."""
    if source["kind"] != Source.Kind.DATASET:
        return None
    path = reverse("source-runs", kwargs={"slug": source["slug"]})
    build = getattr(request, "build_absolute_uri", None)
    return build(path) if build else path


class ImportRunRowSerializer(serializers.ModelSerializer):
    """A row the run did not import as the file gives it, and why."""

    class Meta:
        model = ImportRunRow
        fields = ["model", "locator", "outcome", "reason"]
        read_only_fields = fields


class ImportRunSerializer(serializers.ModelSerializer):
    """One run of a dataset import: the files it read with their SHA-256 checksums, when it
    ran, how many records of each model came out created, updated, unchanged or skipped, and
    every row it skipped, merged or corrected with the reason."""

    id = serializers.IntegerField(read_only=True, help_text="The run's number.")
    files = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="Each input it read: `input`, `file` and `sha256`.",
    )
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        read_only=True,
        help_text='Records per model and outcome: {"missions.Mission": {"created": 81}}.',
    )
    user = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who ran it; null for a command run from a shell.",
    )
    rows = ImportRunRowSerializer(many=True, read_only=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "dataset",
            "files",
            "started",
            "finished",
            "user",
            "overwrite",
            "counts",
            "rows",
        ]
        read_only_fields = fields


class RecordSerializer(DateBoundsMixin, serializers.ModelSerializer):
    """What every record shows: its status, timestamps and citations (and each partial date's
    earliest and latest day, milidip.api.fields.DateBoundsMixin)."""

    citations = CitationSerializer(many=True, read_only=True)
    html_url = PageUrlField()


class RecordInputSerializer(serializers.ModelSerializer):
    """Base of the write serializers: citations are required when a record is created."""

    citations = CitationInputSerializer(
        many=True,
        required=False,
        help_text="At least one. Required when the record is created; a change that leaves "
        "it out keeps the record's citations, and one that gives it replaces them all.",
    )

    def validate_citations(self, value):
        # Here as well as in validate(), so that an empty list is reported with other fields.
        problems = uncited(creating=False, citations=value)
        if problems:
            raise serializers.ValidationError(problems)
        return value

    def validate(self, attrs):
        problems = uncited(creating=self.instance is None, citations=attrs.get("citations"))
        if problems:
            raise serializers.ValidationError({"citations": problems})
        return attrs
