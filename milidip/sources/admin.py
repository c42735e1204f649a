"""Admin plumbing every record shares, and the admin for sources.

- `RecordAdmin`: history (who, when, what changed, revert; deleted records recoverable through
  their history), publication only by reviewers (status is read-only for curators, plus a
  "publish selected" action), and optimistic locking: the form remembers the version it was
  opened at, and a save over someone else's newer change is refused with what they changed.
  Reverting to a version restores its fields, many-to-many links and rows (citations,
  memberships ...) as they were then.
- `RowInline`: the base of every inline of rows (memberships, participants, citations ...): a
  page showing a record with a hundred rows costs the same few queries as one with three.
- `citation_inline`: the citations inline on every record's page.
- `MergeActions` (on every record with a slug): "merge into…" merges the selected records into
  one, with a reason; "split off…" makes a new draft record from one and moves the chosen
  citations and rows to it (milidip.sources.merges). Merging or splitting a public record is a
  reviewer's act: a curator's attempt is refused with a message to ask one.
- `ImportRunAdmin`, `MergedSlugAdmin`: the import runs with their rows, and the merged slugs,
  read-only.
- `BoundedImportForm`: a CSV import is at most ADMIN_IMPORT_MAX_BYTES and ADMIN_IMPORT_MAX_ROWS
  (settings); a larger file is refused on the form, before any row is read into a preview.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_m2m_reverse_field_name

from milidip.records import check_status_change, field_list, publish_permission
from milidip.services import (
    check_delete,
    deleted_records,
    record_publish,
    record_recover,
    record_rows_revert,
    version_token,
)
from milidip.sources.claims import derive, fields_of, resolve
from milidip.sources.merges import record_merge, record_split
from milidip.sources.models import (
    SOURCE_FIELDS,
    Conflict,
    ImportRun,
    ImportRunRow,
    MergedSlug,
    Resolution,
    Revision,
    Source,
)
from milidip.sources.resources import FORMATS, record_resource
from milidip.sources.review import (
    ReviewGate,
    owned_rows,
    pending_revisions,
    record_state,
    revision_approve,
    revision_record,
    revision_reject,
)


class RowAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, showing its selected record from `labels` when the formset
    fetched them for all its rows (see RowFormSet) instead of asking the database per row."""

    labels = None

    def optgroups(self, name, value, attr=None):
        if self.labels is None:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        for key in sorted(selected & self.labels.keys()):
            options.append(self.create_option(name, key, self.labels[key], True, len(options)))
        return [(None, options, 0)]


def unwrapped(widget):
    """The widget inside the admin's related-field wrapper (its add and change links)."""
    return getattr(widget, "widget", widget)


class RowFormSet(BaseInlineFormSet):
    """Fetches the selected record of each autocomplete field once for all rows."""

    @cached_property
    def forms(self):
        forms = super().forms
        if not forms:
            return forms
        for name, field in forms[0].fields.items():
            if not isinstance(unwrapped(field.widget), RowAutocompleteSelect):
                continue
            key = field.to_field_name or "pk"
            keys = {str(form[name].value()) for form in forms} - {"None", ""}
            records = field.queryset.filter(**{f"{key}__in": keys}) if keys else []
            labels = {
                str(getattr(record, key)): field.label_from_instance(record) for record in records
            }
            for form in forms:
                unwrapped(form.fields[name].widget).labels = labels
        return forms


class RowInline:
    """Mixed into a TabularInline or StackedInline of rows: the rows come with the records
    they name (for their titles), and their autocompletes are filled in one query per field."""

    formset = RowFormSet

    def get_queryset(self, request):
        related = [
            field.name for field in self.model._meta.fields if field.many_to_one and field.concrete
        ]
        return super().get_queryset(request).select_related(*related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                RowAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CitationInline(RowInline, admin.StackedInline):
    """A record's citations: the formset refuses to leave the record with none (deleting the
    last one included), the rule services.check_cited holds the API and CSV import to."""

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)


