"""API views of cited records: the writing half of every resource's viewset, and sources'.

`RecordViewSet` adds writing to milidip.api.views.BaseViewSet: writes take the resource's input
serializer and go through `milidip.services.record_save`, so they obey exactly the rules the
admin does. A write locks the record's row before checking If-Match, so of two writes sent at
once with the same ETag one wins and the other gets 412. A change to a public record by a user
who may not publish it is kept as a pending revision (202) for a reviewer
(milidip.sources.review).

A GET of a detail route (the record's, or an action under it) for a slug that names no record
answers 301 to the same route for the record it was merged into (milidip.sources.merges), the
query string kept.

`with_citations` prefetches what every record's citations need.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from milidip.api.views import BaseViewSet, Conflict, MovedPermanently, PendingRevisionSerializer
from milidip.records import visible_to
from milidip.services import check_delete, record_save
from milidip.sources.filters import SourceFilter
from milidip.sources.merges import redirect_slug
from milidip.sources.models import ImportRun, ImportRunRow, Source
from milidip.sources.review import ReviewGate
from milidip.sources.serializers import ImportRunSerializer, SourceSerializer


def with_citations(queryset):
    """Prefetch a record's citations with their sources: two queries whatever the page size."""
    model = queryset.model
    citation_model = model.citations.rel.related_model
    return queryset.prefetch_related(
        Prefetch("citations", queryset=citation_model.objects.select_related("source"))
    )


class RecordViewSet(BaseViewSet):
    input_serializer_class = None
    # What one record shows (read or written): its claims; a list shows `disputed` only.
    detail_serializer_class = None
    # Input names of many-to-many links, and of row lists: {input name: related name}.
    link_fields = ()
    row_fields = {}

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            self.redirect_merged()
            raise

    def redirect_merged(self):
        """Raise a 301 to the record a merged slug now is (reads only)."""
        if self.request.method not in ("GET", "HEAD") or self.lookup_field != "slug":
            return
        old = self.kwargs[self.lookup_field]
        target = redirect_slug(self.queryset.model, old, queryset=self.get_queryset())
        if target is None:
            return
        url_name = "detail"
        if self.action != "retrieve":
            url_name = getattr(getattr(self, self.action), "url_name", self.action)
        path = reverse(f"{self.basename}-{url_name}", kwargs={self.lookup_field: target})
        query = self.request.META.get("QUERY_STRING", "")
        location = self.request.build_absolute_uri(f"{path}?{query}" if query else path)
        raise MovedPermanently(
            f"{old} was merged into {target}; it is at {location}", location=location
        )

    # Writing

    def get_input_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.input_serializer_class(*args, **kwargs)

    def save(self, record, data):
        links = {name: data.pop(name) for name in self.link_fields if name in data}
        rows = {
            related: data.pop(name) for name, related in self.row_fields.items() if name in data
        }
        citations = data.pop("citations", None)
        try:
            return record_save(
                record=record,
                fields=data,
                links=links,
                rows=rows,
                citations=citations,
                user=self.request.user,
            )
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise serializers.ValidationError(detail) from error

    def create(self, request, *args, **kwargs):
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.save(self.queryset.model(), dict(serializer.validated_data))
        record = self.queryset.get(pk=record.pk)
        location = request.build_absolute_uri(
            self.reverse_action(
                "detail", kwargs={self.lookup_field: getattr(record, self.lookup_field)}
            )
        )
        return Response(
            self.get_serializer(record).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    def get_object_for_write(self):
        """The record, locked until the write commits, as it is once the lock is held: two
        writes with the same If-Match cannot both pass the check (call inside a transaction)."""
        record = self.get_object()
        type(record).objects.select_for_update().filter(pk=record.pk).exists()
        record = self.get_object()
        self.check_if_match(record)
        return record

    @transaction.atomic
    def update(self, request, *args, partial=False, **kwargs):
        record = self.get_object_for_write()
        serializer = self.get_input_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        identifier = data.get(self.lookup_field)
        if identifier is not None and identifier != getattr(record, self.lookup_field):
            raise serializers.ValidationError(
                {self.lookup_field: ["A record's identifier cannot be changed once it exists."]}
            )
        gate = ReviewGate(record=record, user=request.user)
        with gate:
            self.save(record, data)
        if gate.revision is not None:
            return Response(
                PendingRevisionSerializer(gate.revision).data, status=status.HTTP_202_ACCEPTED
            )
        return Response(self.get_serializer(self.queryset.get(pk=record.pk)).data)

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        record = self.get_object_for_write()
        check_delete(request.user, record)
        record._history_user = request.user
        try:
            record.delete()
        except ProtectedError as error:
            referrers = sorted({str(obj) for obj in error.protected_objects})[:10]
            raise Conflict(
                "The record is still referenced by other records: " + "; ".join(referrers)
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class SourceViewSet(RecordViewSet):
    """The articles and datasets records cite."""

    queryset = Source.objects.order_by("slug")
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    http_method_names = ["get", "head", "options"]
    paged_actions = ("runs",)

    @extend_schema(
        responses=ImportRunSerializer(many=True),
        summary="A dataset's import runs, newest first",
        description="Every run of the import that reads this dataset (`manage.py "
        "import_dataset`): its files with their SHA-256 checksums, when it ran, the records "
        "per model and outcome, and every row it skipped, merged or corrected with the "
        "reason. Empty for an article. Paginated like the lists.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def runs(self, request, slug=None):
        source = self.get_object()
        runs = (
            ImportRun.objects.filter(sources=source)
            .select_related("user")
            .prefetch_related(Prefetch("rows", queryset=ImportRunRow.objects.order_by("pk")))
            .order_by("-started", "-pk")
        )
        page = self.paginate_queryset(runs)
        self.last_modified = max((run.finished for run in page), default=source.updated)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_queryset(self):
        if self.action == "runs":
            return visible_to(self.request.user, Source.objects.all())
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action == "runs":
            return ImportRunSerializer
        return super().get_serializer_class()
