"""API views for sources (read-only: curators add sources in the admin, with their files)."""

import django_filters

from milidip.api.filters import ChoiceInFilter, ordering_filter
from milidip.api.views import RecordViewSet
from milidip.records import Status
from milidip.search import search_queryset
from milidip.sources.models import Source
from milidip.sources.serializers import SourceSerializer


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


class SourceViewSet(RecordViewSet):
    """The articles and datasets records cite."""

    queryset = Source.objects.order_by("slug")
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    http_method_names = ["get", "head", "options"]
