"""Admin for countries, alliances (with memberships inline) and treaties."""

from django.contrib import admin

from alliances.models import (
    ALLIANCE_FIELDS,
    COUNTRY_FIELDS,
    MEMBERSHIP_FIELDS,
    OBLIGATIONS,
    PROVISIONS,
    TREATY_FIELDS,
    Alliance,
    AllianceCitation,
    Country,
    CountryCitation,
    Membership,
    StateSystemMembership,
    Treaty,
    TreatyCitation,
)
from milidip.records import field_list
from milidip.sources.admin import (
    RecordAdmin,
    ReviewedRowAdmin,
    RowInline,
    citation_inline,
    record_fieldsets,
)
from milidip.sources.resources import record_resource


class StateSystemMembershipInline(RowInline, admin.TabularInline):
    model = StateSystemMembership
    extra = 0
    fields = ["start", "end"]


@admin.register(Country)
class CountryAdmin(RecordAdmin):
    resource_classes = [record_resource(Country, COUNTRY_FIELDS, id_field="code")]
    list_display = ["name", "code", "official_name", "region", "cow_code", "status"]
    list_filter = ["region", "status"]
    search_fields = ["name", "code", "official_name", "aliases"]
    ordering = ["name", "code"]
    fieldsets = record_fieldsets(
        COUNTRY_FIELDS,
        (None, {"fields": []}),
        ("Dataset codes", {"fields": ["cow_code", "cow_abbreviation", "gw_code"]}),
    )
    inlines = [StateSystemMembershipInline, citation_inline(CountryCitation)]


class MembershipInline(RowInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["country"]
    fields = MEMBERSHIP_FIELDS


@admin.register(Alliance)
class AllianceAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Alliance,
            field_list(ALLIANCE_FIELDS, without=["memberships", "cow_alliance", "atop_alliances"]),
        )
    ]
    list_display = ["name", "short_name", "kind", "start", "end", "cow_id", "atop_id", "status"]
    list_filter = ["kind", "status", "defence", "consultation"]
    search_fields = ["name", "short_name", "slug", "description", "=cow_id", "=atop_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["cow_alliance"]
    list_select_related = ["cow_alliance"]
    fieldsets = record_fieldsets(
        ALLIANCE_FIELDS,
        (None, {"fields": ["name", "short_name", "slug"]}),
        ("Dates", {"fields": ["start", "end"]}),
        (
            "Obligations and provisions",
            {
                "fields": [*OBLIGATIONS, *PROVISIONS],
                "description": "As political science codes them; leave unknown when the "
                "sources do not say.",
            },
        ),
        (
            "Datasets",
            {
                "fields": ["cow_id", "atop_id", "cow_alliance"],
                "description": "The ids this alliance has in the Correlates of War and ATOP "
                "datasets; for an ATOP alliance, the COW alliance it codes.",
            },
        ),
        without=["memberships", "atop_alliances"],
    )
    inlines = [MembershipInline, citation_inline(AllianceCitation)]


@admin.register(Treaty)
class TreatyAdmin(RecordAdmin):
    resource_classes = [
        record_resource(
            Treaty,
            TREATY_FIELDS,
            foreign={"alliance": (Alliance, "slug")},
            many={"parties": (Country, "code")},
        )
    ]
    list_display = ["name", "short_name", "kind", "signed", "in_force", "alliance", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "short_name", "slug", "provisions"]
    autocomplete_fields = ["parties", "alliance"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["alliance"]
    fieldsets = record_fieldsets(
        TREATY_FIELDS,
        (None, {"fields": ["name", "short_name", "slug", "kind", "alliance"]}),
        ("Dates", {"fields": ["signed", "in_force", "ended"]}),
        ("Content", {"fields": ["provisions", "description"]}),
    )
    inlines = [citation_inline(TreatyCitation)]


@admin.register(Membership)
class MembershipAdmin(ReviewedRowAdmin):
    parent_field = "alliance"
    list_display = ["alliance", "country", "role", "start", "end", "phase", "defence"]
    list_filter = ["role", "alliance__kind"]
    search_fields = ["alliance__name", "alliance__short_name", "country__name", "country__code"]
    autocomplete_fields = ["alliance", "country"]
    list_select_related = ["alliance", "country"]
