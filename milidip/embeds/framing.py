"""What makes a page an embed: any origin may frame it, and it needs no cookie.

Every other response keeps refusing frames (CSP `frame-ancestors 'none'` and X-Frame-Options:
DENY, milidip.settings); an embed view is wrapped in `embeddable`, which replaces the first with
`frame-ancestors *` and drops the second for that response alone.
"""

from functools import wraps

from csp.decorators import csp_replace
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.vary import vary_on_headers


def embeddable(view):
    """`view`'s responses may be framed by any page on any origin."""

    @wraps(view)
    def framed(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # A framed page must never set a cookie: browsers block third-party cookies, and an
        # embed is the same for every reader.
        response.cookies.clear()
        return response

    framed = xframe_options_exempt(framed)
    framed = csp_replace({"frame-ancestors": ["*"]})(framed)
    return vary_on_headers("Accept-Language")(framed)
