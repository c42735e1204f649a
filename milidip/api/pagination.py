"""The one pagination class: `page` and `page_size` (default 50, at most 500), strictly checked.

An invalid or too-large value is a 400 naming the parameter, never a silent clamp; a page past
the end is a 404.

Every page, JSON or CSV, also says where the others are and how many rows there are in all: an
RFC 8288 `Link` header (first, prev, next, last) and `X-Total-Count`. A CSV page has no room for
`next` in its body, so the headers are how a client walks it.
"""

from collections import OrderedDict

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


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


class Pagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return positive_int_param(request, "page_size", self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = positive_int_param(request, "page", 1, maximum=10**9)
        paginator = self.django_paginator_class(queryset, page_size)
        if number > max(paginator.num_pages, 1):
            raise NotFound(f"page: there is no page {number}; the last is {paginator.num_pages}.")
        self.page = paginator.page(number)
        return list(self.page)

    def get_last_link(self):
        last = self.page.paginator.num_pages
        if last == 1:
            return self.get_first_link()
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, last)

    def get_first_link(self):
        return remove_query_param(self.request.build_absolute_uri(), self.page_query_param)

    def get_link_header(self):
        """RFC 8288 links to the other pages (first and last are free: the count is known)."""
        links = {
            "first": self.get_first_link(),
            "prev": self.get_previous_link(),
            "next": self.get_next_link(),
            "last": self.get_last_link(),
        }
        return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)

    def get_paginated_response(self, data):
        headers = {
            "Link": self.get_link_header(),
            "X-Total-Count": str(self.page.paginator.count),
        }
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            ),
            headers=headers,
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "description": "Results on every page together."},
                "next": {**link, "description": "The next page; null on the last."},
                "previous": {**link, "description": "The previous page; null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**9},
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
