"""WSGI entry point, used by gunicorn (`make run`).

Clients already over their throttling budget are refused before Django runs
(milidip.api.throttling.RefuseSpentClients). The URLconf, and with it every view, serializer and
filter, is imported and indexed here rather than by a worker's first request (gunicorn.conf.py
preloads this module in the master, so workers start with it imported)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")

application = get_wsgi_application()
get_resolver().reverse_dict  # noqa: B018 (imports the URLconf and indexes it for reverse())

from milidip.api.throttling import RefuseSpentClients  # noqa: E402 (needs the settings above)

application = RefuseSpentClients(application)
