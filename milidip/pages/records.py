"""What each kind of record's page shows: the record, its related records, and how to find it.

`KINDS` describes each resource once (model, identifier, list filters, API route, the related
records its page lists); the views (milidip.pages.views), the sitemap and the JSON-LD read it.
Every query here is bounded: a related group is counted and its first `GROUP_LIMIT` rows shown,
with a link to the list page filtered to the whole group.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alliances.filters import AllianceFilter, CountryFilter, TreatyFilter
from alliances.models import Alliance, Country, Membership, Treaty
from milidip.explore.dossier import country_dossier
from milidip.records import Status, can_see_drafts, visible_to
from milidip.sources.claims import agree, disagreements, rule_for
from milidip.sources.filters import SourceFilter
from milidip.sources.models import Source
from missions.filters import ChallengeFilter, ExerciseFilter, MissionFilter
from missions.models import (
    Challenge,
    Exercise,
    ExerciseParticipant,
    Mission,
    MissionContribution,
)

GROUP_LIMIT = 25
# A country's dossier has six sections: each shows fewer rows, the rest a link away.
DOSSIER_LIMIT = 12
TIMELINE_LIMIT = 40


@dataclass(frozen=True)
class Kind:
    """One resource as the pages show it."""

    name: str  # the URL names' suffix and the template's name
    plural: str  # the path's first segment, and the API's
    model: type
    lookup: str  # "code" or "slug"
    filterset: type
    title_field: str = "name"
    list_related: tuple = field(default=())  # select_related for list rows

    @property
    def label(self):
        return self.model._meta.verbose_name.capitalize()

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural.capitalize()

    def list_url(self, **params):
        url = reverse(f"pages:{self.name}-list")
        if params:
            url += "?" + urlencode(params, doseq=True)
        return url

    def api_url(self, record=None):
        if record is None:
            return reverse(f"{self.name}-list")
        return reverse(f"{self.name}-detail", args=[getattr(record, self.lookup)])


KINDS = {
    kind.name: kind
    for kind in (
        Kind("country", "countries", Country, "code", CountryFilter),
        Kind("alliance", "alliances", Alliance, "slug", AllianceFilter),
        Kind("treaty", "treaties", Treaty, "slug", TreatyFilter, list_related=("alliance",)),
        Kind("exercise", "exercises", Exercise, "slug", ExerciseFilter),
        Kind("mission", "missions", Mission, "slug", MissionFilter, list_related=("organisation",)),
        Kind("challenge", "challenges", Challenge, "slug", ChallengeFilter),
        Kind("source", "sources", Source, "slug", SourceFilter, title_field="title"),
    )
}


def group(queryset, list_url=None, limit=GROUP_LIMIT):
    """A bounded group of related rows: {"total", "rows" (the first `limit`), "more" (a link to
    the whole group, when there are more)}; two queries."""
    total = queryset.count()
    rows = list(queryset[:limit]) if total else []
    return {"total": total, "rows": rows, "more": list_url if total > len(rows) else None}


def citations_of(record, user):
    """The record's citations whose source the reader may see, with their sources."""
    sources = visible_to(user, Source.objects.all())
    return list(record.citations.filter(source__in=sources).select_related("source"))


def shown_as(value):
    """A claimed value as a reader reads it."""
    if value is None or value == "":
        return _("not known")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def field_label(key):
    """ "defence" -> "defence"; "members/KOR/defence" -> "defence (KOR's membership)"."""
    _prefix, _separator, rest = key.partition("/")
    if not rest:
        return key.replace("_", " ")
    row, _separator, name = rest.rpartition("/")
    return _("%(field)s (%(row)s's membership)") % {
        "field": name.replace("_", " "),
        "row": row.replace("~", ", spell "),
    }


def disagreements_of(record, citations):
    """Where the record's sources disagree, for its page: each field with the value shown, why
    (a curator's resolution, or the field's precedence and its reason) and every source's
    claim with its quote or row. Only claims of the citations given (those the reader may see)."""
    model = type(record)
    rows = []
    for claimed in disagreements(record, citations):
        rule = rule_for(model, claimed.key)
        rows.append(
            {
                "key": claimed.key,
                "label": field_label(claimed.key),
                "shown": shown_as(claimed.shown),
                "by_curator": claimed.rule == "curator",
                "reason": rule.reason if rule else "",
                "claims": [
                    {
                        "value": shown_as(claim.value),
                        "agrees": agree(claim.value, claimed.shown),
                        "source": claim.source,
                        "quote": claim.quote,
                        "locator": claim.locator,
                    }
                    for claim in claimed.claims
                ],
            }
        )
    return rows


