"""Throttling of anonymous clients, at the rate set by API_ANON_RATE (see settings)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Reads settings.API_ANON_RATE on every request (None: no limit); 429 with Retry-After."""

    def __init__(self):
        self.history = []

    def allow_request(self, request, view):
        self.rate = settings.API_ANON_RATE
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
