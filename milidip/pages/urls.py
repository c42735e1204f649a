"""The pages' URLs: /, /search/, /<resource>/ and /<resource>/<code or slug>/, the sitemap and
robots.txt. milidip.urls includes them under the "pages" namespace, after /api/ and /admin/."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.generic import TemplateView

from milidip.pages import views
from milidip.pages.records import KINDS
from milidip.pages.sitemaps import SITEMAPS

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "pages:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="pages/robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

for kind in KINDS.values():
    urlpatterns += [
        path(
            f"{kind.plural}/", views.record_list, {"kind_name": kind.name}, name=f"{kind.name}-list"
        ),
        path(
            f"{kind.plural}/<str:key>/",
            views.record_detail,
            {"kind_name": kind.name},
            name=kind.name,
        ),
    ]
