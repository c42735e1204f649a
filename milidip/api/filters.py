"""Filter plumbing every resource uses: strict choices, years, counts, slugs, booleans, ordering.

The base FilterSets of cited records are in milidip.sources.filters; the country filters in
alliances.filters.

Shared parameters (DESIGN.md, "Public API contract"):
- `country`: ISO3 code; repeat it to require all of several countries (`?country=KOR&country=USA`).
- `kind`: comma-separated, any of.
- `year_from`, `year_to`: inclusive, on the record's main date (the FilterSet's `date_field`).
- `status`: draft, published or retracted (anonymous callers only ever see published records).
- `source`: slug of a source the record cites.
- `collection`: comma-separated, any of: records citing a source of that collection (the
  articles, or a dataset family: cow, atop, mme, un, ipi).
- `search`: full text; ranked on PostgreSQL (best first unless `ordering` is given).
- `ordering`: one of a documented whitelist; `-` in front for descending.

Every value is checked: an unknown choice, a malformed year or too many items is a 400 that names
the parameter. A comma-list parameter given more than once is one list, as its comma form
(`kind=series&kind=exercise` is `kind=series,exercise`): `FilterBackend` joins them, as generated
clients send them repeated (milidip.api.views.check_parameters refuses any other repeat).
"""

import django_filters
from django import forms
from django.http import QueryDict
from django_filters.filters import BaseCSVFilter, MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from milidip.records import visible_to
from milidip.versions import kept_in_process, read_version

MAX_LIST_ITEMS = 20
SLUG_SCHEMA = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 100}


def joined_parameters(query_params, lists):
    """The query parameters with each comma-list parameter given more than once joined into one
    value, exactly as its comma form: `kind=series&kind=exercise` reads as `kind=series,exercise`.
    """
    joined = QueryDict(mutable=True)
    for name, values in query_params.lists():
        if name in lists:
            joined[name] = ",".join(values)
        else:
            joined.setlist(name, values)
    return joined


def list_parameters(filters):
    """The names of a FilterSet's comma-list filters, and of those that repeat (`country`)."""
    lists = {name for name, f in filters.items() if isinstance(f, BaseCSVFilter)}
    repeatable = {name for name, f in filters.items() if isinstance(f, MultipleChoiceFilter)}
    return lists, repeatable


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, reading a repeated comma-list parameter as one list."""

    def get_filterset_class(self, view, queryset=None):
        # A paged detail action (a mission's strengths) filters rows of another model than
        # the view's records; the schema generator asks with the records' queryset.
        filterset_class = getattr(view, "filterset_class", None)
        if (
            filterset_class is not None
            and queryset is not None
            and getattr(view, "action", None) in getattr(view, "paged_actions", ())
        ):
            return filterset_class
        return super().get_filterset_class(view, queryset)

    def get_filterset(self, request, queryset, view):
        """As django-filter's, and the view keeps it (`view.filterset`): once filter_queryset
        has validated it, its form's cleaned_data holds the records the codes named."""
        filterset = view.filterset = super().get_filterset(request, queryset, view)
        return filterset

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        lists, _ = list_parameters(filterset_class.base_filters)
        kwargs["data"] = joined_parameters(request.query_params, lists)
        return kwargs


class LimitedCSVField(django_filters.fields.BaseCSVField):
    """A comma-separated list of at most MAX_LIST_ITEMS values."""

    def clean(self, value):
        if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"At most {MAX_LIST_ITEMS} comma-separated values.")
        return super().clean(value)


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Comma-separated choices, any of them: `?kind=series,exercise`."""

    base_field_class = LimitedCSVField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


class RangeBound:
    """One end of a range (`year_from`, `personnel_max` ...): it filters nothing alone; the
    FilterSet applies both ends together (`ranges` on sources.filters.RecordFilterSet)."""

    def filter(self, qs, value):
        return qs


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(RangeBound, django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


def visible_choices(queryset):
    """A filter's choices as the caller may see them: a draft is unknown to anonymous callers."""

    def choices(request):
        return visible_to(getattr(request, "user", None), queryset.all())

    return choices


