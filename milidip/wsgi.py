"""WSGI entry point, used by gunicorn (`make run`).

Clients already over their throttling budget are refused before Django runs
(milidip.api.throttling.RefuseSpentClients, each refusal with its request id and log line:
milidip.ops.middleware.LoggedRefusals), and a conditional GET the read cache answered 304
before is answered 304 again without Django while the data version stands
(milidip.ops.early.NotModifiedBeforeDjango), as is a cached 200 answered before
(milidip.ops.early.CachedBeforeDjango). The URLconf, and with it every view, serializer and
filter, is imported and indexed here rather than by a worker's first request (gunicorn.conf.py
preloads this module in the master, so workers start with it imported)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")

application = get_wsgi_application()
get_resolver().reverse_dict  # noqa: B018 (imports the URLconf and indexes it for reverse())

from milidip.ops.early import (  # noqa: E402 (needs the settings above)
    CachedBeforeDjango,
    NotModifiedBeforeDjango,
)
from milidip.ops.middleware import LoggedRefusals  # noqa: E402

application = LoggedRefusals(NotModifiedBeforeDjango(CachedBeforeDjango(application)))
