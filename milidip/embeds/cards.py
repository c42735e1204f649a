"""A record card: `/embed/<resource>/<code or slug>/`, one record of any kind in a small box.

The card shows what the record is (its kind, name, dates, a few facts and related records, at
most `RELATED_SHOWN` of each with their total) and where it comes from. It costs a fixed number
of queries whatever the record: the record, one or two per fact group, the sources.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from alliances.models import Country, Membership
from milidip.embeds.rendering import attribution, cited_sources, embed_response, record_embed
from milidip.embeds.spans import end_text, start_text
from milidip.explore.dossier import country_dossier
from milidip.pages.languages import page_language
from milidip.records import visible_to
from missions.models import ExerciseParticipant

RELATED_SHOWN = 8
DESCRIPTION_CHARACTERS = 320


@dataclass
class Fact:
    """One line of a card: a label and either text or links to related records (the first
    few of `total`)."""

    label: str
    text: str = ""
    links: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self):
        return max(self.total - len(self.links), 0)


def related(request, label, queryset, through=None):
    """A Fact linking the first RELATED_SHOWN records of `queryset` (two queries); `through`
    names the record of a row that is a link (a membership's "country")."""
    total = queryset.count()
    rows = list(queryset[:RELATED_SHOWN]) if total else []
    records = [getattr(row, through) for row in rows] if through else rows
    absolute = request.build_absolute_uri
    links = [
        (getattr(record, "name", str(record)), absolute(record.get_absolute_url()))
        for record in records
    ]
    return Fact(label, links=links, total=total, text="" if total else _("none recorded"))


def country_facts(request, country):
    dossier = country_dossier(country, None)
    facts = [
        Fact(_("Official name"), country.official_name or _("unknown")),
        Fact(_("Region"), country.get_region_display() or _("unknown")),
    ]
    counted = (
        (_("Alliances"), dossier["alliances"]),
        (_("Treaties"), dossier["treaties"]),
        (_("Exercises"), dossier["exercises"]),
        (_("Missions hosted"), dossier["missions_hosted"]),
        (_("Missions contributed to"), dossier["mission_contributions"]),
    )
    facts += [Fact(label, f"{queryset.count():,}") for label, queryset in counted]
    return facts


def alliance_facts(request, alliance):
    members = (
        Membership.objects.filter(
            alliance=alliance, country__in=visible_to(None, Country.objects.all())
        )
        .select_related("country")
        .order_by("start", "country__name", "pk")
    )
    return [
        Fact(_("Kind"), alliance.get_kind_display()),
        Fact(_("Established"), start_text(alliance.start)),
        Fact(_("Ended"), end_text(alliance)),
        related(request, _("Members"), members, through="country"),
    ]


def treaty_facts(request, treaty):
    return [
        Fact(_("Kind"), treaty.get_kind_display()),
        Fact(_("Signed"), treaty.signed or _("unknown")),
        Fact(_("In force"), treaty.in_force or _("unknown")),
        Fact(_("Ended"), treaty.ended or _("not recorded")),
        related(request, _("Parties"), visible_to(None, treaty.parties.order_by("name"))),
    ]


def exercise_facts(request, exercise):
    participants = (
        ExerciseParticipant.objects.filter(
            exercise=exercise, country__in=visible_to(None, Country.objects.all())
        )
        .select_related("country")
        .order_by("role", "country__name")
    )
    return [
        Fact(_("Kind"), exercise.get_kind_display()),
        Fact(_("Dates"), f"{start_text(exercise.start)} – {exercise.end or _('end unknown')}"),
        Fact(_("Location"), exercise.location or _("unknown")),
        related(request, _("Participants"), participants, through="country"),
    ]


def mission_facts(request, mission):
    organisation = mission.organisation
    latest = mission.strengths.filter(outside_mission_dates=False).order_by("-month").first()
    return [
        Fact(_("Kind"), mission.get_kind_display()),
        Fact(_("Began"), start_text(mission.start)),
        Fact(
            _("Ended"),
            end_text(mission) if mission.ended else _("not recorded (active, or unknown)"),
        ),
        Fact(
            _("Mandated by"),
            str(organisation) if organisation and organisation.status == "published" else "",
        ),
        related(request, _("Hosts"), visible_to(None, mission.hosts.order_by("name"))),
        Fact(
            _("Latest strength"),
            f"{latest.total:,} ({_('as of')} {latest.month})"
            if latest and latest.total is not None
            else _("unknown"),
        ),
    ]


def challenge_facts(request, challenge):
    return [
        Fact(_("Category"), challenge.get_category_display()),
        related(request, _("Countries"), visible_to(None, challenge.countries.order_by("name"))),
        related(request, _("Alliances"), visible_to(None, challenge.alliances.order_by("name"))),
        related(request, _("Treaties"), visible_to(None, challenge.treaties.order_by("name"))),
    ]


def source_facts(request, source):
    return [
        Fact(_("Kind"), source.get_kind_display()),
        Fact(_("Author"), source.author or _("unknown")),
        Fact(_("Publisher"), source.publisher or _("unknown")),
        Fact(_("Published"), source.published or _("unknown")),
        Fact(_("Licence"), source.licence or _("not stated")),
        Fact(_("Cite as"), source.citation_text or source.title),
    ]


FACTS = {
    "country": country_facts,
    "alliance": alliance_facts,
    "treaty": treaty_facts,
    "exercise": exercise_facts,
    "mission": mission_facts,
    "challenge": challenge_facts,
    "source": source_facts,
}


def subtitle(kind, record):
    """What is printed beside the name: a country's code, an alliance's short name ..."""
    if kind.name == "country":
        return record.code
    short_name = getattr(record, "short_name", "")
    return short_name if short_name and short_name != str(record) else ""


@record_embed
def card(request, kind, record):
    context = attribution(request, record, kind, cited_sources(record))
    language = page_language(request)
    local_name = record.names.get(language) if kind.name == "country" and language != "en" else None
    context.update(
        {
            "kind": kind,
            "record": record,
            "subtitle": subtitle(kind, record),
            "local_name": local_name,
            "language": language,
            "description": getattr(record, "description", ""),
            "description_characters": DESCRIPTION_CHARACTERS,
            "facts": [f for f in FACTS[kind.name](request, record) if f.text or f.links],
        }
    )
    return embed_response(request, "embeds/card.html", context)