def citation_inline(citation_model):
    """An inline for a record's citations (e.g. TreatyCitation on the treaty's page)."""
    return type(
        f"{citation_model.__name__}Inline",
        (CitationInline,),
        {
            "model": citation_model,
            "extra": 0,
            "min_num": 1,
            "autocomplete_fields": ["source"],
            "fields": ["source", "quote", "locator", "note", "states"],
            "verbose_name": "citation",
            "verbose_name_plural": "citations (where this record comes from)",
        },
    )


def describe_changes_since(record, version):
    """Who changed `record` after history entry `version`, and which fields."""
    newer = list(record.history.filter(history_id__gt=version or 0).order_by("history_id"))
    people = sorted({str(entry.history_user or "an import or script") for entry in newer})
    summary = f"{', '.join(people) or 'someone'} changed it"
    if newer:
        summary += f" at {newer[-1].history_date:%Y-%m-%d %H:%M:%S} UTC"
    opened = record.history.filter(history_id=version).first() if version else None
    if opened is not None and newer:
        delta = newer[-1].diff_against(opened)
        changed = [
            f"{record._meta.get_field(change.field).verbose_name}: “{change.old}” → “{change.new}”"
            for change in delta.changes
            if not isinstance(change.old, list)
        ]
        if changed:
            summary += " (" + "; ".join(changed) + ")"
    return summary


