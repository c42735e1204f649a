"""Guards and headers for every /api/ request.

- Bad query strings are refused before any view runs: longer than MAX_QUERY_STRING characters,
  a NUL byte, or a parameter repeated more than MAX_VALUES_PER_PARAMETER times is a 400 that
  names the problem, in the API's error shape. (Unknown and empty parameters are refused by the
  views, which know what they take: see milidip.api.views.check_parameters.)
- Reads are cacheable: anonymous GETs say `Cache-Control: public, max-age=...`; authenticated
  ones are private (they may include drafts). ContentEtagMiddleware (milidip.api.caching) adds
  the ETag and answers 304 on a match.
"""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe

from milidip.api.caching import content_etag
from milidip.api.errors import error_response

API_METHODS = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"}
MAX_QUERY_STRING = 4096
MAX_VALUES_PER_PARAMETER = 20


def query_string_problem(request):
    """The (parameter, message) at fault in the request's query string, or None."""
    raw = request.META.get("QUERY_STRING", "")
    if len(raw) > MAX_QUERY_STRING:
        return "query string", f"Longer than {MAX_QUERY_STRING} characters ({len(raw)})."
    try:
        parameters = request.GET.lists()
    except TooManyFieldsSent:
        return "query string", "Too many parameters."
    for name, values in parameters:
        if "\x00" in name:
            return name.replace("\x00", "\\0"), "Parameter names cannot contain NUL bytes."
        if any("\x00" in value for value in values):
            return name, "Values cannot contain NUL bytes."
        if len(values) > MAX_VALUES_PER_PARAMETER:
            return name, f"Given {len(values)} times; at most {MAX_VALUES_PER_PARAMETER}."
    return None


class ApiRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") or request.method not in API_METHODS:
            return self.get_response(request)
        problem = query_string_problem(request)
        if problem:
            name, message = problem
            return error_response(400, "invalid", f"{name}: {message}", {name: [message]})
        response = self.get_response(request)
        if request.method == "HEAD" and response.status_code == 200:
            # ContentEtagMiddleware handles GET only; HEAD gets the same validators.
            if not response.has_header("ETag"):
                content_etag(response)
            response = get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        if request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
            patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return response
