"""Which embeds a record has, and the size each is drawn at.

One list, read by the oEmbed endpoint (milidip.embeds.oembed: which URLs it knows, the iframe
it answers) and by the snippets on the record pages (templatetags/embeds.py), so a new embed
appears in both by being added here. Each is a URL name in the "embeds" namespace taking the
record's code or slug.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from milidip.pages.records import KINDS
from milidip.records import record_url

CARD = "card"


@dataclass(frozen=True)
class Embed:
    """One embed of a record: its URL name, what it is called, the record kinds it is for, and
    the iframe size it reads well at (it is responsive: any width from 320 px works)."""

    name: str
    label: str
    kinds: tuple
    width: int
    height: int

    def url_name(self, kind_name):
        return f"embeds:{kind_name}" if self.name == CARD else f"embeds:{kind_name}-{self.name}"

    def path(self, kind_name, record):
        return record_url(self.url_name(kind_name), getattr(record, KINDS[kind_name].lookup))

    def title(self, kind_name, record):
        name = str(getattr(record, KINDS[kind_name].title_field))
        return name if self.name == CARD else f"{name}: {self.label.lower()}"


EMBEDS = (
    Embed(CARD, _("Record card"), tuple(KINDS), 480, 440),
    Embed("timeline", _("Alliance timeline"), ("country",), 640, 560),
    Embed("strength", _("Monthly strength"), ("mission",), 640, 420),
)


def embeds_of(kind_name):
    """The embeds a record of `kind_name` has, the card first."""
    return [embed for embed in EMBEDS if kind_name in embed.kinds]


def embed_named(url_name):
    """(embed, kind name) for a URL name of the "embeds" namespace (without it), or None."""
    for embed in EMBEDS:
        for kind_name in embed.kinds:
            if embed.url_name(kind_name) == f"embeds:{url_name}":
                return embed, kind_name
    return None


BY_NAME = {embed.name: embed for embed in EMBEDS}