class KeptLookups:
    """A reference field's lookups kept for the data version the read began at (read_version):
    the same codes or slugs name the same records until a write moves the version. A filtered
    list looked its country up on every request (a query, and one query built to check each
    value), about a tenth of the list's CPU.

    A field is made once per kind of reader (RecordFilterSet.get_form_class) and copied
    shallowly for each request (CopiedShallow): the copies share everything the field holds,
    its `kept` on purpose, and its queryset holds only the records that kind of reader may see.
    A read that may not be kept (a signed-in caller's) looks up as Django does."""

    KEPT_AT_MOST = 500

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept_in_process({})

    def looked_up(self, key, look_up):
        version = read_version()
        if version is None:
            return look_up()
        entry = self.kept.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        found = look_up()  # a ValidationError is raised, never kept
        if len(self.kept) >= self.KEPT_AT_MOST:
            self.kept.clear()
        self.kept[key] = (version, found)
        return found


class KeptModelChoiceField(KeptLookups, django_filters.fields.ModelChoiceField):
    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        return self.looked_up(value, lambda: super(KeptModelChoiceField, self).to_python(value))


class KeptModelMultipleChoiceField(KeptLookups, django_filters.fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            key = tuple(sorted(set(value)))
        except TypeError:
            return super()._check_values(value)  # not a list of values: Django's error
        return self.looked_up(
            key, lambda: list(super(KeptModelMultipleChoiceField, self)._check_values(value))
        )


class VisibleChoiceMixin:
    """Reference filters: look records up among those the caller may read (and keep what they
    found for the data version: KeptLookups)."""

    def __init__(self, *args, queryset, **kwargs):
        self.choice_model = queryset.model
        super().__init__(*args, queryset=visible_choices(queryset), **kwargs)
        if issubclass(self.field_class, django_filters.fields.ModelMultipleChoiceField):
            self.field_class = KeptModelMultipleChoiceField
        elif issubclass(self.field_class, django_filters.fields.ModelChoiceField):
            self.field_class = KeptModelChoiceField


@extend_schema_field(SLUG_SCHEMA)
class SlugFilter(VisibleChoiceMixin, django_filters.ModelChoiceFilter):
    """A record named by its slug; an unknown slug is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """`true` or `false`; anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value == "true":
            return True
        if value == "false":
            return False
        raise forms.ValidationError("Give true or false.")


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 2_000_000_000})
class CountFilter(RangeBound, django_filters.NumberFilter):
    """A whole number from 0 (personnel counts)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2_000_000_000)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2_000_000_000})
class IdFilter(django_filters.NumberFilter):
    """A dataset's numeric id (COW, ATOP): a whole number from 1."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2_000_000_000)
        super().__init__(*args, **kwargs)


class RecordFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from and year_to and year_from > year_to:
            raise forms.ValidationError({"year_to": f"Must not be before year_from ({year_from})."})
        return cleaned


class TotalOrderingFilter(django_filters.OrderingFilter):
    """An OrderingFilter whose order always ends with a unique key, so that paging is stable:
    records sharing a name or a date never swap places between one page and the next."""

    def __init__(self, *args, unique_key, **kwargs):
        self.unique_key = unique_key
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, self.unique_key)


def ordering_filter(fields, default_help="", *, unique_key="slug"):
    """A whitelisted `ordering` parameter: `name`, `-name`, ... (comma-separated allowed).

    Ties are broken by `unique_key` (the record's code or slug), ascending.
    """
    return TotalOrderingFilter(
        fields=fields,
        unique_key=unique_key,
        help_text="Sort order, from a fixed list; prefix with - for descending. "
        + default_help
        + f" Ties are broken by {unique_key}.",
    )
