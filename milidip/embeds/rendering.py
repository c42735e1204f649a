"""What every record embed shares: the record, found as the public pages find it and read as
an anonymous reader; the attribution naming its sources and their licences; and the response.

An embed is the same for every reader: a curator signed in to milidip sees no draft in it (an
iframe on someone else's page is no place for one), so records are always read with no user
(`READER`), and the response is public and cacheable.
"""

from functools import wraps

from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from milidip.embeds.framing import embeddable
from milidip.pages.records import KINDS, find_record
from milidip.records import Status
from milidip.sources.models import Source

READER = None  # visible_to(None, ...) is what the public may read: published records only
CACHE_SECONDS = 300
# An attribution names at most this many sources; the record's page lists them all.
SOURCES_SHOWN = 8


def embed_response(request, template, context, status=200):
    home_url = request.build_absolute_uri("/")
    # `site_url` + a record's get_absolute_url(): the absolute links an embed on another site
    # needs.
    context = {"home_url": home_url, "site_url": home_url.rstrip("/"), **context}
    response = render(request, template, context, status=status)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def problem(request, status, title, message, page_url=None):
    """An embed's refusal, itself framable, so the host page shows why instead of a browser
    error."""
    context = {"title": title, "message": message, "page_url": page_url, "sources": []}
    return embed_response(request, "embeds/problem.html", context, status=status)


def record_embed(view):
    """Wrap an embed of one record: the URL gives `kind_name` and `key`; the view is called as
    view(request, kind, record) with a published record only. A draft or unknown key is a 404,
    a retracted record a 410 giving the reason, both as small framable pages."""

    @embeddable
    @wraps(view)
    def wrapped(request, kind_name, key):
        kind = KINDS[kind_name]
        record = find_record(kind, key, READER)
        if record is None:
            return problem(
                request,
                404,
                _("Not found"),
                _("There is no public %(kind)s here.") % {"kind": kind.label.lower()},
            )
        if record.status == Status.RETRACTED:
            return problem(
                request,
                410,
                _("Retracted"),
                _("This %(kind)s has been retracted: %(reason)s")
                % {"kind": kind.label.lower(), "reason": record.retraction_reason},
                page_url=request.build_absolute_uri(record.get_absolute_url()),
            )
        return view(request, kind, record)

    return wrapped


def attribution(request, record, kind, sources):
    """The context of the attribution line: the record's page (absolute: the embed is read on
    another site), its title, and the sources with their licences and pages."""
    sources = list(sources)
    return {
        "page_url": request.build_absolute_uri(record.get_absolute_url()),
        "title": str(getattr(record, kind.title_field)),
        "sources": [
            {
                "title": source.title,
                "licence": source.licence,
                "url": request.build_absolute_uri(source.get_absolute_url()),
            }
            for source in sources[:SOURCES_SHOWN]
        ],
        "more_sources": max(len(sources) - SOURCES_SHOWN, 0),
    }


def public_sources(source_ids):
    """The published sources among `source_ids` (a queryset of ids, or a list), by title."""
    return Source.objects.published().filter(pk__in=source_ids).order_by("title", "slug")


def cited_sources(record):
    """The published sources `record` cites (a source is its own)."""
    if isinstance(record, Source):
        return [record]
    return public_sources(record.citations.values("source"))
