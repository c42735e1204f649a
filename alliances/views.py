"""API views for countries, alliances and treaties (the dossier is in milidip.explore)."""

from django.db.models import Prefetch

from alliances.filters import AllianceFilter, CountryFilter, TreatyFilter
from alliances.models import Alliance, Country, Membership, Treaty
from alliances.serializers import (
    AllianceDetailSerializer,
    AllianceInputSerializer,
    AllianceSerializer,
    CountryDetailSerializer,
    CountryInputSerializer,
    CountrySerializer,
    TreatyDetailSerializer,
    TreatyInputSerializer,
    TreatySerializer,
)
from milidip.sources.views import RecordViewSet, with_citations


class CountryViewSet(RecordViewSet):
    """Countries, looked up by ISO 3166-1 alpha-3 code (`/countries/KOR/`)."""

    queryset = with_citations(Country.objects.order_by("name", "code"))
    serializer_class = CountrySerializer
    detail_serializer_class = CountryDetailSerializer
    input_serializer_class = CountryInputSerializer
    filterset_class = CountryFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{3}"


class AllianceViewSet(RecordViewSet):
    """Alliances, partnerships and organisations, with their memberships."""

    queryset = with_citations(
        Alliance.objects.order_by("name", "slug")
        .select_related("cow_alliance")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("country")),
            "atop_alliances",
        )
    )
    serializer_class = AllianceSerializer
    detail_serializer_class = AllianceDetailSerializer
    input_serializer_class = AllianceInputSerializer
    filterset_class = AllianceFilter
    row_fields = {"memberships": "memberships"}


class TreatyViewSet(RecordViewSet):
    """Treaties and agreements, with their parties and the alliance they found or govern."""

    queryset = with_citations(
        Treaty.objects.order_by("signed", "name", "slug")
        .select_related("alliance")
        .prefetch_related("parties")
    )
    serializer_class = TreatySerializer
    detail_serializer_class = TreatyDetailSerializer
    input_serializer_class = TreatyInputSerializer
    filterset_class = TreatyFilter
    link_fields = ("parties",)
