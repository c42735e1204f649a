"""Filters shared by every resource, and the base FilterSet each resource extends.

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
the parameter.
"""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from alliances.models import Country
from milidip.dates import year_range_q
from milidip.records import Status, visible_to
from milidip.search import (
    SEARCH_MAX_LENGTH,
    SEARCH_MAX_TERMS,
    check_search_terms,
    search_queryset,
)
from milidip.sources.models import Source

MAX_LIST_ITEMS = 20
COUNTRY_CODE_SCHEMA = {"type": "string", "pattern": "^[A-Z]{3}$", "example": "KOR"}
SLUG_SCHEMA = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 100}


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


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # Applied together by RecordFilterSet.filter_queryset, which knows both ends.
        return qs


def visible_choices(queryset):
    """A filter's choices as the caller may see them: a draft is unknown to anonymous callers."""

    def choices(request):
        return visible_to(getattr(request, "user", None), queryset.all())

    return choices


class VisibleChoiceMixin:
    """Reference filters: look records up among those the caller may read."""

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, queryset=visible_choices(queryset), **kwargs)


@extend_schema_field(COUNTRY_CODE_SCHEMA)
class CountryCodeFilter(VisibleChoiceMixin, django_filters.ModelChoiceFilter):
    """One country by ISO3 code; an unknown code is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


@extend_schema_field(COUNTRY_CODE_SCHEMA)
class CountriesFilter(VisibleChoiceMixin, django_filters.ModelMultipleChoiceFilter):
    """ISO3 codes; repeated, all of them must match (AND)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("conjoined", True)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, country):
        # Filter by the Country itself: to_field_name is only how callers name it.
        return {self.field_name: country}


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
class CountFilter(django_filters.NumberFilter):
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


class RecordFilterSet(django_filters.FilterSet):
    """Base for every resource's filters; subclasses name their `search_fields`."""

    search_fields = ()

    status = django_filters.ChoiceFilter(
        choices=Status.choices, help_text="Publication status (curators see drafts)."
    )
    source = SlugFilter(
        queryset=Source.objects.all(),
        method="filter_source",
        help_text="Slug of a source the record cites.",
    )
    collection = ChoiceInFilter(
        choices=Source.Collection.choices,
        method="filter_collection",
        help_text="Where records come from, comma-separated, any of: articles (the five "
        "articles), cow (Correlates of War), atop (ATOP), mme (Multinational Military "
        "Exercises), un (UN Peace and Security Data Hub), ipi (IPI Peacekeeping Database).",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        validators=[check_search_terms],
        help_text=f"Full-text search; ranked (best first) on PostgreSQL. At most "
        f"{SEARCH_MAX_TERMS} terms.",
    )

    class Meta:
        form = RecordFilterForm
        fields = []

    def filter_source(self, queryset, name, value):
        return queryset.filter(
            pk__in=queryset.model.objects.filter(citations__source=value).values("pk")
        )

    def filter_collection(self, queryset, name, collections):
        return queryset.filter(
            pk__in=queryset.model.objects.filter(
                citations__source__collection__in=collections
            ).values("pk")
        )

    def filter_search(self, queryset, name, value):
        return search_queryset(queryset, value, self.search_fields)


class DatedFilterSet(RecordFilterSet):
    """Base for resources with a main date (`date_field`): adds year_from and year_to."""

    date_field = "start"

    year_from = YearFilter(help_text="Only records whose main date is in or after this year.")
    year_to = YearFilter(help_text="Only records whose main date is in or before this year.")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        year_from = self.form.cleaned_data.get("year_from")
        year_to = self.form.cleaned_data.get("year_to")
        if year_from or year_to:
            queryset = queryset.filter(year_range_q(self.date_field, year_from, year_to))
        return queryset


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
