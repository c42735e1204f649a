"""A request through the WSGI stack as gunicorn sends it, for the layers that answer before
Django (milidip.wsgi), a count of the requests that reached Django, and the requests those
layers leave to it."""

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

ORIGIN = "https://elsewhere.example"
# What both layers that answer before Django (milidip.ops.early) leave to it, once they have
# kept an answer for the same request without these WSGI values: (the values, Django's status,
# or None where Django answers as the layer would have, 304 or 200). Each layer's tests add
# their own.
LEFT_TO_DJANGO = [
    pytest.param({"HTTP_IF_NONE_MATCH": '"not-the-etag"'}, 200, id="other etag"),
    pytest.param({"HTTP_AUTHORIZATION": "Token nonsense"}, 401, id="token"),
    pytest.param({"HTTP_COOKIE": "sessionid=whatever"}, None, id="session"),
    pytest.param({"REQUEST_METHOD": "HEAD"}, None, id="HEAD"),
    pytest.param({"HTTP_HOST": "not-allowed.example"}, 400, id="host not allowed"),
    pytest.param({"QUERY_STRING": "unknown=1"}, 400, id="other query"),
    pytest.param({"HTTP_ORIGIN": ORIGIN}, None, id="an origin"),
    pytest.param({"HTTP_ACCEPT": "application/json"}, None, id="other Accept"),
    pytest.param({"HTTP_ACCEPT": "text/csv"}, 200, id="CSV"),
]


class Reached:
    """Counts the requests that reached Django (its request_started signal)."""

    def __init__(self):
        self.count = 0
        request_started.connect(self.started)

    def started(self, **kwargs):
        self.count += 1


def wsgi_get(application, path, address, **environ):
    """One request through the WSGI stack as gunicorn sends it: (status, headers, body)."""
    path, _, query = path.partition("?")
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REMOTE_ADDR": address, **environ}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    # As Django's test client does: the test's database connection, inside its transaction, is
    # not closed by the handler's start- and end-of-request clean-up.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()  # as a WSGI server does: request_finished
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body
