"""One error shape for the whole API.

Every error the API returns is JSON of this shape (and is documented as `Error` in the schema):

    {"status": 400, "code": "invalid", "detail": "page_size: ...", "errors": {"page_size": [...]}}

`detail` is one human sentence that names the parameter or field at fault; `errors` maps each
parameter or field to its messages (empty when the error is not about one).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.views.defaults import bad_request, page_not_found, server_error
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler


def flatten_messages(data, prefix=""):
    """Turn DRF's nested error data into {"field.sub": [messages]}."""
    if isinstance(data, dict):
        flat = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, name))
        return flat
    if isinstance(data, list) and data and all(isinstance(item, (dict, list)) for item in data):
        flat = {}
        for index, item in enumerate(data):
            flat.update(flatten_messages(item, f"{prefix}[{index}]"))
        return flat
    messages = data if isinstance(data, list) else [data]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def error_body(status_code, code, detail, errors=None):
    return {"status": status_code, "code": code, "detail": detail, "errors": errors or {}}


def error_response(status_code, code, detail, errors=None):
    """A Django JsonResponse in the API's error shape, for middleware and URL handlers."""
    return JsonResponse(error_body(status_code, code, detail, errors), status=status_code)


def api_exception_handler(exc, context):
    """DRF exception handler: every DRF error becomes the one error shape."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_messages(exc.detail)
        detail = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "non_field_errors" else " ".join(messages)
            for name, messages in errors.items()
        )
        code = "invalid"
    else:
        errors = {}
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(*exc.args)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(*exc.args)
        detail = str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    response.data = error_body(response.status_code, code, detail, errors)
    location = getattr(exc, "location", None)
    if location:
        response["Location"] = location
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response: its status, a code, one sentence, and the messages
    for each parameter or field at fault."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. `invalid`.")
    detail = serializers.CharField(help_text="What went wrong, naming the parameter or field.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per parameter or field; empty when the error is not about one.",
    )


def json_not_found(request, exception=None):
    """404s under /api/ are JSON in the error shape; elsewhere (the admin) Django's page."""
    if request.path.startswith("/api/"):
        return error_response(status.HTTP_404_NOT_FOUND, "not_found", "No such resource.")
    return page_not_found(request, exception)


def body_too_large_message():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is larger than the limit of {limit:,} bytes; send less."


def json_bad_request(request, exception=None):
    """400s under /api/ are JSON in the error shape. A body over DATA_UPLOAD_MAX_MEMORY_SIZE
    (Django raises RequestDataTooBig) is a 413: JSON under /api/, a plain page elsewhere."""
    too_large = isinstance(exception, RequestDataTooBig)
    if request.path.startswith("/api/"):
        if too_large:
            return error_response(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "too_large", body_too_large_message()
            )
        return error_response(status.HTTP_400_BAD_REQUEST, "bad_request", "Bad request.")
    if too_large:
        return TemplateResponse(
            request,
            "413.html",
            {"message": body_too_large_message()},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        ).render()
    return bad_request(request, exception)


def json_server_error(request):
    if not request.path.startswith("/api/"):
        return server_error(request)
    return error_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", "The server failed; it is logged."
    )
