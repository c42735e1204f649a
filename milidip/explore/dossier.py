"""A country's dossier: everything involving one country, grouped by resource, in one request.

Each group shows at most SECTION_LIMIT records, in the order of the filtered list it comes from,
with its total (`totals`) and the link to that list (`lists`), where every record is: the
United States take part in about 1,900 exercises, and one document holding them all took
seconds. A fixed number of queries whatever the country: the country, then per group its
total and its rows (read as values, milidip.api.reading), and one for the summary of its
monthly personnel in UN missions (the months themselves are a paged list).
"""

from functools import cache
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
from milidip.api.pagination import kept_count
from milidip.api.prepared import Prepared, hole, with_hole
from milidip.api.reading import plan_for
from milidip.records import can_see_drafts, visible_through, visible_to
from milidip.versions import READ_VERSION
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

    def of(relation):
        # `country` None: the queries with a hole for the country (milidip.api.prepared).
        if country is None:
            return hole(relation)
        return {relation: country}

    return {
        "country": country,
        "alliances": Membership.objects.filter(
            visible_through(user, "alliance", Alliance), **of("country")
        ).select_related("alliance"),
        "treaties": visible(Treaty.objects.filter(**of("parties"))).order_by(
            "signed", "name", "slug"
        ),
        "exercises": ExerciseParticipant.objects.filter(
            visible_through(user, "exercise", Exercise), **of("country")
        ).select_related("exercise"),
        "missions_hosted": visible(Mission.objects.filter(**of("hosts"))).order_by(
            "start", "name", "slug"
        ),
        "mission_contributions": MissionContribution.objects.filter(
            visible_through(user, "mission", Mission), **of("country")
        ).select_related("mission"),
        "challenges": visible(Challenge.objects.filter(**of("countries"))).order_by("name", "slug"),
    }


PERSONNEL_SUMS = {
    "months": Count("pk"),
    "first_month": Min("month"),
    "last_month": Max("month"),
    "troop_months": Sum("troops"),
    "police_months": Sum("police"),
    "expert_months": Sum("experts"),
}
# The sums for one country (the hole), compiled once: a country without months has no row.
PERSONNEL = Prepared(
    lambda: (
        with_hole(ContributorMonth.objects, "country")
        .values("country")
        .annotate(**PERSONNEL_SUMS)
        .values(*PERSONNEL_SUMS)
    )
)


def un_personnel(country):
    """The summary of `country`'s monthly personnel in UN missions: one aggregate query, made
    only where it is shown (the API's dossier; a country's page does not show it). Without
    months: none counted and nothing summed, as an aggregate over no rows gives."""
    rows = PERSONNEL.by_keys(ContributorMonth._base_manager.db, [country.pk])
    sums = rows[0] if rows else {name: None for name in PERSONNEL_SUMS} | {"months": 0}
    return {"country": country, **sums}


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


# Each group's rows (country_dossier's querysets), in the dossier's order.
GROUP_MODELS = {
    "alliances": Membership,
    "treaties": Treaty,
    "exercises": ExerciseParticipant,
    "missions_hosted": Mission,
    "mission_contributions": MissionContribution,
    "challenges": Challenge,
}
# The models whose drafts a dossier's groups show or hide: a reader's kind, for GROUP_QUERIES.
SHOWN_MODELS = (Alliance, Treaty, Exercise, Mission, Challenge)
# Each group's first SECTION_LIMIT + 1 rows for a kind of reader, compiled once with a hole for
# the country: {(group, drafts shown per SHOWN_MODELS): Prepared}.
GROUP_QUERIES = {}


@cache
def section_serializers():
    """{group: the serializer class of one of its rows (of the country itself)}."""
    fields = DossierSerializer().fields
    return {
        name: type(fields[name]) if name == "country" else type(fields[name].child)
        for name in ("country", *SECTION_LISTS)
    }


def reader_kind(user):
    """Which of SHOWN_MODELS' drafts `user` sees: the kind of reader GROUP_QUERIES are kept for
    (asked once a dossier, not once a group: an anonymous reader's permissions are asked of the
    authentication backends each time)."""
    return tuple(can_see_drafts(user, model) for model in SHOWN_MODELS)


def group_rows(name, plan, user, country, kind):
    """The first SECTION_LIMIT + 1 rows of `country`'s group `name`, as `plan` reads them for a
    reader of `kind` (reader_kind)."""
    key = (name, kind)
    prepared = GROUP_QUERIES.get(key)
    if prepared is None:
        prepared = GROUP_QUERIES[key] = Prepared(
            lambda: plan.values(country_dossier(None, user)[name][: SECTION_LIMIT + 1])
        )
    return prepared.by_keys(plan.model._base_manager.db, [country.pk])


def group_total(name, country, kind, groups, request):
    """The number of rows in `country`'s group `name`, kept in the read cache under the data
    version the request began at (kept_count), keyed by the group's query and the country.
    The query is named by the digest of the SQL group_rows compiled for this kind of reader:
    it differs with what the reader may see, and a release that changes it never reads an
    older one's totals. `groups()` gives the groups' querysets, built only to
    count a total not kept: building them, and compiling one to make its key, cost the United
    States' dossier a sixth of its Python."""
    alias = GROUP_MODELS[name]._base_manager.db
    digest = GROUP_QUERIES[name, kind].compile(alias).digest
    key = f"dossier-total:{alias}:{name}:{digest}:{country.pk}"
    return kept_count(lambda: groups()[name], request.META.get(READ_VERSION), key=key)


def read_dossier(country, request):
    """The dossier as DossierSerializer shows it, read as values (milidip.api.reading): at most
    SECTION_LIMIT records a group, with the groups' totals and lists. Each group's rows are read
    by a query compiled once per kind of reader (the country is its parameter)."""
    serializers_of = section_serializers()
    plan = plan_for(serializers_of["country"], type(country))
    data = {"country": plan.read(plan.by_keys([country.pk]), request.user, request)[0]}
    totals, lists = {}, {}
    kind = reader_kind(request.user)
    groups = cache(lambda: country_dossier(country, request.user))  # built once, if ever
    for name, model in GROUP_MODELS.items():
        route, parameter = SECTION_LISTS[name]
        query = urlencode({parameter: country.code})
        lists[name] = f"{reverse(route, request=request)}?{query}"
        plan = plan_for(serializers_of[name], model)
        # One row more than is shown says whether the group is larger: only then is it counted,
        # and that count is kept under the data version an anonymous read began at (kept_count).
        rows = group_rows(name, plan, request.user, country, kind)
        totals[name] = len(rows)
        if len(rows) > SECTION_LIMIT:
            rows = rows[:SECTION_LIMIT]
            totals[name] = group_total(name, country, kind, groups, request)
        data[name] = plan.read(rows, request.user, request)
    context = {"request": request}
    data["un_personnel"] = DossierPersonnelSerializer(un_personnel(country), context=context).data
    return {**data, "totals": totals, "lists": lists}
