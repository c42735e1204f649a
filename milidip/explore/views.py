"""The countries endpoint with each country's dossier (everything involving it)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from alliances.views import CountryViewSet
from milidip.explore.dossier import SECTION_LIMIT, DossierSerializer, read_dossier


class CountryDossierViewSet(CountryViewSet):
    # No docstring: the schema describes every /countries/ operation with CountryViewSet's.

    # For the throttle (milidip.api.throttling): a dossier reads seven groups of records.
    action_costs = {"dossier": 10}

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
