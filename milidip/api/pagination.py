"""The one pagination class: `page` or `cursor`, and `page_size` (default 50, at most 500),
strictly checked.

An invalid or too-large value is a 400 naming the parameter, never a silent clamp; a page past
the end is a 404.

Deep pages cost what the first one does: `page` reaches the first MAX_OFFSET rows (an offset
costs the rows skipped); past them, and whenever a request used one, the `next` link carries an
opaque `cursor` (the ordering values of the page's last row: keyset pagination, which the
indexes on each ordering serve). Every ordering ends with a unique key, so a cursor names one
place in the list. A `page` beyond MAX_OFFSET rows is a 400 that says to follow `next`.

`count` is exact up to COUNT_EXACT_UP_TO rows and an estimate beyond (PostgreSQL's planner's;
`X-Total-Count-Estimated: true`, `count_estimated: true`): counting a million rows to show a
number costs more than the page. A count changes only when the data does: for an anonymous read
it is kept in the read cache under the data version the request began at (milidip.api.caching),
so the next page of the same list, or the same page asked afresh, does not count again.

Every page, JSON or CSV, also says where the others are and how many rows there are in all: an
RFC 8288 `Link` header (first, prev, next, last) and `X-Total-Count`. A CSV page has no room for
`next` in its body, so the headers are how a client walks it.
"""

import base64
import binascii
import hashlib
import json
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.models import Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from milidip.versions import READ_VERSION

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The most rows `page` skips; beyond, the `cursor` of the `next` links (keyset pagination).
MAX_OFFSET = 10_000
COUNT_EXACT_UP_TO = 10_000
MAX_CURSOR_LENGTH = 2000


