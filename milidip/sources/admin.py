"""Admin for sources, and the citation inline every record's admin page uses."""

from django.contrib import admin

from milidip.sources.models import Source


def citation_inline(citation_model):
    """An inline for a record's citations (e.g. TreatyCitation on the treaty's page)."""
    return type(
        f"{citation_model.__name__}Inline",
        (admin.StackedInline,),
        {
            "model": citation_model,
            "extra": 0,
            "min_num": 1,
            "autocomplete_fields": ["source"],
            "fields": ["source", "quote", "locator", "note"],
            "verbose_name": "citation",
            "verbose_name_plural": "citations (where this record comes from)",
        },
    )


class RecordAdmin(admin.ModelAdmin):
    """What every record's admin shares: status in the list, timestamps read-only."""

    readonly_fields = ["created", "updated"]
    list_per_page = 50
    show_full_result_count = False

    publication_fieldset = (
        "Publication",
        {"fields": ["status", "retraction_reason", "created", "updated"]},
    )


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ["title", "kind", "slug", "publisher", "published", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "slug", "author", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "author", "publisher", "published", "url"]}),
        ("Citing and licence", {"fields": ["citation_text", "licence"]}),
        ("Article text", {"fields": ["file", "checksum", "description"]}),
        RecordAdmin.publication_fieldset,
    ]
