"""Serializers for sources and citations, and the bases of every cited record's serializers
(`RecordSerializer` for reading, `RecordInputSerializer` for writing)."""

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
from milidip.records import Status, can_see_drafts, field_list
from milidip.services import uncited
from milidip.sources.claims import RULES, fields_of, held, resolutions_of
from milidip.sources.models import SOURCE_FIELDS, ImportRun, ImportRunRow, Source

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


@extend_schema_field(CLAIMS_SCHEMA)
class ClaimsField(serializers.Field):
    """A record's claims (milidip.sources.claims), from its prefetched citations and one query
    for its resolutions. Claims of sources the reader may not see (drafts) are left out."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, record):
        request = self.context.get("request")
        drafts = can_see_drafts(getattr(request, "user", None), Source)
        shown = {}
        fields = held(record, fields_of(record, resolutions_of(record)))
        for key, field in sorted(fields.items()):
            field.claims = [
                claim for claim in field.claims if drafts or claim.source.status == Status.PUBLISHED
            ]
            if field.claims or field.rule == "curator":
                shown[key] = field.as_json()
        return shown


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
