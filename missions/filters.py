"""Filters for exercises, missions and challenges (see milidip.api.filters for the shared ones)."""

import django_filters
from django.db.models import Q

from alliances.filters import CountriesFilter, CountryCodeFilter
from alliances.models import Alliance, Treaty
from milidip.api.filters import (
    BooleanFilter,
    ChoiceInFilter,
    CountFilter,
    SlugFilter,
    YearFilter,
    ordering_filter,
)
from milidip.dates import year_range_q
from milidip.sources.filters import DatedFilterSet, EndedFilterSet, disputed_filter
from missions.models import (
    DOMAINS,
    PURPOSES,
    Challenge,
    ContributorMonth,
    Exercise,
    ExerciseParticipant,
    Mission,
    MissionContribution,
    MissionStrength,
)


class ExerciseFilter(DatedFilterSet):
    search_fields = ("name", "location", "description")

    country = CountriesFilter(
        field_name="participants",
        help_text="ISO3 code of a participant; repeat to require all (`country=KOR&country=USA`).",
    )
    kind = ChoiceInFilter(choices=Exercise.Kind.choices, help_text="Comma-separated: any of.")
    domain = ChoiceInFilter(
        choices=list(DOMAINS.items()), method="filter_domain", help_text="Comma-separated: any of."
    )
    purpose = ChoiceInFilter(
        choices=list(PURPOSES.items()),
        method="filter_purpose",
        help_text="Comma-separated: any of.",
    )
    series = SlugFilter(
        queryset=Exercise.objects.filter(kind=Exercise.Kind.SERIES),
        help_text="Slug of a series: its iterations.",
    )
    alliance = SlugFilter(queryset=Alliance.objects.all(), help_text="Slug of the framework.")
    host = CountryCodeFilter(method="filter_host", help_text="ISO3 code of the host country.")
    role = ChoiceInFilter(
        choices=ExerciseParticipant.Role.choices,
        method="filter_role",
        help_text="Participant role, comma-separated: any of. With `country`, the role those "
        "countries play.",
    )
    mme_id = django_filters.CharFilter(
        max_length=20, help_text="Multinational Military Exercises id (MMEID), e.g. mme87."
    )
    disputed = disputed_filter(
        "missions.exercise",
        "Only exercises whose sources disagree on this field, unresolved (`name`, `start`, `end`).",
    )
    ordering = ordering_filter(("name", "start", "updated"), "Default: start, name, slug.")

    class Meta(DatedFilterSet.Meta):
        model = Exercise

    def filter_domain(self, queryset, name, codes):
        return queryset.filter(
            pk__in=Exercise.domains.through.objects.filter(domain__code__in=codes).values(
                "exercise"
            )
        )

    def filter_purpose(self, queryset, name, codes):
        return queryset.filter(
            pk__in=Exercise.purposes.through.objects.filter(purpose__code__in=codes).values(
                "exercise"
            )
        )

    def filter_host(self, queryset, name, country):
        hosts = ExerciseParticipant.objects.filter(country=country, role="host")
        return queryset.filter(pk__in=hosts.values("exercise"))

    def filter_role(self, queryset, name, roles):
        participations = ExerciseParticipant.objects.filter(role__in=roles)
        countries = self.form.cleaned_data.get("country")
        if countries:
            for country in countries:
                queryset = queryset.filter(
                    pk__in=participations.filter(country=country).values("exercise")
                )
            return queryset
        return queryset.filter(pk__in=participations.values("exercise"))


