"""gunicorn settings for `make run` and CI (gunicorn reads this file from the working folder).

The request line may be as long as gunicorn allows (8,190 bytes), so that an over-long query
string reaches the API and gets its JSON 400 ("query string: longer than 4096 characters")
instead of gunicorn's HTML 414. Longer request lines are still refused by gunicorn with 414.

Workers are sync, one request at a time each: tried with 4 threads each (gthread), the normal
request shared its process's interpreter lock with the threads answering a flood of 429s and was
two to three times slower under attack (.ci/load, alternating runs; the README's load test).
The application is loaded once, in the master, before the workers are forked (milidip/wsgi.py
also imports and indexes the URLconf), so that no worker's first requests pay for imports.

What the master loaded is then frozen out of the garbage collector's sight before each fork
(`pre_fork`): a worker's full collections no longer walk the ~100,000 objects of Django and the
URLconf that live as long as it does. Unfrozen, a full collection in the middle of a request
took 80-105 ms (one request in ~125, the p99 of a list under load); frozen, 35 ms at most, and
the garbage collector's share of a list request fell from ~1.1 to ~0.7 ms (in-process, 1,000
requests, gc.callbacks timing each collection).
"""

import gc

limit_request_line = 8190
preload_app = True


def pre_fork(server, worker):
    gc.collect()
    gc.freeze()
