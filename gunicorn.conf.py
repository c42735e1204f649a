"""gunicorn settings for `make run` and CI (gunicorn reads this file from the working folder).

The request line may be as long as gunicorn allows (8,190 bytes), so that an over-long query
string reaches the API and gets its JSON 400 ("query string: longer than 4096 characters")
instead of gunicorn's HTML 414. Longer request lines are still refused by gunicorn with 414.
"""

limit_request_line = 8190
