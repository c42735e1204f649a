"""A country's dossier: everything involving one country, grouped by resource, in one request.

Eight queries whatever the country: the country, its citations, and one per group.
"""

from rest_framework import serializers

from alliances.models import Alliance, Membership, Treaty
from alliances.serializers import AllianceRefSerializer, CountryRefSerializer, TreatyRefSerializer
from milidip.api.fields import PartialDateField, VisibleListSerializer, VisibleRefMixin
from milidip.records import visible_to
from missions.models import Challenge, Exercise, ExerciseParticipant, Mission, MissionContribution
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
    }


class DossierMembershipSerializer(serializers.ModelSerializer):
    alliance = AllianceRefSerializer(read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)

    class Meta:
        model = Membership
        fields = ["alliance", "role", "start", "end"]


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
