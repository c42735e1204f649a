"""Search across every resource: `/api/v1/search/?q=...`, typed and ranked hits.

On PostgreSQL each resource is searched with full text (the same vectors and GIN indexes as each
list's `search` filter) and hits are merged best first; on SQLite every word must appear and hits
come in resource order. One query per resource searched, whatever the number of hits.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from alliances.filters import AllianceFilter, CountryFilter, TreatyFilter, search_countries
from alliances.models import Alliance, Country, Treaty
from milidip.api.filters import joined_parameters
from milidip.api.pagination import positive_int_param
from milidip.api.views import check_parameters
from milidip.records import visible_to
from milidip.search import (
    SEARCH_MAX_LENGTH,
    SEARCH_MAX_TERMS,
    check_search_terms,
    search_queryset,
)
from milidip.sources.filters import SourceFilter
from milidip.sources.models import Source
from missions.filters import ChallengeFilter, ExerciseFilter, MissionFilter
from missions.models import Challenge, Exercise, Mission

# type name: (model, searched fields, identifier field, title field, detail route)
SEARCHED = {
    "country": (Country, CountryFilter.search_fields, "code", "name", "country-detail"),
    "alliance": (Alliance, AllianceFilter.search_fields, "slug", "name", "alliance-detail"),
    "treaty": (Treaty, TreatyFilter.search_fields, "slug", "name", "treaty-detail"),
    "exercise": (Exercise, ExerciseFilter.search_fields, "slug", "name", "exercise-detail"),
    "mission": (Mission, MissionFilter.search_fields, "slug", "name", "mission-detail"),
    "challenge": (Challenge, ChallengeFilter.search_fields, "slug", "name", "challenge-detail"),
    "source": (Source, SourceFilter.search_fields, "slug", "title", "source-detail"),
}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
PARAMETERS = {"q", "type", "limit", "format"}


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(SEARCHED), help_text="The resource.")
    id = serializers.CharField(help_text="The record's code (countries) or slug.")
    name = serializers.CharField()
    url = serializers.URLField(help_text="The record in the API.")
    rank = serializers.FloatField(
        allow_null=True, help_text="Relevance on PostgreSQL (higher is better); null on SQLite."
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField()
    results = SearchHitSerializer(many=True)


class SearchView(APIView):
    """Full-text search across countries, alliances, treaties, exercises, missions, challenges
    and sources."""

    permission_classes = [AllowAny]
    # For the throttle (milidip.api.throttling): rows asked for, and the fixed cost of searching
    # every resource.
    rows_parameter = ("limit", DEFAULT_LIMIT)
    extra_cost = 5

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
                required=True,
                description=f"Words to find (at most {SEARCH_MAX_LENGTH} characters and "
                f"{SEARCH_MAX_TERMS} terms; PostgreSQL understands quotes, `or` and -word).",
            ),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "enum": list(SEARCHED)}},
                style="form",
                explode=False,
                description="Resources to search, comma-separated: any of "
                + ", ".join(SEARCHED)
                + ". Default: all.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"Hits per resource (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
            ),
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        check_parameters(request, PARAMETERS, lists={"type"})
        params = joined_parameters(request.query_params, {"type"})
        query = params.get("q", "").strip()
        if not query:
            raise ValidationError({"q": ["Give the words to search for."]})
        if len(query) > SEARCH_MAX_LENGTH:
            raise ValidationError({"q": [f"At most {SEARCH_MAX_LENGTH} characters."]})
        try:
            check_search_terms(query)
        except DjangoValidationError as error:
            raise ValidationError({"q": error.messages}) from error
        types = list(SEARCHED)
        if "type" in params:
            types = [name.strip() for name in params["type"].split(",") if name.strip()]
            wrong = [name for name in types if name not in SEARCHED]
            if wrong or not types:
                raise ValidationError(
                    {
                        "type": [
                            f"Unknown type {', '.join(wrong) or '(empty)'}; use any of "
                            f"{', '.join(SEARCHED)}."
                        ]
                    }
                )
        limit = positive_int_param(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        hits = []
        for type_name in dict.fromkeys(types):
            model, fields, id_field, title_field, route = SEARCHED[type_name]
            visible = visible_to(request.user, model.objects.all())
            if model is Country:
                # Countries are also found by their names in other languages (alliances.names).
                records = search_countries(visible, query)
            else:
                records = search_queryset(visible, query, fields)
            ranked = "search_rank" in records.query.annotations
            columns = [id_field, title_field, *(["search_rank"] if ranked else [])]
            # One reverse() a resource, not a hit: identifiers are URL-safe (codes and slugs).
            url = reverse(route, args=["ZZZ"], request=request)[: -len("ZZZ/")]
            for row in records.values(*columns)[:limit]:
                hits.append(
                    {
                        "type": type_name,
                        "id": row[id_field],
                        "name": row[title_field],
                        "url": f"{url}{row[id_field]}/",
                        "rank": row.get("search_rank"),
                    }
                )
        if any(hit["rank"] is not None for hit in hits):
            hits.sort(key=lambda hit: -(hit["rank"] or 0))
        return Response({"query": query, "count": len(hits), "results": hits})