class MissionFilter(EndedFilterSet):
    search_fields = ("name", "short_name", "description")
    ranges = {**EndedFilterSet.ranges, ("personnel_min", "personnel_max"): "filter_personnel"}

    country = CountriesFilter(
        method="filter_country",
        help_text="ISO3 code of a country that hosts or contributes; repeat to require all.",
    )
    kind = ChoiceInFilter(choices=Mission.Kind.choices, help_text="Comma-separated: any of.")
    organisation = SlugFilter(
        queryset=Alliance.objects.all(),
        help_text="Slug of the mandating organisation (`united-nations`).",
    )
    host = CountryCodeFilter(field_name="hosts", help_text="ISO3 code of a host country.")
    contributor = CountryCodeFilter(
        method="filter_contributor", help_text="ISO3 code of a contributing country."
    )
    active = BooleanFilter(
        method="filter_active",
        help_text="true: still going; false: ended (with or without a known end date).",
    )
    personnel_min = CountFilter(
        help_text="A contribution of at least this many personnel (the contributor's, if given).",
    )
    personnel_max = CountFilter(
        help_text="A contribution of at most this many personnel (the contributor's, if given).",
    )
    un_acronym = django_filters.CharFilter(
        max_length=20, help_text="The UN mission acronym, e.g. UNIFIL."
    )
    part_of = SlugFilter(
        queryset=Mission.objects.all(),
        help_text="Slug of a mission: the national deployments serving in it.",
    )
    disputed = disputed_filter(
        "missions.mission",
        "Only missions whose sources disagree on this field, unresolved (`name`, "
        "`short_name`, `start`, `end`).",
    )
    ordering = ordering_filter(("name", "start", "updated"), "Default: start, name, slug.")

    class Meta(EndedFilterSet.Meta):
        model = Mission

    def filter_country(self, queryset, name, countries):
        for country in countries:
            involved = Q(hosts=country) | Q(contributions__country=country)
            queryset = queryset.filter(pk__in=Mission.objects.filter(involved).values("pk"))
        return queryset

    def filter_contributor(self, queryset, name, country):
        return queryset.filter(pk__in=country.mission_contributions.values("mission"))

    def filter_active(self, queryset, name, active):
        return queryset.filter(ended=not active)

    def filter_personnel(self, queryset, least, most):
        data = self.form.cleaned_data
        contributions = MissionContribution.objects.filter(personnel__isnull=False)
        if least is not None:
            contributions = contributions.filter(personnel__gte=least)
        if most is not None:
            contributions = contributions.filter(personnel__lte=most)
        if data.get("contributor"):
            contributions = contributions.filter(country=data["contributor"])
        return queryset.filter(pk__in=contributions.values("mission"))


class ChallengeFilter(DatedFilterSet):
    search_fields = ("name", "description", "responses")

    country = CountriesFilter(
        field_name="countries", help_text="ISO3 code of a country it concerns; repeat for all."
    )
    kind = ChoiceInFilter(
        choices=Challenge.Category.choices,
        field_name="category",
        help_text="The challenge's category, comma-separated: any of (same as `category`).",
    )
    category = ChoiceInFilter(
        choices=Challenge.Category.choices, help_text="Comma-separated: any of."
    )
    alliance = SlugFilter(
        queryset=Alliance.objects.all(),
        field_name="alliances",
        help_text="An alliance it concerns.",
    )
    treaty = SlugFilter(
        queryset=Treaty.objects.all(), field_name="treaties", help_text="A treaty it concerns."
    )
    mission = SlugFilter(
        queryset=Mission.objects.all(), field_name="missions", help_text="A mission it concerns."
    )
    exercise = SlugFilter(
        queryset=Exercise.objects.all(),
        field_name="exercises",
        help_text="An exercise it concerns.",
    )
    ordering = ordering_filter(("name", "start", "updated"), "Default: name, then slug.")

    class Meta(DatedFilterSet.Meta):
        model = Challenge


class StrengthFilter(django_filters.FilterSet):
    """Filters of a mission's monthly strengths (/missions/<slug>/strengths/)."""

    outside_mission_dates = BooleanFilter(
        help_text="true: only the months IPI reports outside the mission's own dates (before "
        "its start or after its end); false: only those within them."
    )

    class Meta:
        model = MissionStrength
        fields = []


class ContributorMonthFilter(django_filters.FilterSet):
    """Filters of a country's monthly contributions (/countries/<code>/contributions/)."""

    year_from = YearFilter(help_text="Only months in or after this year.")
    year_to = YearFilter(help_text="Only months in or before this year.")

    class Meta:
        model = ContributorMonth
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        low, high = self.form.cleaned_data.get("year_from"), self.form.cleaned_data.get("year_to")
        if low is not None or high is not None:
            queryset = queryset.filter(year_range_q("month", low, high))
        return queryset