class RecordForm(forms.ModelForm):
    """Carries the version the form was opened at, and refuses to save over a newer one."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = version_token(self.instance) or ""

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        raw = self.data.get(self.add_prefix("loaded_version"), "") or ""
        loaded = int(raw) if raw.isdigit() else None
        model = type(self.instance)
        # Locks the row until this save commits (PostgreSQL), so two saves cannot interleave.
        current = model.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError("Someone else deleted this record while you were editing it.")
        if version_token(current) != loaded:
            raise ValidationError(
                "Not saved: someone else changed this record since you opened it — "
                f"{describe_changes_since(current, loaded)}. Your edits are still in the form; "
                "reload the page to see their version, then apply yours again."
            )
        return cleaned


class BoundedImportForm(ImportForm):
    """django-import-export's import form, refusing files too large to preview in one request.

    The preview validates every row as the admin's form would (55-95 ms a row on PostgreSQL
    here), inside one request that the worker's 30 s timeout ends; the row limit keeps
    the largest preview well inside it (README, "Configuration").
    """

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats
        self.fields["import_file"].help_text = (
            f"At most {settings.ADMIN_IMPORT_MAX_ROWS:,} rows and "
            f"{settings.ADMIN_IMPORT_MAX_BYTES:,} bytes; split a larger file."
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.ADMIN_IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; at most {settings.ADMIN_IMPORT_MAX_BYTES:,} "
                "can be imported at once. Split it into smaller files. Nothing was imported."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload, chosen = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or chosen in (None, ""):
            return cleaned
        file_format = self.import_formats[int(chosen)]()
        data = b"".join(upload.chunks())
        upload.seek(0)
        try:
            if not file_format.is_binary():
                data = data.decode("utf-8-sig")
            rows = len(file_format.create_dataset(data))
        except Exception:  # an unreadable file is import-export's to report, as before
            return cleaned
        if rows > settings.ADMIN_IMPORT_MAX_ROWS:
            self.add_error(
                "import_file",
                f"The file has {rows:,} rows; at most {settings.ADMIN_IMPORT_MAX_ROWS:,} can be "
                "imported at once. Split it into smaller files. Nothing was imported.",
            )
        return cleaned


# The rows of one kind a split offers to move (a record's citations, its memberships ...).
SPLIT_MAX_ROWS = 500


class MergeForm(forms.Form):
    into = forms.SlugField(
        label="Merge into", help_text="The slug of the record that is kept (it keeps its slug)."
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why they are one record."
    )


class SplitForm(forms.Form):
    slug = forms.SlugField(help_text="The new record's slug.")
    name = forms.CharField(max_length=200, help_text="The new record's name.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why they are two records."
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.relations = ["citations"] + [
            relation.get_accessor_name()
            for relation in owned_rows(type(record))
            if relation.get_accessor_name() != "citations"
        ]
        for name in self.relations:
            rows = getattr(record, name).all()
            self.fields[name] = forms.MultipleChoiceField(
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(row.pk, str(row)) for row in rows[:SPLIT_MAX_ROWS]],
                help_text="Those that move to the new record.",
            )


class MergeActions:
    """The "merge into…" and "split off…" actions of a record's list (see the module)."""

    merge_template = "admin/milidip/merge_form.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Cited records with a slug and a name (alliances, treaties, exercises, missions,
        # challenges): not countries (a code is no slug) nor sources (cited, not citing).
        names = {field.name for field in self.model._meta.fields}
        if not {"slug", "name"} <= names or not hasattr(self.model, "citations"):
            actions.pop("merge_into", None)
            actions.pop("split_off", None)
        return actions

    def _form_page(self, request, queryset, form, action, title, explanation):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "records": queryset,
            "form": form,
            "action": action,
            "explanation": explanation,
        }
        return TemplateResponse(request, self.merge_template, context)

    @admin.action(description="Merge into…", permissions=["change"])
    def merge_into(self, request, queryset):
        form = MergeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            into = self.model.objects.filter(slug=form.cleaned_data["into"]).first()
            if into is None:
                form.add_error("into", f"No {self.opts.verbose_name} has this slug.")
            else:
                merged = []
                try:
                    with transaction.atomic():
                        for record in queryset.exclude(pk=into.pk):
                            record_merge(
                                record=record,
                                into=into,
                                reason=form.cleaned_data["reason"],
                                user=request.user,
                            )
                            merged.append(record.slug)
                except (PermissionDenied, ValidationError) as error:
                    message = error.messages if hasattr(error, "messages") else [str(error)]
                    self.message_user(request, " ".join(message), messages.ERROR)
                    return None
                self.message_user(
                    request,
                    f"Merged {', '.join(merged) or 'nothing'} into {into.slug}; their slugs now "
                    "lead to it.",
                    messages.SUCCESS,
                )
                return None
        return self._form_page(
            request,
            queryset,
            form,
            "merge_into",
            "Merge into…",
            "These records are merged into the one named below: their citations, rows and "
            "links move to it, their slugs lead to it (301), and both histories keep the "
            "reason. A public record is merged by a reviewer only.",
        )

    @admin.action(description="Split off…", permissions=["change"])
    def split_off(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Split one record at a time.", messages.ERROR)
            return None
        record = queryset.get()
        data = request.POST if "apply" in request.POST else None
        form = SplitForm(data, record=record)
        if form.is_bound and form.is_valid():
            rows = {name: form.cleaned_data[name] for name in form.relations[1:]}
            try:
                new = record_split(
                    record=record,
                    slug=form.cleaned_data["slug"],
                    name=form.cleaned_data["name"],
                    reason=form.cleaned_data["reason"],
                    citations=form.cleaned_data["citations"],
                    rows=rows,
                    user=request.user,
                )
            except (PermissionDenied, ValidationError) as error:
                message = error.messages if hasattr(error, "messages") else [str(error)]
                self.message_user(request, " ".join(message), messages.ERROR)
                return None
            self.message_user(
                request, f"Split {new.slug} off {record.slug} (a draft).", messages.SUCCESS
            )
            return None
        return self._form_page(
            request,
            queryset,
            form,
            "split_off",
            "Split off…",
            "A new draft record is made from this one, with the citations and rows ticked "
            "below; both histories keep the reason. Splitting off a slug merged away before "
            "ends its redirect. A public record is split by a reviewer only.",
        )


class RecordAdmin(MergeActions, ImportExportMixin, SimpleHistoryAdmin):
    """What every record's admin shares: see the module docstring."""

    form = RecordForm
    formats = FORMATS
    import_form_class = BoundedImportForm
    change_list_template = "admin/milidip/record_change_list.html"
    readonly_fields = ["created", "updated"]
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = "updated"
    actions = ["publish_selected", "merge_into", "split_off"]
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

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is a save like any other: one transaction, so RecordForm's row lock holds,
        # and its rows are put back inside the save (log_change), so review gates them too.
        if request.method == "POST":
            version = self.model.history.filter(history_id=version_id).first()
            request.milidip_revert_to = version.history_date if version else None
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        historical = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) if obj else None
        if historical is not None:
            # Reverting: show the version's many-to-many links, not today's, so that saving
            # the form restores them too.
            obj._prefetched_objects_cache = {
                field.name: field.related_model.objects.filter(
                    pk__in=[
                        getattr(row, f"{get_m2m_reverse_field_name(field)}_id")
                        for row in getattr(historical, field.name).all()
                    ]
                )
                for field in historical._history_m2m_fields
            }
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly += ["status", "retraction_reason"]
        return readonly

    def save_model(self, request, obj, form, change):
        check_status_change(request.user, obj)
        # A reverted version's links were shown from a cache (get_form); drop it so that
        # saving the form compares against the links stored today.
        getattr(obj, "_prefetched_objects_cache", {}).clear()
        # A curator's change to a public record is kept for review (see log_change).
        request.milidip_review = ReviewGate(record=obj, user=request.user).open()
        super().save_model(request, obj, form, change)

    def proposed_revision(self, request):
        gate = getattr(request, "milidip_review", None)
        return gate.revision if gate is not None else None

    def log_change(self, request, obj, message):
        # Called once the record, its links and its rows are saved, by the change form (after
        # save_related) and by a revert (after save_m2m): finish the save here.
        when = getattr(request, "milidip_revert_to", None)
        if when is not None:
            record_rows_revert(record=obj, when=when, user=request.user)
            request.milidip_revert_to = None
        gate = getattr(request, "milidip_review", None)
        if gate is not None and gate.active:
            gate.close()
        revision = self.proposed_revision(request)
        if revision is not None:
            message = f"Proposed revision {revision.pk} for review: {', '.join(revision.changed)}."
        else:
            self.derive_claims(request, obj)
        return super().log_change(request, obj, message)

    def log_addition(self, request, obj, message):
        self.derive_claims(request, obj)
        return super().log_addition(request, obj, message)

    def derive_claims(self, request, obj):
        """The form's door to the one rule (milidip.sources.claims): once the record, its rows
        and its citations are saved, its claimed fields are derived; a value the form set that
        the claims decide otherwise is said, with where to resolve it."""
        if not derive(type(obj), [obj.pk], user=request.user):
            return
        fresh = type(obj).objects.get(pk=obj.pk)
        overruled = [
            f"{name} (shown: {getattr(fresh, name)!r})"
            for name in (field.name for field in obj._meta.concrete_fields)
            if getattr(fresh, name) != getattr(obj, name) and name not in ("updated", "disputed")
        ]
        if overruled:
            self.message_user(
                request,
                "Its sources' claims decide "
                + ", ".join(overruled)
                + ": cite a source that states your value, or resolve the field under "
                "“Open conflicts” with a reason.",
                messages.WARNING,
            )

    def response_change(self, request, obj):
        revision = self.proposed_revision(request)
        if revision is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            f"“{revision.record_label}” is public, so your change waits for a reviewer as revision "
            f"{revision.pk} ({', '.join(revision.changed)}). The public record is unchanged "
            "until it is approved.",
            messages.WARNING,
        )
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            record = self.get_object(request, object_id)
            waiting = pending_revisions(record).count() if record is not None else 0
            if waiting:
                self.message_user(
                    request,
                    f"{waiting} change(s) to this record wait for review (see Revisions).",
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            try:
                check_delete(request.user, obj)
            except PermissionDenied:
                return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        check_delete(request.user, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            check_delete(request.user, record)
        super().delete_queryset(request, queryset)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("citations__source")

    # Recovering deleted records

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "recover/",
                self.admin_site.admin_view(self.recover_list_view),
                name=f"{prefix}_recover_list",
            ),
            path(
                "recover/<str:object_id>/",
                self.admin_site.admin_view(require_POST(self.recover_view)),
                name=f"{prefix}_recover",
            ),
            *super().get_urls(),
        ]

    def recover_list_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "deletions": deleted_records(self.model).select_related("history_user")[:200],
        }
        return TemplateResponse(request, "admin/milidip/recover_list.html", context)

    def recover_view(self, request, object_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            record = record_recover(model=self.model, pk=int(object_id), user=request.user)
        except (ValueError, self.model.DoesNotExist):
            self.message_user(request, "No such deleted record.", messages.ERROR)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_recover_list")
        self.message_user(
            request,
            f"Recovered “{record}” with its citations and links, as {record.get_status_display()}"
            + (" (a reviewer publishes it)." if record.status == "draft" else "."),
            messages.SUCCESS,
        )
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk])
        )

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        for record in queryset:
            try:
                published += record_publish(record=record, user=request.user)
            except ValidationError as error:
                refused.append(f"“{record}”: {' '.join(error.messages)}")
        self.message_user(request, f"Published {published} record(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not published: " + "; ".join(refused), messages.ERROR)


