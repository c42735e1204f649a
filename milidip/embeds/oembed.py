"""oEmbed 1.0 (https://oembed.com/): `/api/v1/oembed/?url=<a record's page or embed URL>`.

A site that knows oEmbed (a CMS, a blog) turns a pasted milidip link into the embed: the
answer is of type "rich", its `html` the iframe, sized by `maxwidth` and `maxheight` when the
consumer gives them. A record's page URL means its card; an embed's URL means that embed
(which ones exist: milidip.embeds.registry). Record pages point here with a discovery
`<link rel="alternate" type="application/json+oembed">` (templatetags/embeds.py).

Answers, in the API's one error shape: 404 for a URL that is no milidip page or embed, or a
record the public may not read (a draft, a retracted record); 501 for any `format` but json
(oEmbed's XML is not offered); 400 naming the parameter for a missing or malformed `url` or
size.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from milidip.api.errors import ErrorSerializer
from milidip.api.pagination import positive_int_param
from milidip.api.renderers import FastJSONRenderer
from milidip.api.views import check_parameters
from milidip.embeds.registry import BY_NAME, CARD, embed_named
from milidip.embeds.rendering import CACHE_SECONDS, READER
from milidip.pages.records import KINDS, find_record
from milidip.records import Status

PARAMETERS = {"url", "maxwidth", "maxheight", "format"}
URL_MAX_LENGTH = 2000
MAX_SIZE = 10_000
PROVIDER_NAME = "milidip"


@dataclass(frozen=True)
class ViewEmbed:
    """An embed drawn from a filter, not a record (the map, the network): its label and the
    iframe size it reads well at."""

    label: str
    width: int
    height: int


VIEW_EMBEDS = {
    "map": ViewEmbed("milidip map", 800, 520),
    "network": ViewEmbed("milidip alliance network", 640, 700),
}


class FormatNotImplemented(APIException):
    status_code = 501
    default_code = "not_implemented"
    default_detail = "format: only json is offered (oEmbed's xml is not implemented)."


class JsonOnly(BaseContentNegotiation):
    """Always JSON: `format` is oEmbed's parameter here (json or xml), not the API's renderer
    switch, and the view answers it (501 for xml)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OEmbedSerializer(serializers.Serializer):
    """An oEmbed 1.0 answer of type `rich`: the iframe to put on a page, and its size."""

    type = serializers.CharField(help_text="Always `rich`: `html` is an iframe.")
    version = serializers.CharField(help_text="The oEmbed version: always `1.0`.")
    title = serializers.CharField(help_text="What the embed shows.")
    provider_name = serializers.CharField(help_text="`milidip`.")
    provider_url = serializers.URLField(help_text="milidip's home page.")
    cache_age = serializers.IntegerField(
        min_value=0, help_text="Seconds the answer may be cached (the embed's own max-age)."
    )
    html = serializers.CharField(
        help_text="The iframe: its `src` the embed's URL, its size `width` by `height`."
    )
    width = serializers.IntegerField(min_value=1, help_text="Pixels; at most `maxwidth`.")
    height = serializers.IntegerField(min_value=1, help_text="Pixels; at most `maxheight`.")


def own_host(request, netloc):
    """Whether `netloc` (host[:port]) is this site: the request's own host or an allowed one."""
    if netloc.lower() == request.get_host().lower():
        return True
    domain, _port = split_domain_port(netloc.lower())
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def embed_of_url(request, url):
    """(embed, kind, record) for a milidip page or embed URL of a public record, or (a map or
    network embed, its path and query, None) for theirs; ValidationError
    for a URL that is none (named `url`), NotFound for one milidip does not embed."""
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError({"url": [f"At most {URL_MAX_LENGTH} characters."]})
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            {"url": ["Give the absolute http(s) URL of a milidip record's page or embed."]}
        )
    if not own_host(request, parts.netloc):
        raise NotFound(f"url: {parts.netloc[:100]} is not this milidip site.")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    try:
        match = resolve(path)
    except Resolver404 as error:
        raise NotFound("url: no milidip page or embed has this path.") from error
    if match.namespace == "embeds" and match.url_name in VIEW_EMBEDS:
        # A map or a network: no record, its query string is the filter it draws.
        query = f"?{parts.query}" if parts.query else ""
        return VIEW_EMBEDS[match.url_name], parts.path + query, None
    found = None
    if match.namespace == "pages" and match.url_name in KINDS:
        found = (BY_NAME[CARD], match.url_name)
    elif match.namespace == "embeds":
        found = embed_named(match.url_name)
    if found is None or "key" not in match.kwargs:
        raise NotFound("url: this milidip page has no embed (record pages and embeds do).")
    embed, kind_name = found
    kind = KINDS[kind_name]
    record = find_record(kind, match.kwargs["key"], READER)
    if record is None or record.status != Status.PUBLISHED:
        raise NotFound(f"url: there is no public {kind.label.lower()} here.")
    return embed, kind, record


