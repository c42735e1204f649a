"""Top-level URLs: the admin for curators and the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "milidip curation"
admin.site.site_title = "milidip"
admin.site.index_title = "Records and their sources"

urlpatterns = [
    path("", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("milidip.api.urls")),
]

handler400 = "milidip.api.errors.json_bad_request"
handler404 = "milidip.api.errors.json_not_found"
handler500 = "milidip.api.errors.json_server_error"