def record_fieldsets(fields, *sections, without=()):
    """A record admin's fieldsets from its model's field list, then the publication fieldset.

    Each section is (title, options) as in Django's `fieldsets`, its "fields" naming the ones it
    groups. The first section (the record's names and identifier) also takes, at its end and in
    the list's order, every field no section names, so a field added to the list is on the form.
    `without` names the fields the form leaves out (shown inline, or not editable).
    """
    shown = field_list(fields, without=without)
    named = [name for _, options in sections for name in options["fields"]]
    stray = set(named) - set(shown)
    if stray:
        raise ImproperlyConfigured(f"fieldsets name fields not in the list: {sorted(stray)}")
    (title, options), *rest = sections
    rest_of_list = [name for name in shown if name not in named]
    first = (title, {**options, "fields": [*options["fields"], *rest_of_list]})
    return [first, *rest, RecordAdmin.publication_fieldset]


class ReviewedRowAdmin(admin.ModelAdmin):
    """The admin of rows edited on their own pages (memberships, monthly strengths): a row of a
    public record is changed, added or deleted only by the record's reviewers; curators propose
    such changes on the record's own page, where they go to review."""

    parent_field = None  # the row's foreign key to the record it belongs to

    def parent_is_public(self, obj):
        parent = getattr(obj, self.parent_field, None) if obj is not None else None
        return parent is not None and parent.status != "draft"

    def may_change_public(self, request):
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        return request.user.has_perm(publish_permission(parent_model))

    def has_change_permission(self, request, obj=None):
        if self.parent_is_public(obj) and not self.may_change_public(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.parent_is_public(obj) and not self.may_change_public(request):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if self.parent_is_public(obj) and not self.may_change_public(request):
            raise PermissionDenied(
                f"“{getattr(obj, self.parent_field)}” is public: change its rows on its own page, "
                "where the change goes to review."
            )
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        if not self.may_change_public(request) and any(
            self.parent_is_public(row) for row in queryset
        ):
            raise PermissionDenied("Rows of public records are deleted by reviewers.")
        super().delete_queryset(request, queryset)


class WrittenByMilidip:
    """An admin for rows only milidip's own code writes (import runs, merged slugs, conflicts):
    curators read them, and nobody adds, changes or deletes them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Pending changes to public records: reviewers compare, approve or reject them."""

    list_display = ["__str__", "record_label", "state", "proposed_by", "proposed_at", "changes"]
    list_filter = ["state", "content_type"]
    search_fields = ["record_label", "proposed_by__username"]
    list_select_related = ["proposed_by", "content_type"]
    actions = ["approve_selected", "reject_selected"]
    fields = [
        "record_link",
        "state",
        "proposed_by",
        "proposed_at",
        "changes",
        "comparison",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = [name for name in fields if name != "decision_note"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Only the decision note is editable, and only while the revision is pending.
        if obj is not None and obj.state != Revision.State.PENDING:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="changes")
    def changes(self, revision):
        return ", ".join(revision.changed) or "(none)"

    @admin.display(description="record")
    def record_link(self, revision):
        record = revision_record(revision)
        if record is None:
            return f"{revision.record_label} (deleted)"
        url = reverse(
            f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
        )
        return format_html('<a href="{}">{}</a>', url, record)

    @admin.display(description="proposed against today's record")
    def comparison(self, revision):
        record = revision_record(revision)
        if record is None:
            return "-"
        current = record_state(record)
        lines = []
        for part in ("fields", "links", "rows"):
            for name in revision.changed:
                if name in revision.proposed_state[part] or name in current[part]:
                    now = current[part].get(name)
                    proposed = revision.proposed_state[part].get(name)
                    if now != proposed:
                        lines.append((name, now, proposed))
        return (
            format_html_join(
                "", "<p><strong>{}</strong>: “{}” → “{}”</p>", ((n, a, b) for n, a, b in lines)
            )
            or "No difference from today's record."
        )

    def _decide(self, request, queryset, decide, verb):
        done, refused = 0, []
        for revision in queryset:
            try:
                decide(revision=revision, user=request.user, note=revision.decision_note)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                message = error.messages if isinstance(error, ValidationError) else [str(error)]
                refused.append(f"{revision}: {' '.join(message)}")
        self.message_user(request, f"{verb} {done} revision(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, "Refused: " + "; ".join(refused), messages.ERROR)

    @admin.action(description="Approve the selected revisions (they go live)")
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, revision_approve, "Approved")

    @admin.action(description="Reject the selected revisions")
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, revision_reject, "Rejected")


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    resource_classes = [record_resource(Source, SOURCE_FIELDS)]
    list_display = ["title", "kind", "collection", "slug", "publisher", "published", "status"]
    list_filter = ["kind", "collection", "status"]
    search_fields = ["title", "slug", "author", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = record_fieldsets(
        SOURCE_FIELDS,
        (None, {"fields": ["title", "slug"]}),
        ("Citing and licence", {"fields": ["citation_text", "licence"]}),
        ("Article text", {"fields": ["file", "checksum", "description"]}),
    )


@admin.register(Conflict)
class ConflictAdmin(WrittenByMilidip, admin.ModelAdmin):
    """Open conflicts: a record's field whose sources disagree, with each value and its source,
    for curators to resolve (milidip.sources.claims). Written by derive only."""

    list_display = ["record_label", "content_type", "field", "shown_value", "values", "resolve"]
    list_filter = ["content_type", "field"]
    search_fields = ["record_label", "field"]
    list_select_related = ["content_type"]
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="shown")
    def shown_value(self, conflict):
        return repr(conflict.shown)

    @admin.display(description="each source's value")
    def values(self, conflict):
        return format_html_join(
            "",
            "<div><strong>{}</strong> ({}): {}</div>",
            (
                (
                    repr(claim["value"]),
                    claim["source"],
                    claim.get("locator") or (claim.get("quote", "")[:80] + "…"),
                )
                for claim in conflict.claims
            ),
        )

    @admin.display(description="")
    def resolve(self, conflict):
        url = reverse("admin:sources_resolution_add") + f"?conflict={conflict.pk}"
        return format_html('<a href="{}">Resolve…</a>', url)


class ResolutionForm(forms.ModelForm):
    """Resolve one field: choose one of its claims or type a value, and say why."""

    claim = forms.ChoiceField(
        required=False, help_text="The claim whose value the record shows from now on."
    )
    typed_value = forms.JSONField(
        required=False,
        label="or a value",
        help_text='A value no claim states, in JSON: true, false, null, "1953-10-01".',
    )

    class Meta:
        model = Resolution
        fields = ["content_type", "object_id", "field", "reason"]
        widgets = {
            "content_type": forms.HiddenInput,
            "object_id": forms.HiddenInput,
            "field": forms.HiddenInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = []
        record = self.record()
        if record is not None:
            field = fields_of(record).get(self.field_key())
            self.claims = field.claims if field else []
        self.fields["claim"].choices = [("", "(type a value below)")] + [
            (str(index), f"{claim.value!r}: {claim.source} ({claim.locator or 'quote'})")
            for index, claim in enumerate(self.claims)
        ]
        self.fields["reason"].required = True

    def _value(self, name):
        if self.is_bound:
            return self.data.get(name)
        return (
            self.initial.get(name)
            or getattr(self.instance, f"{name}_id", None)
            or getattr(self.instance, name, None)
        )

    def field_key(self):
        return self._value("field")

    def record(self):
        from django.contrib.contenttypes.models import ContentType

        content_type, object_id = self._value("content_type"), self._value("object_id")
        if not content_type or not object_id:
            return None
        content_type = ContentType.objects.filter(pk=getattr(content_type, "pk", content_type))
        model = content_type.first().model_class() if content_type.exists() else None
        return model and model.objects.filter(pk=object_id).first()

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("claim")
        if choice:
            claim = self.claims[int(choice)]
            cleaned["value"], cleaned["source"] = claim.value, claim.source
        elif "typed_value" in self.data and self.data.get("typed_value", "").strip():
            cleaned["value"], cleaned["source"] = cleaned.get("typed_value"), None
        else:
            raise ValidationError("Choose a claim or type a value.")
        return cleaned


@admin.register(Resolution)
class ResolutionAdmin(SimpleHistoryAdmin):
    """Curators' resolutions of conflicting claims, with their history. Added from “Open
    conflicts”; saved through milidip.sources.claims.resolve, which re-derives the record."""

    form = ResolutionForm
    list_display = ["record_label", "field", "value", "source", "decided_by", "decided_at"]
    list_filter = ["content_type", "field"]
    search_fields = ["record_label", "field", "reason"]
    list_select_related = ["source", "decided_by", "content_type"]
    readonly_fields = ["record_label", "value", "source", "decided_by", "decided_at"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        conflict = Conflict.objects.filter(pk=request.GET.get("conflict") or 0).first()
        if conflict is not None:
            initial.update(
                content_type=conflict.content_type_id,
                object_id=conflict.object_id,
                field=conflict.field,
            )
        return initial

    def save_model(self, request, obj, form, change):
        record = form.record()
        if record is None:
            raise PermissionDenied("The record resolved no longer exists.")
        resolved = resolve(
            record=record,
            field=obj.field,
            value=form.cleaned_data["value"],
            source=form.cleaned_data["source"],
            reason=obj.reason,
            user=request.user,
        )
        obj.pk = resolved.pk
        obj.refresh_from_db()


class ImportRunRowInline(admin.TabularInline):
    model = ImportRunRow
    fields = ["model", "locator", "outcome", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(ImportRun)
class ImportRunAdmin(WrittenByMilidip, admin.ModelAdmin):
    """The import runs, read-only: the import framework alone writes them."""

    list_display = ["dataset", "started", "finished", "user", "overwrite"]
    list_filter = ["dataset"]
    date_hierarchy = "started"
    fields = ["dataset", "sources", "files", "started", "finished", "user", "overwrite", "counts"]
    readonly_fields = fields
    inlines = [ImportRunRowInline]


@admin.register(MergedSlug)
class MergedSlugAdmin(WrittenByMilidip, admin.ModelAdmin):
    """The slugs of merged records and where they lead, read-only: the merge service writes
    them (a split removes one)."""

    list_display = ["old_slug", "into", "model", "merged_at", "run", "user"]
    list_filter = ["model"]
    search_fields = ["old_slug", "into"]
    fields = ["model", "old_slug", "into", "merged_at", "run", "user", "reason"]
    readonly_fields = fields
