"""Serializers for exercises, missions and challenges (output and input kept apart)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliances.models import Alliance, Country, Treaty
from alliances.serializers import (
    AllianceRefSerializer,
    CountryRefSerializer,
    TreatyRefSerializer,
)
from milidip.api.fields import (
    BoundedListSerializer,
    DateBoundsMixin,
    PartialDateField,
    RecordRef,
    VisibleListSerializer,
    VisibleRefMixin,
    coverage_end_output,
    date_input,
)
from milidip.records import field_list
from milidip.sources.serializers import (
    RECORD_INPUT_FIELDS,
    RECORD_OUTPUT_FIELDS,
    ClaimsField,
    DisputedField,
    RecordInputSerializer,
    RecordSerializer,
)
from missions.models import (
    CHALLENGE_FIELDS,
    DOMAINS,
    EXERCISE_FIELDS,
    MISSION_FIELDS,
    PURPOSES,
    Challenge,
    ContributorMonth,
    Domain,
    Exercise,
    ExerciseParticipant,
    Mission,
    MissionContribution,
    MissionLocation,
    MissionStrength,
    Purpose,
)


@extend_schema_field({"type": "string", "enum": list(DOMAINS)})
class DomainCode(RecordRef):
    """An exercise's domain by its code; the schema lists the codes (labels: /vocabulary/)."""


@extend_schema_field({"type": "string", "enum": list(PURPOSES)})
class PurposeCode(RecordRef):
    """An exercise's purpose by its code; the schema lists the codes (labels: /vocabulary/)."""


class ExerciseRefSerializer(DateBoundsMixin, VisibleRefMixin, serializers.ModelSerializer):
    start = PartialDateField(read_only=True)

    class Meta:
        model = Exercise
        list_serializer_class = VisibleListSerializer
        fields = ["slug", "name", "kind", "start"]


class MissionRefSerializer(VisibleRefMixin, serializers.ModelSerializer):
    class Meta:
        model = Mission
        list_serializer_class = VisibleListSerializer
        fields = ["slug", "name", "short_name", "kind", "un_acronym"]


class ParticipantSerializer(VisibleRefMixin, serializers.ModelSerializer):
    visibility_path = "country"

    country = CountryRefSerializer(read_only=True)

    class Meta:
        model = ExerciseParticipant
        list_serializer_class = VisibleListSerializer
        fields = ["country", "role"]


class ExerciseSerializer(RecordSerializer):
    series = ExerciseRefSerializer(read_only=True, allow_null=True)
    alliance = AllianceRefSerializer(read_only=True, allow_null=True)
    participants = ParticipantSerializer(source="exercise_participants", many=True, read_only=True)
    domains = DomainCode(slug_field="code", many=True, read_only=True)
    purposes = PurposeCode(slug_field="code", many=True, read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    disputed = DisputedField(record="exercise")

    class Meta:
        model = Exercise
        fields = field_list(EXERCISE_FIELDS, add=["disputed", *RECORD_OUTPUT_FIELDS])


class ExerciseDetailSerializer(ExerciseSerializer):
    """An exercise as its own page gives it: with each claimed field's claims."""

    claims = ClaimsField(help_text="Each source's value for each claimed field.")

    class Meta(ExerciseSerializer.Meta):
        fields = [*ExerciseSerializer.Meta.fields, "claims"]


class ContributionSerializer(DateBoundsMixin, VisibleRefMixin, serializers.ModelSerializer):
    visibility_path = "country"

    personnel = serializers.IntegerField(read_only=True, allow_null=True, min_value=0)

    country = CountryRefSerializer(read_only=True)
    as_of = PartialDateField(read_only=True)

    class Meta:
        model = MissionContribution
        list_serializer_class = VisibleListSerializer
        fields = ["country", "unit", "personnel", "troops", "police", "observers", "as_of", "note"]
        read_only_fields = ["troops", "police", "observers"]


class LocationSerializer(serializers.ModelSerializer):
    country = CountryRefSerializer(read_only=True, allow_null=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = MissionLocation
        fields = ["name", "country", "latitude", "longitude"]


class StrengthSerializer(DateBoundsMixin, serializers.ModelSerializer):
    """One month of a mission's uniformed personnel, with the dataset row it comes from."""

    month = PartialDateField(read_only=True)
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MissionStrength
        fields = [
            "month",
            "troops",
            "police",
            "observers",
            "total",
            "outside_mission_dates",
            "source",
            "locator",
        ]
        read_only_fields = fields


class ContributorMonthSerializer(DateBoundsMixin, serializers.ModelSerializer):
    """One month of a country's uniformed personnel in all UN missions together, with the
    dataset row it comes from."""

    month = PartialDateField(read_only=True)
    total = serializers.IntegerField(
        read_only=True, min_value=0, help_text="Troops, police and experts together."
    )
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ContributorMonth
        fields = ["month", "troops", "police", "experts", "total", "source", "locator"]
        read_only_fields = fields


class MissionSerializer(RecordSerializer):
    organisation = AllianceRefSerializer(read_only=True, allow_null=True)
    part_of = MissionRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="For a national deployment: the mission it serves in.",
    )
    deployments = MissionRefSerializer(
        many=True, read_only=True, help_text="National deployments serving in this mission."
    )
    hosts = CountryRefSerializer(many=True, read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True)
    locations = LocationSerializer(many=True, read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)
    coverage_end = coverage_end_output()
    active = serializers.BooleanField(
        read_only=True,
        help_text="False once the mission has ended, even where its end date is not known.",
    )
    disputed = DisputedField(record="mission")

    class Meta:
        model = Mission
        fields = field_list(
            MISSION_FIELDS, without=["ended"], add=["disputed", *RECORD_OUTPUT_FIELDS]
        )
        # For milidip.api.reading: `active` is a property, read from its column.
        read_columns = {"active": (["ended"], lambda row, request: not row["ended"])}


class MissionDetailSerializer(MissionSerializer):
    """A mission as its own page gives it: with each claimed field's claims."""

    claims = ClaimsField(help_text="Each source's value for each claimed field.")

    class Meta(MissionSerializer.Meta):
        fields = [*MissionSerializer.Meta.fields, "claims"]


class ChallengeSerializer(RecordSerializer):
    countries = CountryRefSerializer(many=True, read_only=True)
    alliances = AllianceRefSerializer(many=True, read_only=True)
    treaties = TreatyRefSerializer(many=True, read_only=True)
    missions = MissionRefSerializer(many=True, read_only=True)
    exercises = ExerciseRefSerializer(many=True, read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)

    class Meta:
        model = Challenge
        fields = field_list(CHALLENGE_FIELDS, add=RECORD_OUTPUT_FIELDS)


def codes(model, **kwargs):
    return RecordRef(
        slug_field="code", queryset=model.objects.all(), many=True, required=False, **kwargs
    )


def slugs(model, **kwargs):
    return RecordRef(
        slug_field="slug", queryset=model.objects.all(), many=True, required=False, **kwargs
    )


def one_slug(model, **kwargs):
    return RecordRef(
        slug_field="slug", queryset=model.objects.all(), required=False, allow_null=True, **kwargs
    )


def coordinate_input(bound):
    """A latitude (bound 90) or longitude (bound 180) in decimal degrees, optional."""
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=5,
        required=False,
        allow_null=True,
        min_value=-bound,
        max_value=bound,
    )


