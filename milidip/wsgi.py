"""WSGI entry point, used by gunicorn (`make run`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "milidip.settings")

application = get_wsgi_application()
