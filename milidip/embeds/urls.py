"""The embeds' URLs, under /embed/ (milidip.urls includes them in the "embeds" namespace)."""

from django.urls import path

from milidip.embeds.maps import map_view
from milidip.embeds.network import network_view

app_name = "embeds"

urlpatterns = [
    path("map/", map_view, name="map"),
    path("network/", network_view, name="network"),
]
