"""The base FilterSets of cited records (every resource's filters extend them), and sources'.

`RecordFilterSet` gives every resource `status`, `source`, `collection` and `search`;
`DatedFilterSet` adds `year_from` and `year_to` on the record's main date (`date_field`);
`EndedFilterSet`, for records with `end_kind` (alliances, missions), adds `end_kind`,
`active_in` and `ended_by`, which read each kind of end for what it means.
`disputed_filter(model label, help_text)` is the `disputed` filter of a resource whose fields
are claimed (milidip.sources.claims): the records with an open conflict on a field.
"""

import copy

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from milidip.api.filters import (
    ChoiceInFilter,
    RecordFilterForm,
    SlugFilter,
    VisibleChoiceMixin,
    YearFilter,
    ordering_filter,
)
from milidip.dates import EndKind, year_range_q
from milidip.records import Status, can_see_drafts
from milidip.search import (
    SEARCH_MAX_LENGTH,
    SEARCH_MAX_TERMS,
    check_search_terms,
    search_queryset,
)
from milidip.sources.claims import disputed_name_problems, disputed_q
from milidip.sources.models import Source


def disputed_filter(label, help_text):
    """`?disputed=<field>`: the records of the model `label` ("missions.mission") whose sources
    disagree on that field, unresolved; an unknown field name is a 400 naming the claimed ones.
    A subquery on an index of Conflict: the same queries whatever the page size."""

    def check(value):
        problems = disputed_name_problems(apps.get_model(label), value)
        if problems:
            raise ValidationError(problems)

    def filter_disputed(queryset, name, value):
        return queryset.filter(disputed_q(queryset.model, value))

    return django_filters.CharFilter(
        method=filter_disputed, max_length=200, validators=[check], help_text=help_text
    )


class CopiedShallow(dict):
    """A filter form's fields, each copied shallowly for a request's form, not deeply: a form
    copies its class's fields so that one request cannot change another's, and the deep copy
    (every widget, choice list and validator of twenty fields) cost a list more than its
    filtering did. A filter form's fields are only read (cleaning a value, rendering a widget),
    so a request's copy may share what they hold; a field's own attributes are its own."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class FiltersCopiedShallow(dict):
    """A FilterSet's filters, copied for each request shallowly, as CopiedShallow copies a
    form's fields (the deep copy cost a list about half a millisecond): a request's filter gets
    its own `extra`, which a reference filter writes its reader's queryset into, and sets its
    own attributes (its parent, model and field, the method bound to it); what it shares
    (choices, lookups) is only read."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copied = copies[name] = copy.copy(filter_)
            copied.extra = dict(filter_.extra)
            if filter_.method is not None:
                copied.method = filter_.method  # its FilterMethod calls the copy's parent
        return copies


class RecordFilterSet(django_filters.FilterSet):
    """Base for every resource's filters; subclasses name their `search_fields`, and their
    `ranges`: {(lower parameter, upper parameter): method name}, each method called once as
    method(queryset, lower, upper) when either end is given (the ends are RangeBound filters)."""

    search_fields = ()
    ranges = {}

    def __init__(self, *args, **kwargs):
        filterset = type(self)
        if not isinstance(filterset.__dict__.get("base_filters"), FiltersCopiedShallow):
            filterset.base_filters = FiltersCopiedShallow(filterset.base_filters)
        super().__init__(*args, **kwargs)

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

    # Each FilterSet's form class, by the models whose drafts the reader may choose from.
    form_classes = {}

    def get_form_class(self):
        """The form class, built once for each kind of reader rather than on every request: its
        fields (labels, choices, the reference filters' querysets) cost a list request more
        than its filtering did. A reference filter's field chooses among the records the reader
        may see (VisibleChoiceMixin), so anonymous readers and curators get forms of their own."""
        user = getattr(self.request, "user", None)
        drafts = tuple(
            can_see_drafts(user, filter_.choice_model)
            for filter_ in self.filters.values()
            if isinstance(filter_, VisibleChoiceMixin)
        )
        key = (type(self), drafts)
        if key not in self.form_classes:
            form_class = super().get_form_class()
            form_class.base_fields = CopiedShallow(form_class.base_fields)
            self.form_classes[key] = form_class
        return self.form_classes[key]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        for (lower, upper), method in self.ranges.items():
            low, high = data.get(lower), data.get(upper)
            if low is not None or high is not None:
                queryset = getattr(self, method)(queryset, low, high)
        return queryset

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

    ranges = {("year_from", "year_to"): "filter_years"}

    year_from = YearFilter(help_text="Only records whose main date is in or after this year.")
    year_to = YearFilter(help_text="Only records whose main date is in or before this year.")

    def filter_years(self, queryset, year_from, year_to):
        return queryset.filter(year_range_q(self.date_field, year_from, year_to))


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearValueFilter(django_filters.NumberFilter):
    """A year that filters on its own (not one end of a range)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class EndedFilterSet(DatedFilterSet):
    """Base for resources whose end says what it means (`end_kind`)."""

    end_kind = ChoiceInFilter(
        choices=EndKind.choices,
        help_text="What the end means, comma-separated, any of: ended (on the date in `end`), "
        "ended-unknown-date, censored (in force when the source's coverage ends, "
        "`coverage_end`), unknown.",
    )
    active_in = YearValueFilter(
        method="filter_active_in",
        help_text="In force at some time in this year: begun by its end, and ended in or after "
        "it, or censored with the source's coverage reaching it. An unknown end, or an end at "
        "an unknown date, does not say it was: those are left out.",
    )
    ended_by = YearValueFilter(
        method="filter_ended_by",
        help_text="Ended on a known date in or before this year. Censored and unknown ends are "
        "left out (nothing says they ended), and so are ends at an unknown date.",
    )

    def filter_active_in(self, queryset, name, year):
        begun = ~Q(start="") & Q(start__lt=f"{year + 1:04d}")
        ended_after = Q(end_kind=EndKind.ENDED, end__gte=f"{year:04d}")
        censored_after = Q(end_kind=EndKind.CENSORED, coverage_end__gte=f"{year:04d}")
        return queryset.filter(begun & (ended_after | censored_after))

    def filter_ended_by(self, queryset, name, year):
        return queryset.filter(end_kind=EndKind.ENDED, end__gt="", end__lt=f"{year + 1:04d}")


class SourceFilter(django_filters.FilterSet):
    search_fields = ("title", "author", "publisher", "description")

    kind = ChoiceInFilter(choices=Source.Kind.choices, help_text="Comma-separated: any of.")
    collection = ChoiceInFilter(
        choices=Source.Collection.choices,
        help_text="The body of sources, comma-separated, any of: articles, cow, atop, mme, un, "
        "ipi.",
    )
    status = django_filters.ChoiceFilter(choices=Status.choices)
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Full-text search in titles."
    )
    ordering = ordering_filter(("title", "published", "updated"), "Default: slug.")

    class Meta:
        model = Source
        fields = []

    def filter_search(self, queryset, name, value):
        return search_queryset(queryset, value, self.search_fields)
