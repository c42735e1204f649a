"""Who is asking: the client's network address, as far as it can be trusted.

`client_address(request)` is REMOTE_ADDR (the peer of the TCP connection), unless the setting
TRUSTED_PROXY_COUNT is n > 0: then milidip sits behind n proxies of its own, each of which appends
the address it saw to X-Forwarded-For, and the client is the address n hops from the right of that
header. Anything further left was written by the client itself and is never believed, so a made-up
X-Forwarded-For cannot give a client a fresh identity.
"""

import ipaddress

from django.conf import settings


def valid_address(text):
    """`text` as a normalised IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request):
    """The address of the client behind the configured number of trusted proxies."""
    return address_in(request.META)


def address_in(meta):
    """`client_address` from a request's META, or from a WSGI environ before Django sees it."""
    remote = meta.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        # Reached us without passing through the proxies: the peer is the client.
        return remote
    # With fewer entries than proxies, the leftmost was still written by one of ours.
    return valid_address(forwarded[-min(hops, len(forwarded))]) or remote
