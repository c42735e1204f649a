"""Labels for every coded value: `/api/v1/vocabulary/`.

Records carry codes (`non-aggression-pact`, `command-post`); this endpoint gives each code's
label, vocabulary by vocabulary, with the fields that use it, so that a client shows words
without copying them from the schema. It reads no table: the codes are the models' own choices.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from alliances.models import Alliance, Membership, Region, Treaty
from milidip.api.views import check_parameters
from milidip.dates import EndKind
from milidip.explore.graph import EDGE_KINDS
from milidip.explore.search import SEARCHED
from milidip.records import Status
from milidip.sources.claims import RULES
from milidip.sources.models import ImportRunRow, Revision, Source
from missions.models import DOMAINS, PURPOSES, Challenge, Exercise, ExerciseParticipant, Mission

# The search's `type` of a hit: the resource, by its model's name.
RESOURCES = [
    (name, model._meta.verbose_name.capitalize()) for name, (model, *_) in SEARCHED.items()
]

# name: ((code, label) pairs, the fields and filters that use it)
VOCABULARIES = {
    "status": (Status.choices, "Every record's `status`, and the lists' `status` filter."),
    "region": (Region.choices, "Countries' `region` and its filter."),
    "alliance_kind": (Alliance.Kind.choices, "Alliances' `kind` and its filter."),
    "membership_role": (
        Membership.Role.choices,
        "The `role` of an alliance's memberships (and in a dossier), and the `role` filter "
        "of alliances.",
    ),
    "treaty_kind": (Treaty.Kind.choices, "Treaties' `kind` and its filter."),
    "exercise_kind": (Exercise.Kind.choices, "Exercises' `kind` and its filter."),
    "participant_role": (
        ExerciseParticipant.Role.choices,
        "The `role` of an exercise's participants (and in a dossier), and the `role` filter "
        "of exercises.",
    ),
    "domain": (list(DOMAINS.items()), "Exercises' `domains` and the `domain` filter."),
    "purpose": (list(PURPOSES.items()), "Exercises' `purposes` and the `purpose` filter."),
    "mission_kind": (Mission.Kind.choices, "Missions' `kind` and its filter."),
    "challenge_category": (Challenge.Category.choices, "Challenges' `category` and its filter."),
    "source_kind": (Source.Kind.choices, "Sources' `kind` and its filter."),
    "collection": (
        Source.Collection.choices,
        "Sources' `collection`, and every list's `collection` filter.",
    ),
    "end_kind": (
        EndKind.choices,
        "The `end_kind` of alliances, memberships (and in a dossier) and missions, and their "
        "`end_kind` filter: what a blank or given `end` means.",
    ),
    "claim_rule": (
        list(RULES.items()),
        "The `rule` of each field in a record's `claims` (an alliance's detail): how the value "
        "shown was chosen.",
    ),
    "resource": (RESOURCES, "The `type` of each hit of `/api/v1/search/`, and its filter."),
    "revision_state": (
        Revision.State.choices,
        "The `state` of a change kept for a reviewer (the 202 answer to a write to a public "
        "record).",
    ),
    "graph_edges": (
        list(EDGE_KINDS.items()),
        "The `edges_kind` of `/api/v1/graph/` and its `edges` parameter: what an edge stands for.",
    ),
    "import_outcome": (
        ImportRunRow.Outcome.choices,
        "The `outcome` of the rows of a dataset's import runs (`/api/v1/sources/<slug>/runs/`).",
    ),
}


class TermSerializer(serializers.Serializer):
    """One coded value and its label."""

    code = serializers.CharField()
    label = serializers.CharField()


class VocabularyView(APIView):
    """The label of every coded value the API uses, vocabulary by vocabulary."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "Vocabulary",
            {
                name: TermSerializer(many=True, help_text=used_by)
                for name, (_, used_by) in VOCABULARIES.items()
            },
        )
    )
    def get(self, request):
        check_parameters(request, {"format"})
        return Response(
            {
                name: [{"code": code, "label": str(label)} for code, label in choices]
                for name, (choices, _) in VOCABULARIES.items()
            }
        )
