"""The API's own views: its root (links to everything), the schema and its documentation."""

from csp.decorators import csp_update
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from milidip.api.views import check_parameters

LINKS = {
    "countries": "country-list",
    "alliances": "alliance-list",
    "treaties": "treaty-list",
    "exercises": "exercise-list",
    "missions": "mission-list",
    "challenges": "challenge-list",
    "sources": "source-list",
    "search": "search",
    "downloads": "downloads",
    "vocabulary": "vocabulary",
    "schema": "schema",
    "docs": "swagger-ui",
    "redoc": "redoc",
}


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema; generating it takes most of a second, so the throttle costs it so."""

    extra_cost = 75


class ApiRootView(APIView):
    """Links to every resource, the search and the documentation."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in LINKS})
    )
    def get(self, request):
        check_parameters(request, {"format"})
        return Response({name: reverse(route, request=request) for name, route in LINKS.items()})


# What Redoc needs beyond the site's Content-Security-Policy (milidip/settings.py): it builds its
# search index in a worker made from a blob, and the two style elements its bundle adds as it
# loads, before it is given the page's nonce, are allowed by their hashes (one is empty; a new
# Redoc bundle with other styles fails tests/e2e/test_content_security_policy.py).
REDOC_POLICY = {
    "worker-src": ["blob:"],
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ],
}


docs_view = SpectacularSwaggerView.as_view(url_name="schema")
redoc_view = csp_update(REDOC_POLICY)(SpectacularRedocView.as_view(url_name="schema"))
