"""A WSGI app for tests/ops/test_gunicorn.py: it loads what milidip's own app loads, then
answers with what its worker's garbage collector was left to watch, and whether it is on."""

import gc
import json

from milidip.wsgi import application as milidip  # noqa: F401 (loaded in the master, as preloaded)


def application(environ, start_response):
    body = json.dumps(
        {
            "frozen": gc.get_freeze_count(),
            "tracked": len(gc.get_objects()),
            "collecting": gc.isenabled(),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