def year_of(value):
    """The first year of a partial date ("195" is the 1950s: 1950), or None when unknown."""
    if not value:
        return None
    digits = value.split("-")[0]
    return int(digits) * (10 if len(digits) == 3 else 1)


def timeline(memberships, today_year):
    """Rows for the alliances timeline: each membership's start and end as percentages of the
    span from the earliest start to `today_year` (drawn as SVG bars, so no inline style)."""
    years = [year_of(m.start) or year_of(m.alliance.start) for m in memberships]
    known = [year for year in years if year]
    if not known:
        rows = [{"membership": m, "start": None, "end": None} for m in memberships]
        return {"rows": rows, "first": None, "last": today_year}
    first = min(known)
    span = max(today_year - first, 1)
    rows = []
    for membership, start in zip(memberships, years, strict=True):
        end = year_of(membership.end) or year_of(membership.alliance.end)
        row = {"membership": membership, "start": start, "end": end}
        if start:
            stop = end or today_year
            row["x"] = round(100 * (start - first) / span, 2)
            row["width"] = max(round(100 * (stop - start) / span, 2), 0.8)
        rows.append(row)
    # Dated rows in time order first; those whose dates no source gives after them.
    rows.sort(key=lambda row: (row["start"] is None, row["start"] or 0))
    return {"rows": rows, "first": first, "last": today_year}


def country_context(country, user, today_year):
    dossier = country_dossier(country, user)
    code = country.code
    kinds = KINDS
    memberships = dossier["alliances"].order_by("start", "alliance__start", "alliance__name")
    alliances = group(memberships, kinds["alliance"].list_url(country=code), limit=TIMELINE_LIMIT)
    alliances["timeline"] = timeline(alliances["rows"], today_year)
    return {
        "alliances": alliances,
        "treaties": group(
            dossier["treaties"], kinds["treaty"].list_url(country=code), limit=DOSSIER_LIMIT
        ),
        "exercises": group(
            dossier["exercises"].order_by("exercise__start", "exercise__name", "exercise__slug"),
            kinds["exercise"].list_url(country=code),
            limit=DOSSIER_LIMIT,
        ),
        "missions_hosted": group(
            dossier["missions_hosted"], kinds["mission"].list_url(host=code), limit=DOSSIER_LIMIT
        ),
        "mission_contributions": group(
            dossier["mission_contributions"].order_by("-as_of", "mission__name", "mission__slug"),
            kinds["mission"].list_url(contributor=code),
            limit=DOSSIER_LIMIT,
        ),
        "challenges": group(
            dossier["challenges"], kinds["challenge"].list_url(country=code), limit=DOSSIER_LIMIT
        ),
    }


def alliance_context(alliance, user, today_year):
    countries = visible_to(user, Country.objects.all())
    slug = alliance.slug
    return {
        "memberships": group(
            Membership.objects.filter(alliance=alliance, country__in=countries)
            .select_related("country")
            .order_by("start", "country__name", "pk"),
            KINDS["country"].list_url(alliance=slug),
            limit=200,
        ),
        "treaties": group(
            visible_to(user, alliance.treaties.all()), KINDS["treaty"].list_url(alliance=slug)
        ),
        "exercises": group(
            visible_to(user, alliance.exercises.all()), KINDS["exercise"].list_url(alliance=slug)
        ),
        "missions": group(
            visible_to(user, alliance.missions.all()),
            KINDS["mission"].list_url(organisation=slug),
        ),
        "challenges": group(
            visible_to(user, alliance.challenges.all()), KINDS["challenge"].list_url(alliance=slug)
        ),
        "cow_alliance": _visible_one(user, alliance.cow_alliance),
        "atop_alliances": list(visible_to(user, alliance.atop_alliances.all())[:GROUP_LIMIT]),
    }


