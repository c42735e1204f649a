"""A country's dossier: everything involving one country, grouped by resource, in one request.

Nine queries whatever the country: the country, its citations, one per group, and one for the
summary of its monthly contributions to UN missions (the months themselves are a paged list).
"""

from django.db.models import Count, Max, Min, Sum
from rest_framework import serializers
from rest_framework.reverse import reverse

from alliances.models import Alliance, Membership, Treaty
from alliances.serializers import AllianceRefSerializer, CountryRefSerializer, TreatyRefSerializer
from milidip.api.fields import PartialDateField, VisibleListSerializer, VisibleRefMixin
from milidip.records import visible_to
from missions.models import (
    Challenge,
    ContributorMonth,
    Exercise,
    ExerciseParticipant,
    Mission,
    MissionContribution,
)
from missions.serializers import ExerciseRefSerializer, MissionRefSerializer


def country_dossier(country, user):
    """The records involving `country` that `user` may read, grouped by resource."""

    def visible(queryset):
        return visible_to(user, queryset)

    return {
        "country": country,
        "alliances": Membership.objects.filter(
            country=country, alliance__in=visible(Alliance.objects.all())
        ).select_related("alliance"),
        "treaties": visible(Treaty.objects.filter(parties=country)).order_by(
            "signed", "name", "slug"
        ),
        "exercises": ExerciseParticipant.objects.filter(
            country=country, exercise__in=visible(Exercise.objects.all())
        ).select_related("exercise"),
        "missions_hosted": visible(Mission.objects.filter(hosts=country)).order_by(
            "start", "name", "slug"
        ),
        "mission_contributions": MissionContribution.objects.filter(
            country=country, mission__in=visible(Mission.objects.all())
        ).select_related("mission"),
        "challenges": visible(Challenge.objects.filter(countries=country)).order_by("name", "slug"),
        "un_personnel": {
            "country": country,
            **ContributorMonth.objects.filter(country=country).aggregate(
                months=Count("pk"),
                first_month=Min("month"),
                last_month=Max("month"),
                troop_months=Sum("troops"),
                police_months=Sum("police"),
                expert_months=Sum("experts"),
            ),
        },
    }


class DossierPersonnelSerializer(serializers.Serializer):
    """The summary of the country's monthly series of personnel in UN missions."""

    months = serializers.IntegerField(min_value=0, help_text="Months with figures.")
    first_month = PartialDateField(allow_null=True, help_text="Its first month (YYYY-MM).")
    last_month = PartialDateField(allow_null=True, help_text="Its last month (YYYY-MM).")
    troop_months = serializers.IntegerField(
        allow_null=True, min_value=0, help_text="Troops summed over the months (person-months)."
    )
    police_months = serializers.IntegerField(
        allow_null=True, min_value=0, help_text="Police summed over the months (person-months)."
    )
    expert_months = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        help_text="Experts on mission summed over the months (person-months).",
    )
    url = serializers.SerializerMethodField(help_text="The months themselves, a paged list.")

    def get_url(self, summary) -> str:
        return reverse(
            "country-contributions",
            kwargs={"code": summary["country"].code},
            request=self.context.get("request"),
        )


class DossierMembershipSerializer(serializers.ModelSerializer):
    alliance = AllianceRefSerializer(read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)
    coverage_end = PartialDateField(read_only=True)

    class Meta:
        model = Membership
        fields = ["alliance", "role", "start", "end", "end_kind", "coverage_end"]
        read_only_fields = fields


class DossierParticipationSerializer(serializers.ModelSerializer):
    exercise = ExerciseRefSerializer(read_only=True)

    class Meta:
        model = ExerciseParticipant
        fields = ["exercise", "role"]


class DossierContributionSerializer(serializers.ModelSerializer):
    mission = MissionRefSerializer(read_only=True)
    personnel = serializers.IntegerField(read_only=True, allow_null=True, min_value=0)
    as_of = PartialDateField(read_only=True)

    class Meta:
        model = MissionContribution
        fields = ["mission", "unit", "personnel", "as_of"]


class ChallengeRefSerializer(VisibleRefMixin, serializers.ModelSerializer):
    class Meta:
        model = Challenge
        list_serializer_class = VisibleListSerializer
        fields = ["slug", "name", "category"]


class DossierSerializer(serializers.Serializer):
    country = CountryRefSerializer()
    alliances = DossierMembershipSerializer(many=True, help_text="Memberships, with the role.")
    treaties = TreatyRefSerializer(many=True, help_text="Treaties the country is a party to.")
    exercises = DossierParticipationSerializer(many=True, help_text="Participations, with role.")
    missions_hosted = MissionRefSerializer(many=True, help_text="Missions on its territory.")
    mission_contributions = DossierContributionSerializer(
        many=True, help_text="Its contributions to missions."
    )
    challenges = ChallengeRefSerializer(many=True, help_text="Challenges that concern it.")
    un_personnel = DossierPersonnelSerializer(
        help_text="Its uniformed personnel in UN missions month by month (IPI), summed up, "
        "with the link to the months."
    )
