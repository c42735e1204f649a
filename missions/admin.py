"""Admin for exercises, missions and challenges, with participants and contributions inline."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from alliances.models import Alliance, Country, Treaty
from milidip.records import field_list
from milidip.sources.admin import (
    RecordAdmin,
    ReviewedRowAdmin,
    RowInline,
    citation_inline,
    record_fieldsets,
)
from milidip.sources.resources import record_resource
from missions.models import (
    CHALLENGE_FIELDS,
    EXERCISE_FIELDS,
    MISSION_FIELDS,
    Challenge,
    ChallengeCitation,
    Domain,
    Exercise,
    ExerciseCitation,
    ExerciseParticipant,
    Mission,
    MissionCitation,
    MissionContribution,
    MissionLocation,
    MissionStrength,
    Purpose,
)


class ParticipantInline(RowInline, admin.TabularInline):
    model = ExerciseParticipant
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(Exercise)
class ExerciseAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Exercise,
            field_list(EXERCISE_FIELDS, without=["participants", "mme_id", "mme_series"]),
            foreign={"series": (Exercise, "slug"), "alliance": (Alliance, "slug")},
            many={"domains": (Domain, "code"), "purposes": (Purpose, "code")},
        )
    ]
    list_display = ["name", "kind", "series", "start", "end", "location", "mme_id", "status"]
    list_filter = ["kind", "status", "domains", "purposes"]
    search_fields = ["name", "slug", "location", "description", "=mme_id", "mme_series"]
    autocomplete_fields = ["series", "alliance"]
    filter_horizontal = ["domains", "purposes"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["series"]
    fieldsets = record_fieldsets(
        EXERCISE_FIELDS,
        (None, {"fields": ["name", "slug"]}),
        ("What and why", {"fields": ["domains", "purposes"]}),
        ("When and where", {"fields": ["start", "end", "location", "latitude", "longitude"]}),
        (
            "Datasets",
            {
                "fields": ["mme_id", "mme_series"],
                "description": "The exercise's id in Multinational Military Exercises (MME) "
                "v7; for a series, the name MME gives it.",
            },
        ),
        without=["participants"],
    )
    inlines = [ParticipantInline, citation_inline(ExerciseCitation)]


class ContributionInline(RowInline, admin.TabularInline):
    model = MissionContribution
    extra = 0
    autocomplete_fields = ["country"]


class LocationInline(RowInline, admin.TabularInline):
    model = MissionLocation
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(Mission)
class MissionAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Mission,
            field_list(
                MISSION_FIELDS,
                without=[
                    "un_acronym",
                    "part_of",
                    "deployments",
                    "contributions",
                    "locations",
                    "active",
                ],
            ),
            foreign={"organisation": (Alliance, "slug")},
            many={"hosts": (Country, "code")},
        )
    ]
    list_display = ["name", "short_name", "kind", "organisation", "start", "end", "status"]
    list_filter = ["kind", "status", "ended", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "short_name", "slug", "description", "un_acronym"]
    autocomplete_fields = ["organisation", "hosts", "part_of"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organisation"]
    fieldsets = record_fieldsets(
        MISSION_FIELDS,
        (None, {"fields": ["name", "short_name", "slug"]}),
        ("Dates", {"fields": ["start", "end", "ended"]}),
        ("Description", {"fields": ["description"]}),
        without=["deployments", "contributions", "locations", "active"],
    )
    inlines = [ContributionInline, LocationInline, citation_inline(MissionCitation)]


@admin.register(MissionStrength)
class MissionStrengthAdmin(ReviewedRowAdmin, SimpleHistoryAdmin):
    """The monthly personnel series (IPI): found by mission, corrected one month at a time."""

    parent_field = "mission"

    list_display = ["mission", "month", "troops", "police", "observers", "total", "locator"]
    list_filter = ["source"]
    search_fields = ["mission__short_name", "mission__name", "=month"]
    autocomplete_fields = ["mission", "source"]
    list_select_related = ["mission"]
    ordering = ["mission", "month"]
    readonly_fields = ["created", "updated"]


@admin.register(Challenge)
class ChallengeAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Challenge,
            CHALLENGE_FIELDS,
            many={
                "countries": (Country, "code"),
                "alliances": (Alliance, "slug"),
                "treaties": (Treaty, "slug"),
                "missions": (Mission, "slug"),
                "exercises": (Exercise, "slug"),
            },
        )
    ]
    list_display = ["name", "category", "start", "end", "status"]
    list_filter = ["category", "status"]
    search_fields = ["name", "slug", "description", "responses"]
    autocomplete_fields = ["countries", "alliances", "treaties", "missions", "exercises"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = record_fieldsets(
        CHALLENGE_FIELDS,
        (None, {"fields": ["name", "slug"]}),
        ("The problem and the responses", {"fields": ["description", "responses"]}),
        (
            "What it concerns",
            {"fields": ["countries", "alliances", "treaties", "missions", "exercises"]},
        ),
    )
    inlines = [citation_inline(ChallengeCitation)]
