"""Admin for exercises, missions and challenges, with participants and contributions inline."""

from django.contrib import admin

from alliances.models import Alliance, Country, Treaty
from milidip.sources.admin import RecordAdmin, citation_inline
from milidip.sources.resources import record_resource
from missions.models import (
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
    Purpose,
)


class ParticipantInline(admin.TabularInline):
    model = ExerciseParticipant
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(Exercise)
class ExerciseAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Exercise,
            columns=[
                "slug",
                "name",
                "kind",
                "series",
                "alliance",
                "domains",
                "purposes",
                "start",
                "end",
                "location",
                "latitude",
                "longitude",
                "description",
                "status",
            ],
            foreign={"series": (Exercise, "slug"), "alliance": (Alliance, "slug")},
            many={"domains": (Domain, "code"), "purposes": (Purpose, "code")},
        )
    ]
    list_display = ["name", "kind", "series", "start", "end", "location", "status"]
    list_filter = ["kind", "status", "domains", "purposes"]
    search_fields = ["name", "slug", "location", "description"]
    autocomplete_fields = ["series", "alliance"]
    filter_horizontal = ["domains", "purposes"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["series"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "series", "alliance", "description"]}),
        ("What and why", {"fields": ["domains", "purposes"]}),
        ("When and where", {"fields": ["start", "end", "location", "latitude", "longitude"]}),
        RecordAdmin.publication_fieldset,
    ]
    inlines = [ParticipantInline, citation_inline(ExerciseCitation)]


class ContributionInline(admin.TabularInline):
    model = MissionContribution
    extra = 0
    autocomplete_fields = ["country"]


class LocationInline(admin.TabularInline):
    model = MissionLocation
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(Mission)
class MissionAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Mission,
            columns=[
                "slug",
                "name",
                "short_name",
                "kind",
                "organisation",
                "hosts",
                "start",
                "end",
                "description",
                "status",
            ],
            foreign={"organisation": (Alliance, "slug")},
            many={"hosts": (Country, "code")},
        )
    ]
    list_display = ["name", "short_name", "kind", "organisation", "start", "end", "status"]
    list_filter = ["kind", "status", "organisation"]
    search_fields = ["name", "short_name", "slug", "description"]
    autocomplete_fields = ["organisation", "hosts"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organisation"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "organisation", "hosts"]}),
        ("Dates", {"fields": ["start", "end"]}),
        ("Description", {"fields": ["description"]}),
        RecordAdmin.publication_fieldset,
    ]
    inlines = [ContributionInline, LocationInline, citation_inline(MissionCitation)]


@admin.register(Challenge)
class ChallengeAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Challenge,
            columns=[
                "slug",
                "name",
                "category",
                "description",
                "responses",
                "start",
                "end",
                "countries",
                "alliances",
                "treaties",
                "missions",
                "exercises",
                "status",
            ],
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
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "start", "end"]}),
        ("The problem and the responses", {"fields": ["description", "responses"]}),
        (
            "What it concerns",
            {"fields": ["countries", "alliances", "treaties", "missions", "exercises"]},
        ),
        RecordAdmin.publication_fieldset,
    ]
    inlines = [citation_inline(ChallengeCitation)]
