"""API views for sources (read-only: curators add sources in the admin, with their files)."""

from milidip.api.views import RecordViewSet
from milidip.sources.filters import SourceFilter
from milidip.sources.models import Source
from milidip.sources.serializers import SourceSerializer


class SourceViewSet(RecordViewSet):
    """The articles and datasets records cite."""

    queryset = Source.objects.order_by("slug")
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    http_method_names = ["get", "head", "options"]
