"""Top-level URLs: the admin for curators and the API under /api/v1/ (every resource's routes).

This module composes the layers (README, "Layout"): it alone may import every one of them.
"""

from django.contrib import admin
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from alliances.views import AllianceViewSet, TreatyViewSet
from milidip.api.root import ApiRootView, SchemaView, docs_view, redoc_view
from milidip.embeds.oembed import OEmbedView
from milidip.explore.downloads import (
    DATASETS,
    FORMATS,
    PACKAGE_NAME,
    DatasetDownloadView,
    DownloadIndexView,
    PackageDownloadView,
)
from milidip.explore.graph import GraphView
from milidip.explore.search import SearchView
from milidip.explore.views import CountryDossierViewSet
from milidip.explore.vocabulary import VocabularyView
from milidip.ops.health import LivenessView, ReadinessView
from milidip.ops.metrics import metrics_view
from milidip.sources.views import SourceViewSet
from missions.views import ChallengeViewSet, ExerciseViewSet, MissionViewSet

admin.site.site_header = "milidip curation"
admin.site.site_title = "milidip"
admin.site.index_title = "Records and their sources"

router = SimpleRouter(trailing_slash=True)
router.register("countries", CountryDossierViewSet, basename="country")
router.register("alliances", AllianceViewSet, basename="alliance")
router.register("treaties", TreatyViewSet, basename="treaty")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("missions", MissionViewSet, basename="mission")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("sources", SourceViewSet, basename="source")

api_v1 = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("search/", SearchView.as_view(), name="search"),
    path("downloads/", DownloadIndexView.as_view(), name="downloads"),
    path(f"downloads/{PACKAGE_NAME}", PackageDownloadView.as_view(), name="download-package"),
    re_path(
        rf"^downloads/(?P<name>{'|'.join(DATASETS)})\.(?P<file_format>{'|'.join(FORMATS)})$",
        DatasetDownloadView.as_view(),
        name="download",
    ),
    path("vocabulary/", VocabularyView.as_view(), name="vocabulary"),
    path("graph/", GraphView.as_view(), name="graph"),
    path("oembed/", OEmbedView.as_view(), name="oembed"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", docs_view, name="swagger-ui"),
    path("redoc/", redoc_view, name="redoc"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Operations: probes for load balancers, metrics for the scraper (README, "Running in
    # production").
    path("health/live", LivenessView.as_view(), name="health-live"),
    path("health/ready", ReadinessView.as_view(), name="health-ready"),
    path("metrics", metrics_view, name="metrics"),
    # Embeds for front ends: the only pages any origin may frame (README, "Embedding").
    path("embed/", include("milidip.embeds.urls")),
    # The public pages (milidip.pages) last: their paths are people's, not the API's.
    path("", include("milidip.pages.urls")),
]

handler400 = "milidip.api.errors.json_bad_request"
handler404 = "milidip.api.errors.json_not_found"
handler500 = "milidip.api.errors.json_server_error"
