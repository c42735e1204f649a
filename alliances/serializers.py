"""Serializers for countries, alliances and treaties.

Output serializers embed related records at the depth a reader needs (a country as its code and
name, an alliance as slug and name). Input serializers are separate: they take related records
by code or slug and leave validation to the models, through the services.
"""

from rest_framework import serializers

from alliances.models import (
    ALLIANCE_FIELDS,
    COUNTRY_FIELDS,
    MEMBERSHIP_FIELDS,
    OBLIGATIONS,
    PROVISIONS,
    TREATY_FIELDS,
    Alliance,
    Country,
    Membership,
    Region,
    Treaty,
)
from alliances.names import country_names
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


class CountryRefSerializer(VisibleRefMixin, serializers.ModelSerializer):
    class Meta:
        model = Country
        list_serializer_class = VisibleListSerializer
        fields = ["code", "name"]


class AllianceRefSerializer(VisibleRefMixin, serializers.ModelSerializer):
    class Meta:
        model = Alliance
        list_serializer_class = VisibleListSerializer
        fields = ["slug", "name", "short_name", "kind", "cow_id", "atop_id"]
        # Read-only, so the schema states no database-dependent bounds (SQLite's differ).
        read_only_fields = ["cow_id", "atop_id"]


class TreatyRefSerializer(DateBoundsMixin, VisibleRefMixin, serializers.ModelSerializer):
    signed = PartialDateField(read_only=True)

    class Meta:
        model = Treaty
        list_serializer_class = VisibleListSerializer
        fields = ["slug", "name", "kind", "signed"]


class CountrySerializer(RecordSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, read_only=True)
    names = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The country's name by language tag (ko, ja, zh-hans, ru, fr, es, ar ...), "
        "from the ISO 3166-1 translations; `en` is ISO's English name (Serbia for the record "
        "COW calls Yugoslavia). Empty for a code without an ISO entry.",
    )
    disputed = DisputedField(record="country")

    class Meta:
        model = Country
        fields = field_list(COUNTRY_FIELDS, add=["names", "disputed", *RECORD_OUTPUT_FIELDS])
        read_only_fields = fields
        # For milidip.api.reading: `names` is a property of the code.
        read_columns = {"names": (["code"], lambda row, request: country_names(row["code"]))}


class CountryDetailSerializer(CountrySerializer):
    """A country as its own page gives it: with each claimed field's claims."""

    claims = ClaimsField(help_text="Each source's value for each claimed field.")

    class Meta(CountrySerializer.Meta):
        fields = [*CountrySerializer.Meta.fields, "claims"]
        read_only_fields = fields


class ObligationsSerializer(serializers.ModelSerializer):
    """Obligations as true, false or null (not known)."""

    class Meta:
        model = Alliance
        fields = OBLIGATIONS


class MemberObligationsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = OBLIGATIONS


class ProvisionsSerializer(serializers.ModelSerializer):
    """Provisions beyond the obligations, as ATOP codes them from the treaty's text (not the
    parties' practice): true, false or null."""

    class Meta:
        model = Alliance
        fields = PROVISIONS


class MembershipSerializer(DateBoundsMixin, VisibleRefMixin, serializers.ModelSerializer):
    visibility_path = "country"

    country = CountryRefSerializer(read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)
    coverage_end = coverage_end_output()
    obligations = MemberObligationsSerializer(
        source="*",
        read_only=True,
        help_text="The member's own obligations where a dataset codes them per member.",
    )

    class Meta:
        model = Membership
        list_serializer_class = VisibleListSerializer
        fields = field_list(MEMBERSHIP_FIELDS, shown_as={"obligations": OBLIGATIONS})
        read_only_fields = ["phase", "left_censored", "right_censored"]


class AllianceSerializer(RecordSerializer):
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)
    coverage_end = coverage_end_output()
    obligations = ObligationsSerializer(source="*", read_only=True)
    provisions = ProvisionsSerializer(source="*", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)
    cow_alliance = AllianceRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="For an ATOP alliance: the COW alliance ATOP links it to.",
    )
    atop_alliances = AllianceRefSerializer(
        many=True,
        read_only=True,
        help_text="For a COW alliance: the ATOP alliances that link to it.",
    )
    disputed = DisputedField(record="alliance")

    class Meta:
        model = Alliance
        fields = field_list(
            ALLIANCE_FIELDS,
            shown_as={"obligations": OBLIGATIONS, "provisions": PROVISIONS},
            add=["disputed", *RECORD_OUTPUT_FIELDS],
        )
        read_only_fields = ["cow_id", "atop_id"]


class AllianceDetailSerializer(AllianceSerializer):
    """An alliance as its own page gives it: with each claimed field's claims."""

    claims = ClaimsField(help_text="Each source's value for each claimed field.")

    class Meta(AllianceSerializer.Meta):
        fields = [*AllianceSerializer.Meta.fields, "claims"]


class TreatySerializer(RecordSerializer):
    parties = CountryRefSerializer(many=True, read_only=True)
    alliance = AllianceRefSerializer(read_only=True, allow_null=True)
    signed = PartialDateField(read_only=True)
    in_force = PartialDateField(read_only=True)
    ended = PartialDateField(read_only=True)
    disputed = DisputedField(record="treaty")

    class Meta:
        model = Treaty
        fields = field_list(TREATY_FIELDS, add=["disputed", *RECORD_OUTPUT_FIELDS])


class TreatyDetailSerializer(TreatySerializer):
    """A treaty as its own page gives it: with each claimed field's claims."""

    claims = ClaimsField(help_text="Each source's value for each claimed field.")

    class Meta(TreatySerializer.Meta):
        fields = [*TreatySerializer.Meta.fields, "claims"]


class CountryInputSerializer(RecordInputSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )

    class Meta:
        model = Country
        fields = field_list(COUNTRY_FIELDS, add=RECORD_INPUT_FIELDS)
        # Bounds stated here so the schema is the same on every database backend.
        extra_kwargs = {
            "code": {"validators": []},
            "cow_code": {"min_value": 0, "max_value": 32767},
            "gw_code": {"min_value": 0, "max_value": 32767},
        }


class MembershipInputSerializer(serializers.Serializer):
    country = RecordRef(slug_field="code", queryset=Country.objects.all())
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    start = date_input()
    end = date_input()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    class Meta:
        list_serializer_class = BoundedListSerializer


class AllianceInputSerializer(RecordInputSerializer):
    start = date_input()
    end = date_input()
    memberships = MembershipInputSerializer(many=True, required=False)

    class Meta:
        model = Alliance
        fields = field_list(
            ALLIANCE_FIELDS,
            without=["cow_id", "atop_id", "cow_alliance", "atop_alliances"],
            add=RECORD_INPUT_FIELDS,
        )
        extra_kwargs = {"slug": {"validators": []}}


class TreatyInputSerializer(RecordInputSerializer):
    parties = RecordRef(
        slug_field="code", queryset=Country.objects.all(), many=True, required=False
    )
    alliance = RecordRef(
        slug_field="slug", queryset=Alliance.objects.all(), required=False, allow_null=True
    )
    signed = date_input()
    in_force = date_input()
    ended = date_input()

    class Meta:
        model = Treaty
        fields = field_list(TREATY_FIELDS, add=RECORD_INPUT_FIELDS)
        extra_kwargs = {"slug": {"validators": []}}
