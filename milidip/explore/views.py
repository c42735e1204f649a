"""The countries endpoint with each country's dossier (everything involving it)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from alliances.models import Country
from alliances.views import CountryViewSet
from milidip.api.filters import FilterBackend
from milidip.explore.dossier import SECTION_LIMIT, DossierSerializer, read_dossier
from milidip.records import visible_to
from missions.filters import ContributorMonthFilter
from missions.models import ContributorMonth
from missions.serializers import ContributorMonthSerializer


class CountryDossierViewSet(CountryViewSet):
    # No docstring: the schema describes every /countries/ operation with CountryViewSet's.

    # For the throttle (milidip.api.throttling): a dossier reads seven groups of records.
    action_costs = {"dossier": 10}
    paged_actions = ("contributions",)

    @extend_schema(
        responses=DossierSerializer,
        summary="Everything involving a country",
        description="The country's alliances (with its roles), treaties, exercises (with its "
        "roles), missions it hosts or contributes to, and the challenges that concern it. Each "
        f"group shows at most {SECTION_LIMIT} records; `totals` says how many it has in all "
        "and `lists` links the list that holds them all.",
    )
    @action(detail=True, methods=["get"])
    def dossier(self, request, code=None):
        country = self.get_object()
        self.last_modified = country.updated
        return Response(read_dossier(country, request))

    @extend_schema(
        responses=ContributorMonthSerializer(many=True),
        summary="A country's uniformed personnel in UN missions, month by month",
        description="The country's troops, police and experts on mission in all UN missions "
        "together at the end of each month (November 1990 to March 2014), oldest first, from "
        "the IPI Peacekeeping Database's country series; each month names the dataset row it "
        "comes from. IPI gives no breakdown by mission here (see each mission's "
        "`contributions`). Paginated like the lists.",
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[FilterBackend],
        filterset_class=ContributorMonthFilter,
    )
    def contributions(self, request, code=None):
        country = self.get_object()
        months = ContributorMonth.objects.filter(country=country).select_related("source")
        page = self.paginate_queryset(self.filter_queryset(months.order_by("month")))
        self.last_modified = max((point.updated for point in page), default=country.updated)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_queryset(self):
        if self.action == "contributions":
            # Only the country itself is read: none of the prefetching its own page needs.
            return visible_to(self.request.user, Country.objects.all())
        return super().get_queryset()

    def get_serializer_class(self):
        # Also names the CSV columns, even of an empty page.
        if self.action == "contributions":
            return ContributorMonthSerializer
        return super().get_serializer_class()
