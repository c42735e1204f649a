"""A request through the WSGI stack as gunicorn sends it, for the layers that answer before
Django (milidip.wsgi), and a count of the requests that reached Django."""

from wsgiref.util import setup_testing_defaults

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


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
