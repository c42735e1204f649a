"""A country's dossier: everything involving one country, grouped by resource, in one request.

Each group shows at most SECTION_LIMIT records, in the order of the filtered list it comes from,
with its total (`totals`) and the link to that list (`lists`), where every record is: the
United States take part in about 1,900 exercises, and one document holding them all took
seconds. A fixed number of queries whatever the country: the country, then per group its
total and its rows (read as values, milidip.api.reading), and one for the summary of its
monthly personnel in UN missions (the months themselves are a paged list).
"""

from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Sum
from rest_framework import serializers
from rest_framework.reverse import reverse

from alliances.models import Alliance, Membership, Treaty
from alliances.serializers import AllianceRefSerializer, CountryRefSerializer, TreatyRefSerializer
from milidip.api.fields import (
    DateBoundsMixin,
    PartialDateField,
    VisibleListSerializer,
    VisibleRefMixin,
    coverage_end_output,
)
from milidip.api.reading import plan_for
from milidip.records import visible_through, visible_to
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
    """The records involving `country` that `user` may read, grouped by resource: querysets,
    read only when their reader reads them (the UN personnel's summary is apart:
    `un_personnel`)."""

    def visible(queryset):
        return visible_to(user, queryset)

    return {
        "country": country,
        "alliances": Membership.objects.filter(
            visible_through(user, "alliance", Alliance), country=country
        ).select_related("alliance"),
        "treaties": visible(Treaty.objects.filter(parties=country)).order_by(
            "signed", "name", "slug"
        ),
        "exercises": ExerciseParticipant.objects.filter(
            visible_through(user, "exercise", Exercise), country=country
        ).select_related("exercise"),
        "missions_hosted": visible(Mission.objects.filter(hosts=country)).order_by(
            "start", "name", "slug"
        ),
        "mission_contributions": MissionContribution.objects.filter(
            visible_through(user, "mission", Mission), country=country
        ).select_related("mission"),
        "challenges": visible(Challenge.objects.filter(countries=country)).order_by("name", "slug"),
    }


def un_personnel(country):
    """The summary of `country`'s monthly personnel in UN missions: one aggregate query, made
    only where it is shown (the API's dossier; a country's page does not show it)."""
    return {
        "country": country,
        **ContributorMonth.objects.filter(country=country).aggregate(
            months=Count("pk"),
            first_month=Min("month"),
            last_month=Max("month"),
            troop_months=Sum("troops"),
            police_months=Sum("police"),
            expert_months=Sum("experts"),
        ),
    }


class DossierPersonnelSerializer(DateBoundsMixin, serializers.Serializer):
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


class DossierMembershipSerializer(DateBoundsMixin, serializers.ModelSerializer):
    alliance = AllianceRefSerializer(read_only=True)
    start = PartialDateField(read_only=True)
    end = PartialDateField(read_only=True)
    coverage_end = coverage_end_output()

    class Meta:
        model = Membership
        fields = ["alliance", "role", "start", "end", "end_kind", "coverage_end"]
        read_only_fields = fields


class DossierParticipationSerializer(serializers.ModelSerializer):
    exercise = ExerciseRefSerializer(read_only=True)

    class Meta:
        model = ExerciseParticipant
        fields = ["exercise", "role"]


class DossierContributionSerializer(DateBoundsMixin, serializers.ModelSerializer):
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


SECTION_LIMIT = 100
LIMIT_NOTE = f" At most {SECTION_LIMIT}, in the order of its list (see totals and lists)."

# group: (the list holding all of it, the filter naming the country)
SECTION_LISTS = {
    "alliances": ("alliance-list", "country"),
    "treaties": ("treaty-list", "country"),
    "exercises": ("exercise-list", "country"),
    "missions_hosted": ("mission-list", "host"),
    "mission_contributions": ("mission-list", "contributor"),
    "challenges": ("challenge-list", "country"),
}


class DossierTotalsSerializer(serializers.Serializer):
    """How many records each group has in all (its list may show fewer)."""

    alliances = serializers.IntegerField(min_value=0)
    treaties = serializers.IntegerField(min_value=0)
    exercises = serializers.IntegerField(min_value=0)
    missions_hosted = serializers.IntegerField(min_value=0)
    mission_contributions = serializers.IntegerField(min_value=0)
    challenges = serializers.IntegerField(min_value=0)


class DossierListsSerializer(serializers.Serializer):
    """Where each group's records all are: the list filtered to the country."""

    alliances = serializers.URLField()
    treaties = serializers.URLField()
    exercises = serializers.URLField()
    missions_hosted = serializers.URLField()
    mission_contributions = serializers.URLField()
    challenges = serializers.URLField()


class DossierSerializer(serializers.Serializer):
    country = CountryRefSerializer()
    alliances = DossierMembershipSerializer(
        many=True, help_text="Memberships, with the role." + LIMIT_NOTE
    )
    treaties = TreatyRefSerializer(
        many=True, help_text="Treaties the country is a party to." + LIMIT_NOTE
    )
    exercises = DossierParticipationSerializer(
        many=True, help_text="Participations, with role." + LIMIT_NOTE
    )
    missions_hosted = MissionRefSerializer(
        many=True, help_text="Missions on its territory." + LIMIT_NOTE
    )
    mission_contributions = DossierContributionSerializer(
        many=True, help_text="Its contributions to missions." + LIMIT_NOTE
    )
    challenges = ChallengeRefSerializer(
        many=True, help_text="Challenges that concern it." + LIMIT_NOTE
    )
    totals = DossierTotalsSerializer(help_text="Each group's number of records in all.")
    lists = DossierListsSerializer(help_text="Each group's whole list, filtered to the country.")
    un_personnel = DossierPersonnelSerializer(
        help_text="Its uniformed personnel in UN missions month by month (IPI), summed up, "
        "with the link to the months."
    )


def read_dossier(country, request):
    """The dossier as DossierSerializer shows it, read as values (milidip.api.reading): at most
    SECTION_LIMIT records a group, with the groups' totals and lists."""
    groups = country_dossier(country, request.user)
    fields = DossierSerializer().fields
    data = {}
    totals, lists = {}, {}
    for name, queryset in groups.items():
        field = fields[name]
        if name == "country":
            queryset = type(country)._base_manager.filter(pk=country.pk)
            serializer_class = type(field)
        else:
            serializer_class = type(field.child)
            totals[name] = queryset.count()
            route, parameter = SECTION_LISTS[name]
            query = urlencode({parameter: country.code})
            lists[name] = f"{reverse(route, request=request)}?{query}"
            queryset = queryset[:SECTION_LIMIT]
        plan = plan_for(serializer_class, queryset.model)
        rows = plan.read(list(plan.values(queryset)), request.user, request)
        data[name] = rows[0] if name == "country" else rows
    context = {"request": request}
    data["un_personnel"] = DossierPersonnelSerializer(un_personnel(country), context=context).data
    return {**data, "totals": totals, "lists": lists}
