"""The base viewset of every resource, and the API's own exceptions.

`BaseViewSet` gives each resource the same reading behaviour:
- anonymous callers (and users without the model's view permission) see published records only;
- every query parameter is checked: an unknown one is a 400 that names it; a comma-list
  parameter (`kind`, `ordering` ...) given more than once is read as one list, exactly as its
  comma form (`kind=a&kind=b` is `kind=a,b`); `country` repeats by design; any other parameter
  given more than once is a 400 that names it, never a value silently dropped;
- GETs carry Last-Modified (from the records' `updated`), and an ETag from
  ContentEtagMiddleware (milidip.api.caching), so conditional requests get 304;
- `check_if_match` is the precondition every write checks.

Writing (through the services, with review) is added by milidip.sources.views.RecordViewSet.
"""

import hashlib
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.http import Http404
from django.utils.http import http_date, parse_etags, quote_etag
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from milidip.api.filters import list_parameters
from milidip.api.prepared import Prepared, with_hole
from milidip.api.reading import plan_for
from milidip.api.renderers import FastJSONRenderer
from milidip.records import Status, can_see_drafts, visible_to
from milidip.versions import kept_in_process, read_version

LIST_PARAMETERS = {"page", "page_size", "cursor", "format"}
# Parameters that choose a page of a list, not its records.
PAGING_PARAMETERS = {"page", "page_size", "cursor"}
# Filtered lists of anonymous reads, kept for the data version: {(viewset, action, parameters):
# (version, queryset)} (BaseViewSet.filtered_list); a process keeps at most this many.
FILTERED_LISTS = kept_in_process({})
FILTERED_LISTS_AT_MOST = 500


class CompiledForList:
    """SQL compiled from one kept filtered list (BaseViewSet.filtered_list), kept beside it for
    its data version: the ids of a page (by its offset, size and ordering), the count's cache
    key, and the count itself. The list's filters have the same SQL for every page; compiling
    them through the ORM on each request cost about a tenth of a list page's Python."""

    AT_MOST = 64  # pages of one list whose ids' SQL is kept

    def __init__(self, page_ids=None):
        # A faster way to a page's ids than cutting the filtered list, where the view has one
        # for this list (BaseViewSet.page_ids_for): (offset, limit) -> (SQL, parameters).
        self.page_ids = page_ids
        self.pages = {}
        self.count_keys = {}
        self.counted = None  # (count, exact), once pagination.bounded_count knows it

    def ids(self, key, ids):
        """The (SQL, parameters) of `ids`, a values("pk") queryset cut from the kept list (None
        when it can match nothing: Prepared.by_subquery then answers so itself)."""
        key = (ids.db, *key)
        compiled = self.pages.get(key)
        if compiled is None:
            query = ids.query
            try:
                if self.page_ids is not None:
                    compiled = self.page_ids(query.low_mark, query.high_mark - query.low_mark)
                else:
                    compiled = query.get_compiler(using=ids.db).as_sql()
            except EmptyResultSet:
                return None
            if len(self.pages) >= self.AT_MOST:
                self.pages.clear()
            self.pages[key] = compiled
        return compiled

    def count_key(self, prefix, queryset, make):
        key = self.count_keys.get(prefix)
        if key is None:
            key = self.count_keys[prefix] = make(prefix, queryset)
        return key


DETAIL_PARAMETERS = {"format"}


@cache
def latest_history(model):
    """The query of a record's newest history id (Prepared: compiled once per process)."""
    history = model.history.model
    return Prepared(
        lambda: (
            with_hole(history._default_manager, "id")
            .order_by("-history_id")
            .values("history_id")[:1]
        )
    )


def latest_version(model, pk):
    """milidip.services.version_token of the record of `model` with id `pk`, without reading the
    record: the id of its newest history entry (None before it has one)."""
    rows = latest_history(model).by_keys(model._default_manager.db, [pk])
    return rows[0]["history_id"] if rows else None


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "The record was retracted."
    default_code = "gone"


class MovedPermanently(exceptions.APIException):
    """301: the record was merged into another; `location` is where it now is."""

    status_code = status.HTTP_301_MOVED_PERMANENTLY
    default_detail = "The record was merged into another."
    default_code = "moved_permanently"

    def __init__(self, detail=None, *, location):
        super().__init__(detail)
        self.location = location


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "If-Match: the record changed since you read it; GET it again."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "If-Match: send the ETag of the record as you read it, so that no one else's change "
        "is overwritten."
    )
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record is still referenced by other records."
    default_code = "conflict"