def iframe(src, width, height, title):
    """The iframe to paste. No style attribute: the host page styles it as it likes (the
    embed is responsive inside), and milidip's own pages, which show it as text, carry none."""
    return format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy"></iframe>',
        src,
        width,
        height,
        title,
    )


def oembed_answer(request, embed, kind, record, maxwidth=None, maxheight=None):
    """The oEmbed answer (a dict) for one embed of a record (or, with no record, a map or
    network whose path and query `kind` holds); also the snippets' source."""
    width = min(embed.width, maxwidth or embed.width)
    height = min(embed.height, maxheight or embed.height)
    if record is None:
        title = str(embed.label)
        src = request.build_absolute_uri(kind)
    else:
        title = embed.title(kind.name, record)
        src = request.build_absolute_uri(embed.path(kind.name, record))
    return {
        "type": "rich",
        "version": "1.0",
        "title": title,
        "provider_name": PROVIDER_NAME,
        "provider_url": request.build_absolute_uri("/"),
        "cache_age": CACHE_SECONDS,
        "html": str(iframe(src, width, height, title)),
        "width": width,
        "height": height,
    }


class OEmbedView(APIView):
    """oEmbed 1.0 for milidip's record pages and embeds."""

    permission_classes = [AllowAny]
    renderer_classes = [FastJSONRenderer]
    content_negotiation_class = JsonOnly

    @extend_schema(
        operation_id="oembed",
        summary="oEmbed 1.0: the iframe for a record's page or embed URL",
        description="Give `url`, a record's page (`/countries/KOR/`: its card) or an embed "
        '(`/embed/countries/KOR/timeline/`, README "Embedding"); the answer is a `rich` '
        "oEmbed with the iframe, no larger than `maxwidth` by `maxheight`. Record pages "
        'name this endpoint in `<link rel="alternate" type="application/json+oembed">`.',
        parameters=[
            OpenApiParameter(
                "url",
                {"type": "string", "maxLength": URL_MAX_LENGTH},
                required=True,
                description="The absolute URL of a milidip record page or embed.",
            ),
            OpenApiParameter(
                "maxwidth",
                {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
                description="The widest the iframe may be, in pixels.",
            ),
            OpenApiParameter(
                "maxheight",
                {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
                description="The tallest the iframe may be, in pixels.",
            ),
            OpenApiParameter(
                "format",
                {"type": "string", "enum": ["json", "xml"]},
                description="`json` (the default); `xml` is answered 501 Not Implemented.",
            ),
        ],
        responses={
            200: OEmbedSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="`url` is missing, too long or not an absolute http(s) URL, a size "
                "is not a whole number from 1 to 10,000, or a parameter is unknown; `errors` "
                "names it.",
            ),
            404: OpenApiResponse(
                ErrorSerializer,
                description="`url` is no milidip record page or embed, or its record is not "
                "public (a draft, or retracted).",
            ),
            501: OpenApiResponse(
                ErrorSerializer, description="`format` is not json: only JSON is offered."
            ),
        },
    )
    def get(self, request):
        check_parameters(request, PARAMETERS)
        requested = request.query_params.get("format", "json")
        if requested != "json":
            raise FormatNotImplemented(
                f"format: {requested[:20]!r} is not offered; only json is (oEmbed's xml is "
                "not implemented)."
            )
        maxwidth = positive_int_param(request, "maxwidth", None, MAX_SIZE)
        maxheight = positive_int_param(request, "maxheight", None, MAX_SIZE)
        url = request.query_params.get("url")
        if url is None:
            raise ValidationError({"url": ["Required: the URL of a milidip page or embed."]})
        embed, kind, record = embed_of_url(request, url)
        return Response(oembed_answer(request, embed, kind, record, maxwidth, maxheight))
