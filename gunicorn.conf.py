"""gunicorn settings for `make run` and CI (gunicorn reads this file from the working folder).

The request line may be as long as gunicorn allows (8,190 bytes), so that an over-long query
string reaches the API and gets its JSON 400 ("query string: longer than 4096 characters")
instead of gunicorn's HTML 414. Longer request lines are still refused by gunicorn with 414.

Each worker serves with `threads` threads (gunicorn's gthread worker): a request waiting on the
database, Redis or a password hash (which releases Python's lock) no longer holds its whole
worker, so a normal request is taken up at once beside a large page or a login being checked,
instead of queueing behind them. The application is loaded once, in the master, before the
workers are forked (milidip/wsgi.py also imports the URLconf), so that no worker's first requests
pay for imports.
"""

limit_request_line = 8190
threads = 4
preload_app = True
