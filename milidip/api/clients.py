"""Who a request comes from: the one notion of client address for login lockout and throttling.

`client_address(request)` is REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT says the server
sits behind that many proxies that each append the address they received from to
X-Forwarded-For. Then the client is the address that many entries from the right of the header:
what the outermost trusted proxy saw. Entries further left are whatever the client chose to send
and are never used. A header shorter than the count (a request that did not come through every
proxy) or an entry that is not an IP address falls back to REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address as the trusted proxies (if any) saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
