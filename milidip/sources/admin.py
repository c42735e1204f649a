"""Admin plumbing every record shares, and the admin for sources.

- `RecordAdmin`: history (who, when, what changed, revert; deleted records recoverable through
  their history), publication only by reviewers (status is read-only for curators, plus a
  "publish selected" action), and optimistic locking: the form remembers the version it was
  opened at, and a save over someone else's newer change is refused with what they changed.
- `citation_inline`: the citations inline on every record's page.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from simple_history.admin import SimpleHistoryAdmin

from milidip.records import Status, check_status_change, publish_permission
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


def describe_changes_since(record, since):
    """Who changed `record` after `since`, and which fields, from its history."""
    newer = list(record.history.filter(history_date__gt=since).order_by("history_date"))
    if not newer:
        return "someone else changed it"
    before = record.history.filter(history_date__lte=since).order_by("-history_date").first()
    people = sorted({str(entry.history_user or "an import or script") for entry in newer})
    changed = []
    if before is not None:
        delta = newer[-1].diff_against(before)
        for change in delta.changes:
            field = record._meta.get_field(change.field)
            changed.append(f"{field.verbose_name}: “{change.old}” → “{change.new}”")
    when = newer[-1].history_date.strftime("%Y-%m-%d %H:%M:%S UTC")
    summary = f"{', '.join(people)} changed it at {when}"
    if changed:
        summary += " (" + "; ".join(changed) + ")"
    return summary


class RecordForm(forms.ModelForm):
    """Carries the version the form was opened at, and refuses to save over a newer one."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.updated.isoformat()

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        loaded = parse_datetime(self.data.get(self.add_prefix("loaded_version"), "") or "")
        model = type(self.instance)
        # Locks the row until this save commits (PostgreSQL), so two saves cannot interleave.
        current = model.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError("Someone else deleted this record while you were editing it.")
        if loaded is None or current.updated != loaded:
            raise ValidationError(
                "Not saved: someone else changed this record since you opened it — "
                f"{describe_changes_since(current, loaded or current.created)}. Your edits are "
                "still in the form; reload the page to see their version, then apply yours again."
            )
        return cleaned


class RecordAdmin(SimpleHistoryAdmin):
    """What every record's admin shares: see the module docstring."""

    form = RecordForm
    readonly_fields = ["created", "updated"]
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = "updated"
    actions = ["publish_selected"]
    history_list_display = ["status"]

    publication_fieldset = (
        "Publication",
        {
            "fields": ["status", "retraction_reason", "created", "updated", "loaded_version"],
            "description": "Curators save drafts; reviewers publish and retract.",
        },
    )

    def has_publish_permission(self, request):
        return request.user.has_perm(publish_permission(self.model))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += ["status", "retraction_reason"]
        return readonly

    def save_model(self, request, obj, form, change):
        previous = type(obj).objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        check_status_change(request.user, obj, previous)
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish_selected(self, request, queryset):
        published = 0
        for record in queryset.exclude(status=Status.PUBLISHED):
            record.status = Status.PUBLISHED
            record._history_user = request.user
            record.save()
            published += 1
        self.message_user(request, f"Published {published} record(s).", messages.SUCCESS)


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