class PendingRevisionSerializer(serializers.Serializer):
    """A change to a public record kept for a reviewer (202): nothing public changed yet."""

    revision = serializers.IntegerField(source="pk", help_text="The revision's number.")
    state = serializers.CharField(help_text="`pending` until a reviewer decides.")
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="The fields, links and rows it changes."
    )
    detail = serializers.SerializerMethodField()

    def get_detail(self, revision) -> str:
        return (
            f"The record is public, so this change waits for a reviewer as revision "
            f"{revision.pk}; the record is unchanged until it is approved."
        )


def check_parameters(request, allowed, *, lists=(), repeatable=()):
    """Refuse unknown query parameters and empty values with a 400 naming each.

    `lists` are comma-list parameters: given more than once, they are joined into one list
    (`joined_parameters`), and an empty item in the list is refused. `repeatable` parameters
    mean something when repeated (`country`: all of them). Any other parameter given more than
    once is refused: only one of its values could be used.
    """
    errors = {}
    for name, values in request.query_params.lists():
        if name not in allowed:
            errors[name[:100]] = [
                f"Unknown parameter; this endpoint takes: {', '.join(sorted(allowed))}."
            ]
        elif any(value == "" for value in values):
            errors[name] = ["Empty value: give a value or leave the parameter out."]
        elif name in lists:
            if "" in ",".join(values).split(","):
                errors[name] = ["An empty item in the comma-separated list."]
        elif len(values) > 1 and name not in repeatable:
            errors[name] = [
                f"Given {len(values)} times; give it once (only comma-list parameters combine "
                "when repeated)."
            ]
    if errors:
        raise exceptions.ValidationError(errors)


