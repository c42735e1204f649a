"""Serializers for sources and citations, and the bases of every cited record's serializers
(`RecordSerializer` for reading, `RecordInputSerializer` for writing)."""

from rest_framework import serializers

from milidip.api.fields import (
    BoundedListSerializer,
    PageUrlField,
    PartialDateField,
    RecordRef,
    VisibleListSerializer,
    VisibleRefMixin,
)
from milidip.records import field_list
from milidip.services import uncited
from milidip.sources.models import SOURCE_FIELDS, Source

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
    html_url = PageUrlField()

    class Meta:
        model = Source
        fields = field_list(SOURCE_FIELDS, add=["status", "created", "updated", "html_url"])
        read_only_fields = fields


class RecordSerializer(serializers.ModelSerializer):
    """What every record shows: its status, timestamps and citations."""

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
