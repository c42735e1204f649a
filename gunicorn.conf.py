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

A read runs with the garbage collector off, and the collections it would have run come after
its response is written (`pre_request`, `post_request`). DRF's view, request and response refer
to one another, so a page's rows, held by them, outlive the request until a collection finds the
cycle: collected during requests, a list page's rows were walked by a young collection, promoted,
and walked again by the older ones (a US list page, page 30: 1,750 ms of collections in 2,000
requests, the longest 13 ms). Between requests they are garbage, and the same 2,000 requests ran
470 ms of collections, none over 2.2 ms: 10.3-10.5 ms a request against 11.1-11.3 ms, p99 15.7
against 20 ms (in-process, frozen as here, gc.callbacks timing each collection). Writes keep
the collector on: an import may make more cycles than a request should hold.
"""

import gc

limit_request_line = 8190
preload_app = True
READS = frozenset(("GET", "HEAD", "OPTIONS"))


def pre_fork(server, worker):
    gc.collect()
    gc.freeze()


def pre_request(worker, req):
    if req.method in READS:
        gc.disable()


def post_request(worker, req, environ, resp):
    # After the response is written: the collection the request put off runs at the next
    # allocation, before the worker takes its next request.
    gc.enable()