class ParticipantInputSerializer(serializers.Serializer):
    country = RecordRef(slug_field="code", queryset=Country.objects.all())
    role = serializers.ChoiceField(
        choices=ExerciseParticipant.Role.choices, default=ExerciseParticipant.Role.PARTICIPANT
    )

    class Meta:
        list_serializer_class = BoundedListSerializer


class ExerciseInputSerializer(RecordInputSerializer):
    series = one_slug(Exercise)
    alliance = one_slug(Alliance)
    participants = ParticipantInputSerializer(many=True, required=False)
    domains = DomainCode(
        slug_field="code", queryset=Domain.objects.all(), many=True, required=False
    )
    purposes = PurposeCode(
        slug_field="code", queryset=Purpose.objects.all(), many=True, required=False
    )
    start = date_input()
    end = date_input()
    latitude = coordinate_input(90)
    longitude = coordinate_input(180)

    class Meta:
        model = Exercise
        fields = field_list(
            EXERCISE_FIELDS, without=["mme_id", "mme_series"], add=RECORD_INPUT_FIELDS
        )
        extra_kwargs = {"slug": {"validators": []}}


class ContributionInputSerializer(serializers.Serializer):
    country = RecordRef(slug_field="code", queryset=Country.objects.all())
    unit = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    personnel = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000, default=None
    )
    troops = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000, default=None
    )
    police = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000, default=None
    )
    observers = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000, default=None
    )
    as_of = date_input()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    class Meta:
        list_serializer_class = BoundedListSerializer


class LocationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = RecordRef(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True
    )
    latitude = coordinate_input(90)
    longitude = coordinate_input(180)

    class Meta:
        list_serializer_class = BoundedListSerializer


class MissionInputSerializer(RecordInputSerializer):
    organisation = one_slug(Alliance)
    part_of = one_slug(Mission)
    hosts = codes(Country)
    contributions = ContributionInputSerializer(many=True, required=False)
    locations = LocationInputSerializer(many=True, required=False)
    start = date_input()
    end = date_input()

    class Meta:
        model = Mission
        fields = field_list(
            MISSION_FIELDS,
            without=["un_acronym", "deployments", "active"],
            add=RECORD_INPUT_FIELDS,
        )
        extra_kwargs = {"slug": {"validators": []}}


class ChallengeInputSerializer(RecordInputSerializer):
    countries = codes(Country)
    alliances = slugs(Alliance)
    treaties = slugs(Treaty)
    missions = slugs(Mission)
    exercises = slugs(Exercise)
    start = date_input()
    end = date_input()

    class Meta:
        model = Challenge
        fields = field_list(CHALLENGE_FIELDS, add=RECORD_INPUT_FIELDS)
        extra_kwargs = {"slug": {"validators": []}}
