"""Schemathesis hooks for the CI run: writes carry the record's current ETag.

PUT, PATCH and DELETE need `If-Match` with the ETag of the record as last read. Where a
generated request carries an If-Match header, it is replaced by the record's real ETag (read
with a GET just before), so that writes are exercised past the precondition; requests that
leave the header out still show the 428.
"""

import os

import requests
import schemathesis

ORIGIN = os.environ["SCHEMATHESIS_API_ORIGIN"]
TOKEN = os.environ["SCHEMATHESIS_TOKEN"]


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() not in ("PUT", "PATCH", "DELETE") or not case.headers:
        return
    name = next((key for key in case.headers if key.lower() == "if-match"), None)
    if name is None:
        return
    current = requests.get(
        ORIGIN + case.formatted_path, headers={"Authorization": f"Token {TOKEN}"}, timeout=10
    )
    if current.status_code == 200 and "ETag" in current.headers:
        case.headers[name] = current.headers["ETag"]
