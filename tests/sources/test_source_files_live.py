"""The attack of the audit, over real HTTP against a live server: a curator logs in to the admin
and tries to point a new source at server files. Every attempt is refused and nothing is stored,
so the verbatim-quote check can never be asked about a file outside seeds/."""

import http.cookiejar
import re
import secrets
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.models import Permission, User

from milidip.sources.models import Source

pytestmark = pytest.mark.django_db(transaction=True)

TARGETS = ["/proc/self/environ", "/etc/passwd", "../.secret_key", "../milidip/settings.py"]


class Browser:
    """A cookie-keeping HTTP client that fills Django forms with their CSRF token."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post_form(self, path, fields):
        _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST")
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()


def test_a_curator_cannot_point_a_source_at_a_server_file(live_server):
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user("carla", password=password, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_source", "change_source", "view_source"])
    )
    browser = Browser(live_server.url)
    status, url, _ = browser.post_form(
        "/admin/login/?next=/admin/", {"username": "carla", "password": password}
    )
    assert status == 200 and not url.endswith("/login/?next=/admin/")
    for number, target in enumerate(TARGETS):
        status, _, page = browser.post_form(
            "/admin/sources/source/add/",
            {
                "title": f"Probe {number}",
                "slug": f"probe-{number}",
                "kind": "article",
                "collection": "articles",
                "published": "2024",
                "file": target,
            },
        )
        assert status == 200
        assert "paths outside it are refused" in page, target
    assert not Source.objects.filter(slug__startswith="probe-").exists()