class BaseViewSet(viewsets.ModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    # Detail actions that answer a paginated list: they take the page parameters.
    paged_actions = ()

    def get_queryset(self):
        queryset = visible_to(self.request.user, self.queryset.all())
        if self.action != "list":
            # A single record is read again as a row (read_one): its prefetches would be waste.
            queryset = queryset.prefetch_related(None)
        return queryset

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_parameters(request)

    def check_query_parameters(self, request):
        if self.action is None or request.method.lower() not in self.http_method_names:
            return  # a method this endpoint does not take: DRF answers 405
        if self.action == "list":
            filters = self.filterset_class.base_filters
            allowed = LIST_PARAMETERS | set(filters)
        elif self.action in self.paged_actions:
            # A paged action that filters names its own filterset_class in its @action.
            filters = self.filterset_class.base_filters if self.filter_backends else {}
            allowed = LIST_PARAMETERS | set(filters)
        else:
            filters, allowed = {}, DETAIL_PARAMETERS
        lists, repeatable = list_parameters(filters)
        check_parameters(request, allowed, lists=lists, repeatable=repeatable)

    # Reading

    def read_plan(self):
        """The output serializer compiled for reading (milidip.api.reading)."""
        return plan_for(self.get_serializer_class(), self.queryset.model)

    def filtered_list(self):
        """The list's records filtered as the request asks: a queryset kept for the data version
        an anonymous read began at (read_version), by the request's parameters but its page, so
        the same list asked again (another page, another page size, afresh) builds no FilterSet
        (its form, its fields' cleaning, its lookups) until a write moves the version. A
        signed-in reader's list, which may hold drafts, is filtered each time."""
        version = read_version()
        self.compiled_for_list = None
        if version is None:
            return self.filter_queryset(self.get_queryset())
        parameters = tuple(
            (name, tuple(values))
            for name, values in sorted(self.request.query_params.lists())
            if name not in PAGING_PARAMETERS
        )
        key = (type(self), self.action, parameters)
        kept = FILTERED_LISTS.get(key)
        if kept is None or kept[0] != version:
            if len(FILTERED_LISTS) >= FILTERED_LISTS_AT_MOST:
                FILTERED_LISTS.clear()
            queryset = self.filter_queryset(self.get_queryset())  # a 400 is never kept
            kept = FILTERED_LISTS[key] = (
                version,
                queryset,
                CompiledForList(self.page_ids_for(parameters, queryset)),
            )
        self.compiled_for_list = kept[2]
        # A copy: the kept queryset is never evaluated, so it holds no rows of its own.
        return kept[1].all()

    def page_ids_for(self, parameters, queryset):
        """For a kept list (filtered_list: an anonymous reader's, filtered by `parameters`,
        ((name, (value, ...)), ...), its paging left out): a function (offset, limit) -> (SQL,
        parameters) of the ids of that stretch of `queryset` in its order, where this view
        knows a faster query for them than the list cut at an offset; else None (the
        default)."""
        return None

    def list(self, request, *args, **kwargs):
        queryset = self.filtered_list()
        plan = self.read_plan()

        compiled = self.compiled_for_list

        def rows(window, names, size, ordering, sliced_only=False):
            extra = [name for name in names if name not in plan.columns]
            if ordering:
                ids = window.values("pk")[:size]
                if compiled is not None and sliced_only:
                    # The kept list cut at a page: the same SQL for the same page and size.
                    key = (ids.query.low_mark, ids.query.high_mark, tuple(ordering))
                    return plan.page_rows(ids, ordering, extra, compiled.ids(key, ids))
                return plan.page_rows(ids, ordering, extra)
            return list(plan.values(window, *extra)[:size])

        page = self.paginator.paginate_queryset(
            queryset, request, view=self, rows=rows, compiled=compiled
        )
        self.last_modified = max((row["updated"] for row in page), default=None)
        return self.get_paginated_response(plan.read(page, request.user, request))

    def read_one(self, pk):
        """The record of id `pk` as its serializer shows it to this request's user."""
        plan = self.read_plan()
        return plan.read(plan.by_keys([pk]), self.request.user, self.request)[0]

    def visible_row(self):
        """The record the URL names, as the read plan reads it (its row), when this reader may
        see it: one query compiled once per process (Plan.by_keys), where get_object compiled
        one through the ORM and built the record as an instance, only for it to be read again
        as a row. None when there is no such record to show (get_object then answers as it
        does: 404, 410 for a retracted record, 301 for a merged slug), and for a viewset whose
        records are a filtered queryset (get_object applies its filters)."""
        if self.queryset.query.has_filters():
            return None
        plan = self.read_plan()
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        rows = plan.by_keys([value], field=self.lookup_field)
        if len(rows) != 1:
            return None
        row = rows[0]
        hidden = plan.has_status and row["status"] != Status.PUBLISHED
        if hidden and not can_see_drafts(self.request.user, self.queryset.model):
            return None
        return row

    def filter_queryset(self, queryset):
        # A paged action's filters are for its rows (a mission's months), not for the record
        # it is looked up on.
        if self.action in self.paged_actions:
            if queryset.model is not self.filterset_class._meta.model:
                return queryset
            return super().filter_queryset(queryset)
        # Any other detail route takes no filter parameter (check_query_parameters refuses
        # them): its record is not filtered (building the FilterSet's form for none cost a
        # detail a tenth of its time).
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            lookup = {self.lookup_field: self.kwargs[self.lookup_field]}
            retracted = self.queryset.filter(status=Status.RETRACTED, **lookup).first()
            if retracted is None:
                raise
            raise Gone(f"Retracted: {retracted.retraction_reason}") from None

    def representation_etag(self, pk, data=None):
        """The strong ETag of the record of id `pk` for this reader: its version (the one the
        admin and review compare, milidip.services.version_token) and a digest of its JSON
        (`data`, when already read), which also moves when only a record it shows changed (a
        party's name)."""
        content = FastJSONRenderer().render(self.read_one(pk) if data is None else data)
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
        return quote_etag(f"{latest_version(self.queryset.model, pk) or 0}-{digest}")

    def retrieve(self, request, *args, **kwargs):
        plan = self.read_plan()
        row = self.visible_row()
        if row is None:
            row = plan.by_keys([self.get_object().pk])[0]
        data = plan.read([row], request.user, request)[0]
        self.last_modified = row["updated"]
        response = Response(data)
        if isinstance(request.accepted_renderer, JSONRenderer):
            response["ETag"] = self.representation_etag(row["pk"], data)
        return response

    def check_if_match(self, record):
        """Writes to a record must name the version they change (optimistic locking)."""
        given = self.request.headers.get("If-Match")
        if not given:
            raise PreconditionRequired()
        # A compressed GET gave the ETag in its weak form (milidip.api.compression): the same
        # version of the same record, so it names it as well as the strong one.
        tags = {tag.removeprefix("W/") for tag in parse_etags(given)}
        if "*" not in tags and self.representation_etag(record.pk) not in tags:
            raise PreconditionFailed()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        last_modified = getattr(self, "last_modified", None)
        if last_modified and response.status_code == status.HTTP_200_OK:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        return response
