"""/sitemap.xml: every published record's page (django.contrib.sitemaps), and the home page.

One section per resource; a section longer than `limit` URLs is split into numbered pages by the
sitemap index (/sitemap.xml lists /sitemap-<section>.xml?p=N).
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from milidip.pages.records import KINDS


class RecordSitemap(Sitemap):
    limit = 5000

    def __init__(self, kind):
        self.kind = kind

    def items(self):
        return (
            self.kind.model.objects.published()
            .order_by(self.kind.lookup)
            .only(self.kind.lookup, "updated")
        )

    def lastmod(self, record):
        return record.updated


class HomeSitemap(Sitemap):
    def items(self):
        return ["pages:home"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"home": HomeSitemap(), **{kind.plural: RecordSitemap(kind) for kind in KINDS.values()}}
