"""API views for exercises, missions and challenges."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from milidip.api.filters import FilterBackend
from milidip.api.pagination import keyset_ordering
from milidip.records import can_see_drafts, visible_to
from milidip.sources.views import RecordViewSet, with_citations
from missions import list_order
from missions.filters import ChallengeFilter, ExerciseFilter, MissionFilter, StrengthFilter
from missions.geojson import GeoJSONListMixin, exercise_features, mission_features
from missions.models import (
    Challenge,
    Exercise,
    ExerciseParticipant,
    Mission,
    MissionContribution,
    MissionLocation,
)
from missions.serializers import (
    ChallengeInputSerializer,
    ChallengeSerializer,
    ExerciseDetailSerializer,
    ExerciseInputSerializer,
    ExerciseSerializer,
    MissionDetailSerializer,
    MissionInputSerializer,
    MissionSerializer,
    StrengthSerializer,
)

# The exercise list's order (ExerciseViewSet.queryset), [(name, descending)]: the one
# missions.list_order keeps.
LIST_ORDER = [("start", False), ("name", False), ("slug", False)]


class ExerciseViewSet(GeoJSONListMixin, RecordViewSet):
    """Exercises and exercise series, with participants and their roles."""

    geojson_features = staticmethod(exercise_features)

    queryset = with_citations(
        Exercise.objects.order_by("start", "name", "slug")
        .select_related("series", "alliance")
        .prefetch_related(
            Prefetch(
                "exercise_participants",
                queryset=ExerciseParticipant.objects.select_related("country"),
            ),
            "domains",
            "purposes",
        )
    )
    serializer_class = ExerciseSerializer
    detail_serializer_class = ExerciseDetailSerializer
    input_serializer_class = ExerciseInputSerializer
    filterset_class = ExerciseFilter
    link_fields = ("domains", "purposes")
    row_fields = {"participants": "exercise_participants"}

    def page_ids_for(self, parameters, queryset):
        """A country's published exercises in list order, from the participants' own index
        (missions.list_order), for `?country=XXX` alone read by a reader who sees no drafts."""
        if (
            self.action != "list"
            or [name for name, _ in parameters] != ["country"]
            or len(parameters[0][1]) != 1
            or can_see_drafts(self.request.user, Exercise)
            or keyset_ordering(queryset) != LIST_ORDER
        ):
            return None
        # The filter has looked the code up (filtered_list): a country this reader may see.
        (country,) = self.filterset.form.cleaned_data["country"]
        return list_order.page_ids(queryset.db, country.pk)


class MissionViewSet(GeoJSONListMixin, RecordViewSet):
    """Missions and deployments, with organisation, hosts, contributions and locations."""

    geojson_features = staticmethod(mission_features)

    queryset = with_citations(
        Mission.objects.order_by("start", "name", "slug")
        .select_related("organisation", "part_of")
        .prefetch_related(
            "hosts",
            "deployments",
            Prefetch(
                "contributions", queryset=MissionContribution.objects.select_related("country")
            ),
            Prefetch("locations", queryset=MissionLocation.objects.select_related("country")),
        )
    )
    serializer_class = MissionSerializer
    detail_serializer_class = MissionDetailSerializer
    input_serializer_class = MissionInputSerializer
    filterset_class = MissionFilter
    link_fields = ("hosts",)
    row_fields = {"contributions": "contributions", "locations": "locations"}
    paged_actions = ("strengths",)

    @extend_schema(
        responses=StrengthSerializer(many=True),
        summary="A mission's uniformed personnel, month by month",
        description="The mission's strength at the end of each month (troops, police, "
        "observers, total), oldest first, from the IPI Peacekeeping Database; each month "
        "names the dataset row it comes from, and `outside_mission_dates` flags the months "
        "IPI reports before the mission's start or after its end. Paginated like the lists.",
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[FilterBackend],
        filterset_class=StrengthFilter,
    )
    def strengths(self, request, slug=None):
        mission = self.get_object()
        points = mission.strengths.select_related("source").order_by("month")
        page = self.paginate_queryset(self.filter_queryset(points))
        self.last_modified = max((point.updated for point in page), default=mission.updated)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_queryset(self):
        if self.action == "strengths":
            # Only the mission itself is read: none of the prefetching its own page needs.
            return visible_to(self.request.user, Mission.objects.all())
        return super().get_queryset()

    def get_serializer_class(self):
        # Also names the CSV columns, even of an empty page.
        if self.action == "strengths":
            return StrengthSerializer
        return super().get_serializer_class()


class ChallengeViewSet(RecordViewSet):
    """Security and diplomatic challenges, with what they concern."""

    queryset = with_citations(
        Challenge.objects.order_by("name", "slug").prefetch_related(
            "countries", "alliances", "treaties", "missions", "exercises"
        )
    )
    serializer_class = ChallengeSerializer
    input_serializer_class = ChallengeInputSerializer
    filterset_class = ChallengeFilter
    link_fields = ("countries", "alliances", "treaties", "missions", "exercises")