def positive_int_param(request, name, default, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ValidationError({name: [f"Must be a whole number, not {raw[:50]!r}."]})
    value = int(raw)
    if value < 1:
        raise ValidationError({name: ["Must be at least 1."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}."]})
    return value


def keyset_ordering(queryset):
    """[(name, descending)] of the queryset's ordering when it ends with a unique key (the only
    orderings a cursor can continue), else None."""
    names = list(queryset.query.order_by or queryset.model._meta.ordering)
    ordering = []
    for name in names:
        if not isinstance(name, str) or "__" in name or name.lstrip("-") == "?":
            return None
        ordering.append((name.lstrip("-"), name.startswith("-")))
    if not ordering:
        return None
    last = ordering[-1][0]
    if last != "pk" and not queryset.model._meta.get_field(last).unique:
        return None
    return ordering


def row_value(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def encode_cursor(ordering, row):
    """The opaque token of the place after `row` in a list in `ordering`."""
    values = []
    for name, _ in ordering:
        value = row_value(row, name)
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    text = json.dumps({"o": [("-" if desc else "") + name for name, desc in ordering], "k": values})
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def bad_cursor(reason):
    return ValidationError(
        {"cursor": [f"{reason}; use the cursor of a `next` link as it is, with the same ordering."]}
    )


def decode_cursor(token, ordering, model):
    """The ordering values a cursor holds (a 400 naming `cursor` when it is not one of ours)."""
    if len(token) > MAX_CURSOR_LENGTH:
        raise bad_cursor("Not a cursor (too long)")
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(text)
        names, values = data["o"], data["k"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise bad_cursor("Not a cursor") from None
    if ordering is None:
        raise bad_cursor("This ordering cannot be continued by a cursor")
    if names != [("-" if desc else "") + name for name, desc in ordering]:
        raise bad_cursor("The cursor was made for another ordering")
    if not isinstance(values, list) or len(values) != len(ordering):
        raise bad_cursor("Not a cursor")
    keys = []
    for (name, _), value in zip(ordering, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise bad_cursor("Not a cursor")
        if name != "pk" and name in {field.name for field in model._meta.concrete_fields}:
            try:
                value = model._meta.get_field(name).to_python(value)
            except Exception:
                raise bad_cursor("Not a cursor") from None
        keys.append(value)
    return keys


def after(ordering, keys):
    """Rows strictly after `keys` in `ordering`: (a > x) or (a = x and b > y) or ..., and
    a >= x besides, which is what lets the database start its index scan at the place."""
    condition = Q()
    for index, (name, descending) in enumerate(ordering):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": keys[index]})
        for (earlier, _), key in zip(ordering[:index], keys, strict=False):
            step &= Q(**{earlier: key})
        condition |= step
    first, descending = ordering[0]
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": keys[0]}) & condition


def estimated_count(queryset):
    """PostgreSQL's planner estimate of the queryset's rows (no row is read), else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def query_key(prefix, queryset):
    """A read cache key for what `queryset` gives: its database, and the SQL and parameters of
    its ids' query (so a curator's count of drafts is never an anonymous reader's)."""
    # Its rows' ids say which rows it gives: compiling every column it would select (with its
    # joins) cost a list's key more than the count it keys.
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    query = f"{queryset.db}\n{sql}\n{params!r}".encode()
    return f"{prefix}:{hashlib.sha256(query).hexdigest()}"


def kept_count(queryset, version=None, key=None):
    """The exact count of `queryset`; with the data `version` the request began at, kept in the
    read cache under it, as bounded_count keeps its own (a page's group of related records: the
    United States' 1,884 exercises took longer to count than the rest of its page's queries).
    `key`: the cache key, from a caller that knows what it counts without building the query
    (the key is otherwise made from its SQL: query_key); `queryset` may then be a function
    giving it, called only when the count is not kept."""
    build = queryset if callable(queryset) else lambda: queryset
    if version is None:
        return build().count()
    key = key or query_key("total", build())
    kept = caches[settings.READ_CACHE].get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    total = build().count()
    caches[settings.READ_CACHE].set(key, (version, total), timeout=settings.READ_CACHE_SECONDS)
    return total


def bounded_count(queryset, version=None, compiled=None):
    """(count, exact): exact up to COUNT_EXACT_UP_TO rows, else the planner's estimate. With
    the data `version` the request began at, kept in the read cache under it (keyed by the
    query itself: query_key). With `compiled`, the kept list's CompiledForList (which lives as
    long as its version), that key is made once for the list, and the count is kept with it
    too: the process asks the read cache once per version."""
    key = None
    if version is not None:
        if compiled is not None:
            if compiled.counted is not None:
                return compiled.counted
            key = compiled.count_key("count", queryset, query_key)
        else:
            key = query_key("count", queryset)
        kept = caches[settings.READ_CACHE].get(key)
        if kept is not None and kept[0] == version:
            if compiled is not None:
                compiled.counted = (kept[1], kept[2])
            return kept[1], kept[2]
    counted = queryset.order_by()[: COUNT_EXACT_UP_TO + 1].count()
    if counted <= COUNT_EXACT_UP_TO:
        result = counted, True
    else:
        estimate = estimated_count(queryset)
        result = (queryset.count(), True) if estimate is None else (max(estimate, counted), False)
    if key is not None:
        caches[settings.READ_CACHE].set(
            key, (version, *result), timeout=settings.READ_CACHE_SECONDS
        )
    if compiled is not None:
        compiled.counted = result
    return result


def keyed_ordering(window, ordering):
    """`ordering` when a page of `window` can be found by sorting its records' ids alone (a
    subquery sorts and cuts the matching ids, and only those records are read and joined), else
    None.

    Sorting whole rows, joined to what they show, before cutting them made the database sort
    every matching row (the 1,884 exercises of the United States, with their series and
    alliance joined) for the 51 a page reads: that page query took 9.3 ms (median) on
    PostgreSQL, 6.2 ms this way. An ordering by anything but the record's own columns
    (search's rank), or a DISTINCT list, is left as it is."""
    columns = {field.name for field in window.model._meta.concrete_fields} | {"pk"}
    if ordering is None or window.query.distinct:
        return None
    if any(name not in columns for name, _ in ordering):
        return None
    return ordering


class Pagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return positive_int_param(request, "page_size", self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None, rows=None, compiled=None):
        """The page's rows: `rows(window, names, size, ordering, sliced_only)` reads the first
        `size` rows of `window` (e.g. as values holding `names`, the ordering's columns;
        `ordering` is keyed_ordering' answer; `sliced_only`: the window is `queryset` cut at an
        offset, not filtered after a cursor), else they are the queryset's objects. `compiled`:
        the SQL kept with a kept list (views.CompiledForList)."""
        self.request = request
        page_size = self.get_page_size(request)
        self.ordering = keyset_ordering(queryset)
        token = request.query_params.get("cursor")
        if token is not None and "page" in request.query_params:
            raise ValidationError({"cursor": ["Give page or cursor, not both."]})
        self.count, self.count_exact = bounded_count(
            queryset, request.META.get(READ_VERSION), compiled
        )
        self.page_size_used = page_size
        if token is not None:
            keys = decode_cursor(token, self.ordering, queryset.model)
            window = queryset.filter(after(self.ordering, keys))
            self.number, self.by_cursor = None, True
        else:
            self.number = positive_int_param(request, "page", 1, maximum=10**9)
            offset = (self.number - 1) * page_size
            if offset > MAX_OFFSET:
                raise ValidationError(
                    {
                        "page": [
                            f"Pages reach the first {MAX_OFFSET:,} rows; beyond, follow the "
                            "`next` links, which carry a `cursor`."
                        ]
                    }
                )
            window = queryset[offset:]
            self.by_cursor = False
        if rows is not None:
            page = rows(
                window,
                [name for name, _ in self.ordering or ()],
                page_size + 1,
                keyed_ordering(window, self.ordering),
                sliced_only=token is None,
            )
        else:
            page = list(window[: page_size + 1])
        self.has_next = len(page) > page_size
        page = page[:page_size]
        if not page and self.number is not None and self.number > 1:
            last = self.last_page()
            raise NotFound(
                f"page: there is no page {self.number}"
                + (f"; the last is {last}." if last else ".")
            )
        self.last_row = page[-1] if page else None
        return page

    def last_page(self):
        """The last page's number, when the count is exact and `page` reaches it."""
        if not self.count_exact:
            return None
        last = max(-(-self.count // self.page_size_used), 1)
        return last if (last - 1) * self.page_size_used <= MAX_OFFSET else None

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        next_offset = (self.number or 0) * self.page_size_used
        if not self.by_cursor and next_offset <= MAX_OFFSET:
            return replace_query_param(url, self.page_query_param, self.number + 1)
        if self.ordering is None:
            return None
        url = remove_query_param(url, self.page_query_param)
        return replace_query_param(url, "cursor", encode_cursor(self.ordering, self.last_row))

    def get_previous_link(self):
        if self.by_cursor or self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_last_link(self):
        last = self.last_page()
        if last is None or self.by_cursor:
            return None
        if last == 1:
            return self.get_first_link()
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, last)

    def get_first_link(self):
        url = remove_query_param(self.request.build_absolute_uri(), "cursor")
        return remove_query_param(url, self.page_query_param)

    def link_header(self, next_link, previous_link):
        """RFC 8288 links to the other pages (last only while the count is exact and `page`
        reaches it)."""
        links = {
            "first": self.get_first_link(),
            "prev": previous_link,
            "next": next_link,
            "last": self.get_last_link(),
        }
        return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)

    def get_paginated_response(self, data):
        # Each link made once, for the body and the Link header (each parses the URL again).
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        headers = {
            "Link": self.link_header(next_link, previous_link),
            "X-Total-Count": str(self.count),
        }
        if not self.count_exact:
            headers["X-Total-Count-Estimated"] = "true"
        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_estimated", not self.count_exact),
                    ("next", next_link),
                    ("previous", previous_link),
                    ("results", data),
                ]
            ),
            headers=headers,
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_estimated", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": f"Results on every page together: exact up to "
                    f"{COUNT_EXACT_UP_TO:,}, beyond that an estimate (see count_estimated).",
                },
                "count_estimated": {
                    "type": "boolean",
                    "description": f"True when count is the database's estimate (over "
                    f"{COUNT_EXACT_UP_TO:,} results; also the X-Total-Count-Estimated header).",
                },
                "next": {
                    **link,
                    "description": f"The next page; null on the last. Past the first "
                    f"{MAX_OFFSET:,} results, and after any cursor page, it carries a `cursor`.",
                },
                "previous": {
                    **link,
                    "description": "The previous page; null on the first and on cursor pages "
                    "(they go forward).",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": f"Page number, from 1, while the page starts within the first "
                f"{MAX_OFFSET:,} results (beyond: a 400; follow the `next` links).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**9},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "An opaque place in the list, from a `next` link: the page after "
                "it, in the same ordering and filters, at the cost of the first page. Not "
                "together with page.",
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Results per page (default {DEFAULT_PAGE_SIZE}, at most "
                f"{MAX_PAGE_SIZE}; a larger value is a 400).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
