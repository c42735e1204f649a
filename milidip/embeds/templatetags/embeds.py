"""The record pages' side of the embeds: their iframe snippets and the oEmbed discovery link.

    {% load embeds %}{% embed_snippets %}     a record page's "Embed" section (pages/_embed.html)
    {% oembed_link %}                         the <link> oEmbed consumers look for (pages/base.html)

Both read `record` and `kind` from the page's context and show nothing for a record the public
may not read (a curator's view of a draft): its embeds would be 404s.
"""

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from milidip.embeds.oembed import oembed_answer
from milidip.embeds.registry import embeds_of
from milidip.records import Status, route_url

register = template.Library()


def _public(context):
    record, kind = context.get("record"), context.get("kind")
    if record is None or kind is None or getattr(record, "status", None) != Status.PUBLISHED:
        return None
    return record, kind


def oembed_url(request, url):
    return request.build_absolute_uri(route_url("oembed")) + "?" + urlencode({"url": url})


@register.inclusion_tag("embeds/_snippets.html", takes_context=True)
def embed_snippets(context):
    """Each embed of the page's record: its iframe code to copy and its oEmbed URL."""
    found = _public(context)
    if found is None:
        return {"snippets": []}
    record, kind = found
    request = context["request"]
    snippets = []
    for embed in embeds_of(kind.name):
        url = request.build_absolute_uri(embed.path(kind.name, record))
        answer = oembed_answer(request, embed, kind, record)
        snippets.append(
            {
                "id": f"embed-{embed.name}",
                "label": embed.label,
                "url": url,
                "html": answer["html"],
                "oembed": oembed_url(request, url),
            }
        )
    return {"snippets": snippets}


@register.simple_tag(takes_context=True)
def oembed_link(context):
    """<link rel="alternate" type="application/json+oembed"> for the page's record."""
    found = _public(context)
    if found is None:
        return ""
    record, _kind = found
    request = context["request"]
    page = request.build_absolute_uri(record.get_absolute_url())
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}&amp;format=json" '
        'title="{}">',
        oembed_url(request, page),
        str(record),
    )
