"""WSGI entry point, used by gunicorn (`make run`).

Clients already over their throttling budget are refused before Django runs
(milidip.api.throttling.RefuseSpentClients)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")

application = get_wsgi_application()

from milidip.api.throttling import RefuseSpentClients  # noqa: E402 (needs the settings above)

application = RefuseSpentClients(application)
