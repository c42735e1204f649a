"""The client address (milidip.api.clients): REMOTE_ADDR, or what the trusted proxies saw."""

import pytest
from django.test import RequestFactory

from milidip.api.clients import client_address


def request(remote="192.0.2.1", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request(forwarded="10.0.0.1")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # What the client wrote itself (the leftmost entries) is never taken.
        (1, "10.0.0.1, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.1, 203.0.113.5, 198.51.100.9", "203.0.113.5"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        # Fewer entries than proxies: it came through the inner ones only, and the leftmost
        # entry is what the first of ours saw.
        (2, "203.0.113.5", "203.0.113.5"),
        (1, "", "192.0.2.1"),
        # Not an address at all.
        (1, "10.0.0.1, not-an-ip", "192.0.2.1"),
    ],
)
def test_behind_trusted_proxies_the_address_is_counted_from_the_right(
    settings, proxies, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request(forwarded=forwarded)) == client
