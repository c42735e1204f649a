"""Top-level URLs: the admin for curators (the API joins under /api/v1/)."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "milidip curation"
admin.site.site_title = "milidip"
admin.site.index_title = "Records and their sources"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
