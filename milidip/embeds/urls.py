"""The embeds' URLs, under /embed/ (milidip.urls includes them in the "embeds" namespace)."""

from django.urls import path

from milidip.embeds.cards import card
from milidip.embeds.maps import map_view
from milidip.embeds.network import network_view
from milidip.embeds.strength import mission_strength
from milidip.embeds.timeline import country_timeline
from milidip.pages.records import KINDS

app_name = "embeds"

urlpatterns = [
    path("map/", map_view, name="map"),
    path("network/", network_view, name="network"),
    path(
        "countries/<str:key>/timeline/",
        country_timeline,
        {"kind_name": "country"},
        name="country-timeline",
    ),
    path(
        "missions/<str:key>/strength/",
        mission_strength,
        {"kind_name": "mission"},
        name="mission-strength",
    ),
]

# A card for every record: /embed/<resource>/<code or slug>/, named as the record's page is.
urlpatterns += [
    path(f"{kind.plural}/<str:key>/", card, {"kind_name": kind.name}, name=kind.name)
    for kind in KINDS.values()
]
