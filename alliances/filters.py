"""Filters for countries, alliances and treaties, and the country filters every resource uses
(`country` by ISO3 code). The shared bases are in milidip.sources.filters."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from alliances.models import Alliance, Country, Membership, Region, Treaty
from alliances.names import codes_named
from milidip.api.filters import (
    BooleanFilter,
    ChoiceInFilter,
    IdFilter,
    SlugFilter,
    VisibleChoiceMixin,
    YearFilter,
    ordering_filter,
)
from milidip.dates import year_range_q
from milidip.search import search_queryset
from milidip.sources.filters import (
    DatedFilterSet,
    EndedFilterSet,
    RecordFilterSet,
    disputed_filter,
)

COUNTRY_CODE_SCHEMA = {"type": "string", "pattern": "^[A-Z]{3}$", "example": "KOR"}


@extend_schema_field(COUNTRY_CODE_SCHEMA)
class CountryCodeFilter(VisibleChoiceMixin, django_filters.ModelChoiceFilter):
    """One country by ISO3 code; an unknown code is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


@extend_schema_field(COUNTRY_CODE_SCHEMA)
class CountriesFilter(VisibleChoiceMixin, django_filters.ModelMultipleChoiceFilter):
    """ISO3 codes; repeated, all of them must match (AND)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("conjoined", True)
        super().__init__(*args, **kwargs)

    def links(self):
        """The many-to-many relation filtered on, when it is one (else None)."""
        relation = self.model._meta.get_field(self.field_name)
        return relation if relation.many_to_many and relation.concrete else None

    def filter(self, qs, value):
        # A subquery on the link table finds each record once: no DISTINCT over whole rows
        # (which made a filtered page and its count several times slower on PostgreSQL).
        self.distinct = self.links() is None
        return super().filter(qs, value)

    def get_filter_predicate(self, country):
        # Filter by the Country itself: to_field_name is only how callers name it.
        relation = self.links()
        if relation is None:
            return {self.field_name: country}
        links = relation.remote_field.through._default_manager.filter(
            **{relation.m2m_reverse_field_name(): country}
        )
        return {"pk__in": links.values(relation.m2m_field_name())}


def search_countries(queryset, text):
    """Countries matching `text` as every resource's search does, or by a name of theirs in
    another language or of today (alliances.names): `대한민국` finds South Korea, `Serbia` the
    record COW calls Yugoslavia."""
    codes = codes_named(text)
    also = Q(code__in=codes) if codes else None
    return search_queryset(queryset, text, CountryFilter.search_fields, also=also)


class CountryFilter(RecordFilterSet):
    search_fields = ("name", "official_name", "code")

    region = ChoiceInFilter(choices=Region.choices, help_text="Region, comma-separated: any of.")
    alliance = SlugFilter(
        queryset=Alliance.objects.all(),
        method="filter_alliance",
        help_text="Slug of an alliance the country belongs to (in any role).",
    )
    disputed = disputed_filter(
        "alliances.country",
        "Only countries whose sources disagree on this field, unresolved (`region`, `gw_code`).",
    )
    ordering = ordering_filter(
        ("name", "code", "updated"), "Default: name, then code.", unique_key="code"
    )

    class Meta(RecordFilterSet.Meta):
        model = Country

    def filter_alliance(self, queryset, name, alliance):
        return queryset.filter(pk__in=alliance.memberships.values("country"))

    def filter_search(self, queryset, name, value):
        return search_countries(queryset, value)


class AllianceFilter(EndedFilterSet):
    search_fields = ("name", "short_name", "description")

    country = CountriesFilter(
        field_name="members",
        help_text="ISO3 code of a member; repeat to require all (`country=KOR&country=USA`).",
    )
    kind = ChoiceInFilter(choices=Alliance.Kind.choices, help_text="Comma-separated: any of.")
    role = ChoiceInFilter(
        choices=Membership.Role.choices,
        method="filter_role",
        help_text="Membership role, comma-separated: any of. With `country`, the role those "
        "countries hold.",
    )
    defence = BooleanFilter(help_text="Parties promise mutual defence.")
    offence = BooleanFilter()
    neutrality = BooleanFilter()
    non_aggression = BooleanFilter()
    consultation = BooleanFilter()
    entente = BooleanFilter()
    military_aid = BooleanFilter(help_text="Parties promise military aid (ATOP).")
    bases = BooleanFilter(help_text="Parties grant bases or station troops (ATOP).")
    organisation = BooleanFilter(help_text="The agreement creates an organisation (ATOP).")
    cow_id = IdFilter(help_text="Correlates of War alliance id (version4id), e.g. 236.")
    atop_id = IdFilter(help_text="ATOP alliance id (atopid), e.g. 3240.")
    disputed = disputed_filter(
        "alliances.alliance",
        "Only alliances whose sources disagree on this field, unresolved: a field "
        "(`defence`, `start`), any member's field (`members.defence`) or one member's "
        "(`members/KOR/defence`).",
    )
    ordering = ordering_filter(("name", "start", "updated"), "Default: name, then slug.")

    class Meta(EndedFilterSet.Meta):
        model = Alliance

    def filter_role(self, queryset, name, roles):
        memberships = Membership.objects.filter(role__in=roles)
        countries = self.form.cleaned_data.get("country")
        if countries:
            for country in countries:
                queryset = queryset.filter(
                    pk__in=memberships.filter(country=country).values("alliance")
                )
            return queryset
        return queryset.filter(pk__in=memberships.values("alliance"))


class TreatyFilter(DatedFilterSet):
    date_field = "signed"
    ranges = {**DatedFilterSet.ranges, ("in_force_from", "in_force_to"): "filter_in_force"}
    search_fields = ("name", "short_name", "provisions", "description")

    country = CountriesFilter(
        field_name="parties", help_text="ISO3 code of a party; repeat to require all."
    )
    kind = ChoiceInFilter(choices=Treaty.Kind.choices, help_text="Comma-separated: any of.")
    alliance = SlugFilter(
        queryset=Alliance.objects.all(),
        help_text="Slug of the alliance the treaty founds or governs.",
    )
    in_force_from = YearFilter(help_text="In force in or after this year.")
    in_force_to = YearFilter(help_text="In force in or before this year.")
    disputed = disputed_filter(
        "alliances.treaty",
        "Only treaties whose sources disagree on this field, unresolved (`signed`, "
        "`in_force`, `ended`).",
    )
    ordering = ordering_filter(
        ("name", "signed", "in_force", "updated"), "Default: signed, name, slug."
    )

    class Meta(DatedFilterSet.Meta):
        model = Treaty

    def filter_in_force(self, queryset, year_from, year_to):
        return queryset.filter(year_range_q("in_force", year_from, year_to))