def treaty_context(treaty, user, today_year):
    return {
        "parties": list(visible_to(user, treaty.parties.all()).order_by("name")),
        "alliance": _visible_one(user, treaty.alliance),
        "challenges": group(
            visible_to(user, treaty.challenges.all()),
            KINDS["challenge"].list_url(treaty=treaty.slug),
        ),
    }


def exercise_context(exercise, user, today_year):
    countries = visible_to(user, Country.objects.all())
    return {
        "participants": list(
            ExerciseParticipant.objects.filter(exercise=exercise, country__in=countries)
            .select_related("country")
            .order_by("role", "country__name")
        ),
        "series": _visible_one(user, exercise.series),
        "iterations": group(
            visible_to(user, exercise.iterations.all()),
            KINDS["exercise"].list_url(series=exercise.slug),
        ),
        "alliance": _visible_one(user, exercise.alliance),
        "domains": list(exercise.domains.all()),
        "purposes": list(exercise.purposes.all()),
        "challenges": list(visible_to(user, exercise.challenges.all())[:GROUP_LIMIT]),
    }


def mission_context(mission, user, today_year):
    countries = visible_to(user, Country.objects.all())
    return {
        "organisation": _visible_one(user, mission.organisation),
        "part_of": _visible_one(user, mission.part_of),
        "deployments": group(
            visible_to(user, mission.deployments.all()),
            KINDS["mission"].list_url(part_of=mission.slug),
        ),
        "hosts": list(visible_to(user, mission.hosts.all()).order_by("name")),
        "contributions": group(
            MissionContribution.objects.filter(mission=mission, country__in=countries)
            .select_related("country")
            .order_by("-as_of", "country__name"),
            limit=200,
        ),
        "locations": list(mission.locations.all()[:GROUP_LIMIT]),
        "strength": mission.strengths.order_by("-month").first(),
        "challenges": list(visible_to(user, mission.challenges.all())[:GROUP_LIMIT]),
    }


def challenge_context(challenge, user, today_year):
    return {
        "countries": list(visible_to(user, challenge.countries.all())),
        "alliances": list(visible_to(user, challenge.alliances.all())),
        "treaties": list(visible_to(user, challenge.treaties.all())),
        "missions": list(visible_to(user, challenge.missions.all())),
        "exercises": list(visible_to(user, challenge.exercises.all())),
    }


def source_context(source, user, today_year):
    """What cites the source: per resource, a count and a link to the list filtered by it;
    for an article, every citing record with its quote."""
    cited = []
    for kind in KINDS.values():
        if kind.model is Source:
            continue
        citations = (
            kind.model.citations.rel.related_model.objects.filter(
                source=source, record__in=visible_to(user, kind.model.objects.all())
            )
            .select_related("record")
            .order_by("record__" + kind.lookup, "pk")
        )
        found = group(citations, kind.list_url(source=source.slug), limit=50)
        if found["total"]:
            found["kind"] = kind
            cited.append(found)
    return {"cited": cited}


def _visible_one(user, record):
    """`record` if the reader may see it (a related record may be a draft), else None."""
    if record is None:
        return None
    if record.status == Status.PUBLISHED or can_see_drafts(user, type(record)):
        return record
    return None


CONTEXTS = {
    "country": country_context,
    "alliance": alliance_context,
    "treaty": treaty_context,
    "exercise": exercise_context,
    "mission": mission_context,
    "challenge": challenge_context,
    "source": source_context,
}

# What each record page's own query fetches along with the record.
DETAIL_RELATED = {
    "alliance": ("cow_alliance",),
    "treaty": ("alliance",),
    "exercise": ("series", "alliance"),
    "mission": ("organisation", "part_of"),
}


def find_record(kind, key, user):
    """The record of `kind` whose code or slug is `key`, as `user` may read it: None when there
    is none or it is a draft they may not see. A retracted record is returned: its page (or
    embed) says so, with the reason, rather than pretending it never was (410)."""
    lookup = {kind.lookup: key.upper() if kind.lookup == "code" else key}
    queryset = kind.model.objects.filter(**lookup)
    if kind.name in DETAIL_RELATED:
        queryset = queryset.select_related(*DETAIL_RELATED[kind.name])
    record = queryset.first()
    if record is None:
        return None
    if record.status == Status.DRAFT and not can_see_drafts(user, kind.model):
        return None
    return record
