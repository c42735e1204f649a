"""Serializers for sources and citations, and the bases of every cited record's serializers
(`RecordSerializer` for reading, `RecordInputSerializer` for writing)."""

from django.urls import reverse
from rest_framework import serializers

from milidip.api.fields import (
    BoundedListSerializer,
    PartialDateField,
    RecordRef,
    VisibleListSerializer,
    VisibleRefMixin,
)
from milidip.records import field_list
from milidip.services import uncited
from milidip.sources.models import SOURCE_FIELDS, ImportRun, ImportRunRow, Source

# What every cited record shows after its own fields, and what a write may send after them.
RECORD_OUTPUT_FIELDS = ["status", "created", "updated", "citations"]
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

    class Meta:
        list_serializer_class = VisibleListSerializer


class CitationInputSerializer(serializers.Serializer):
    """A citation as written: a source slug and a quote (articles) or a locator (datasets).

    The quote is checked against the article by the model (Citation.clean), the same check the
    admin applies.
    """

    source = RecordRef(slug_field="slug", queryset=Source.objects.all())
    quote = serializers.CharField(required=False, allow_blank=True, default="", max_length=600)
    locator = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    class Meta:
        list_serializer_class = BoundedListSerializer


class SourceSerializer(serializers.ModelSerializer):
    published = PartialDateField(read_only=True)
    url = serializers.CharField(
        read_only=True, allow_blank=True, help_text="Where the original can be found, if online."
    )

    runs = serializers.SerializerMethodField(
        help_text="For a dataset: the URL of its import runs (newest first); null for an article."
    )

    class Meta:
        model = Source
        fields = field_list(SOURCE_FIELDS, add=["status", "created", "updated", "runs"])
        read_only_fields = fields

    def get_runs(self, source) -> str | None:
        if source.kind != Source.Kind.DATASET:
            return None
        request = self.context.get("request")
        path = reverse("source-runs", kwargs={"slug": source.slug})
        return request.build_absolute_uri(path) if request is not None else path


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


class RecordSerializer(serializers.ModelSerializer):
    """What every record shows: its status, timestamps and citations."""

    citations = CitationSerializer(many=True, read_only=True)


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
