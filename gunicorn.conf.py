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

The youngest generation is then collected every YOUNG_COLLECTION allocations, not every 700: a
list page makes some 2,000 dicts and lists for its rows, all alive until the page is written,
so at 700 a request ran several young collections that walked its own rows and promoted them
to be walked again by the older ones. Most of what a request makes is freed by reference
counting before a collection comes. A US list page, page 30, cost 33.2 M instructions in
Python at 700 and 31.9 M at 50,000 (valgrind's callgrind, 30 requests in one process, frozen
as here; the older generations' thresholds are Python's own).
"""

import gc

limit_request_line = 8190
preload_app = True
YOUNG_COLLECTION = 50_000


def pre_fork(server, worker):
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
