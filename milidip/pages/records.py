"""What each kind of record's page shows: the record, its related records, and how to find it.

`KINDS` describes each resource once (model, identifier, list filters, API route, the related
records its page lists); the views (milidip.pages.views), the sitemap and the JSON-LD read it.
Every query here is bounded: a related group is counted and its first `GROUP_LIMIT` rows shown,
with a link to the list page filtered to the whole group.
"""

import functools
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from alliances.filters import AllianceFilter, CountryFilter, TreatyFilter
from alliances.models import Alliance, Country, Membership, Treaty
from milidip.api.pagination import kept_count
from milidip.explore.dossier import country_dossier
from milidip.records import (
    Status,
    can_see_drafts,
    record_url,
    route_url,
    visible_through,
    visible_to,
)
from milidip.sources.claims import agree, disagreements, rule_for, split_key
from milidip.sources.filters import SourceFilter
from milidip.sources.models import SOURCE_FIELDS, Source
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
        url = route_url(f"pages:{self.name}-list")
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


def group(queryset, list_url=None, limit=GROUP_LIMIT, shape=None, counted=None, version=None):
    """A bounded group of related rows: {"total", "rows" (the first `limit`, each passed through
    `shape` when given), "more" (a link to the whole group, when there are more)}. One query
    when the group fits in `limit` (most do), a second to count it when it does not (a count
    over the whole group in the rows' query, COUNT(*) OVER (), made PostgreSQL sort every row
    of a large group: 12 ms for the United States' exercises, against 3 ms for the two).

    The count is of `counted` when given: the group's records before `queryset` read their
    related columns, whose joins a count does not need (the United States' exercises: 6 -> 2
    ms). With the data `version` the request began at (an anonymous reader's), the count is
    kept under it in the read cache (kept_count), so the page asked again does not count."""
    rows = list(queryset[: limit + 1])
    total = len(rows)
    if total > limit:
        rows = rows[:limit]
        total = kept_count(queryset if counted is None else counted, version)
    if shape is not None:
        rows = [shape(row) for row in rows]
    return {"total": total, "rows": rows, "more": list_url if total > len(rows) else None}


# A page links hundreds of records: it reads each link's few values (values(), no model
# instances) and writes its URL from them (record_url). Per kind: the values a link reads, and
# its label from them, as the model's str() writes it (tests/pages hold the two the same).
LINKED = {
    "country": (("code", "name"), lambda values: f"{values['name']} ({values['code']})"),
    "alliance": (("slug", "name", "short_name"), lambda v: v["short_name"] or v["name"]),
    "treaty": (("slug", "name"), lambda values: values["name"]),
    "exercise": (("slug", "name"), lambda values: values["name"]),
    "mission": (("slug", "name", "short_name"), lambda v: v["short_name"] or v["name"]),
    "challenge": (("slug", "name"), lambda values: values["name"]),
}


def linked(kind_name, prefix=""):
    """The value names a link to a record of `kind_name` reads, under `prefix` (a relation's
    name and "__") when the row is another model's."""
    return [prefix + name for name in LINKED[kind_name][0]]


def link(kind_name, row, prefix=""):
    """{"url", "label", "name"} of the record of `kind_name` whose values `row` holds."""
    names, label = LINKED[kind_name]
    values = {name: row[prefix + name] for name in names}
    key = values[KINDS[kind_name].lookup]
    return {"url": record_url(f"pages:{kind_name}", key), "label": label(values), **values}


def links(kind_name, queryset, limit=None):
    """The links to the records of `queryset` (of `kind_name`), in its order."""
    rows = queryset.values(*linked(kind_name))
    if limit is not None:
        rows = rows[:limit]
    return [link(kind_name, row) for row in rows]


def link_group(kind_name, queryset, list_url=None, limit=GROUP_LIMIT, version=None):
    """group() of the links to the records of `queryset`."""
    return group(
        queryset.values(*linked(kind_name)),
        list_url,
        limit,
        shape=functools.partial(link, kind_name),
        counted=queryset,
        version=version,
    )


@functools.cache
def _labels(model, field_name):
    return dict(model._meta.get_field(field_name).flatchoices)


def display(model, field_name, value):
    """What get_<field>_display() gives for `value` of a choices field, without an instance."""
    return force_str(_labels(model, field_name).get(value, value), strings_only=True)


# The columns of a source that a page reads (its citation list, claims and JSON-LD: all but the
# file's and the long description).
SOURCE_COLUMNS = (
    "id",
    *(name for name in SOURCE_FIELDS if name not in ("file", "checksum", "description")),
)


@dataclass(frozen=True, slots=True)
class PageCitation:
    """A citation as a page reads it: what fields_of() and the citation list need."""

    pk: int
    source: Source
    quote: str
    locator: str
    note: str
    states: dict


def citations_of(record, user):
    """The record's citations whose source the reader may see, with their sources: one query
    of values, and one Source per source however many rows cite it (an alliance's page reads
    over a hundred dataset rows from a few sources)."""
    rows = record.citations.filter(visible_through(user, "source", Source)).values(
        "pk", "quote", "locator", "note", "states", *(f"source__{name}" for name in SOURCE_COLUMNS)
    )
    sources = {}
    citations = []
    for row in rows:
        source = sources.get(row["source__id"])
        if source is None:
            source = sources[row["source__id"]] = Source(
                **{name: row[f"source__{name}"] for name in SOURCE_COLUMNS}
            )
        citations.append(
            PageCitation(
                row["pk"], source, row["quote"], row["locator"], row["note"], row["states"]
            )
        )
    return citations


def citation_rows(citations):
    """The citations as the page lists them: each with what names its source (after a quote,
    or after a dataset row's locator: pages/_cited_source.html), written once per source and
    kind of row. NATO's page lists 68 dataset rows of three sources, and writing each row's
    source anew was near half of its rendering."""
    sources = {}
    cited = {}
    rows = []
    for citation in citations:
        source = citation.source
        shown = sources.get(source.pk)
        if shown is None:
            shown = sources[source.pk] = {
                "url": source.get_absolute_url(),
                "title": source.title,
                "author": source.author,
                "published": source.published,
                "citation_text": source.citation_text,
                "licence": source.licence,
            }
        quoted = bool(citation.quote)
        names = cited.get((source.pk, quoted))
        if names is None:
            # The template file's last newline is not part of the row.
            names = cited[source.pk, quoted] = mark_safe(
                render_to_string(
                    "pages/_cited_source.html", {"source": shown, "quoted": quoted}
                ).removesuffix("\n")
            )
        rows.append(
            {
                "source_url": shown["url"],
                "cited": names,
                "quote": citation.quote,
                "locator": citation.locator,
                "note": citation.note,
            }
        )
    return rows


def shown_as(value, choices=None):
    """A claimed value as a reader reads it (a coded field's value by its label)."""
    if choices and value in choices:
        return str(choices[value])
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
    urls = {}  # a source's page, once per source
    for claimed in disagreements(record, citations):
        rule = rule_for(model, claimed.key)
        prefix, _row, name = split_key(claimed.key)
        choices = {} if prefix else dict(model._meta.get_field(name).flatchoices)
        rows.append(
            {
                "key": claimed.key,
                "label": field_label(claimed.key),
                "shown": shown_as(claimed.shown, choices),
                "by_curator": claimed.rule == "curator",
                "reason": rule.reason if rule else "",
                "claims": [
                    {
                        "value": shown_as(claim.value, choices),
                        "agrees": agree(claim.value, claimed.shown),
                        "source": claim.source,
                        "source_url": urls.get(claim.source.pk)
                        or urls.setdefault(claim.source.pk, claim.source.get_absolute_url()),
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
    """Rows for the alliances timeline: each membership's years as the page writes them
    (`when`), and its start and end as percentages of the span from the earliest start to
    `today_year` (`x`, `width`: drawn as SVG bars, so no inline style). `memberships` are rows
    as membership_row() writes them."""
    years = [year_of(m["start"]) or year_of(m["alliance_start"]) for m in memberships]
    known = [year for year in years if year]
    first = min(known) if known else None
    span = max(today_year - first, 1) if known else None
    rows = []
    for membership, start in zip(memberships, years, strict=True):
        # With no start known at all, no row is dated (nor drawn): "dates unknown" each.
        end = (year_of(membership["end"]) or year_of(membership["alliance_end"])) if known else None
        row = {"membership": membership, "start": start, "when": _years(start, end)}
        if start:
            stop = end or today_year
            row["x"] = str(round(100 * (start - first) / span, 2))
            row["width"] = str(max(round(100 * (stop - start) / span, 2), 0.8))
        rows.append(row)
    # Dated rows in time order first; those whose dates no source gives after them.
    rows.sort(key=lambda row: (row["start"] is None, row["start"] or 0))
    return {"rows": rows, "first": first, "last": today_year}


def _years(start, end):
    """A membership's years on the timeline: "1953–ongoing or unknown", "dates unknown"."""
    if start is None and end is None:
        return _("dates unknown")
    shown_start = _("unknown") if start is None else start
    return f"{shown_start}–{_('ongoing or unknown') if end is None else end}"


def membership_row(row):
    return {
        "alliance": link("alliance", row, "alliance__"),
        "role": display(Membership, "role", row["role"]),
        "start": row["start"],
        "end": row["end"],
        "alliance_start": row["alliance__start"],
        "alliance_end": row["alliance__end"],
    }


def participation_row(row):
    return {
        "exercise": link("exercise", row, "exercise__"),
        "role": display(ExerciseParticipant, "role", row["role"]),
        "start": row["exercise__start"],
    }


def contribution_row(row, kind_name="mission"):
    return {
        kind_name: link(kind_name, row, f"{kind_name}__"),
        "unit": row["unit"],
        "personnel": row["personnel"],
        "as_of": row["as_of"],
    }


def country_context(country, user, today_year, version=None):
    dossier = country_dossier(country, user)
    code = country.code
    kinds = KINDS
    memberships = dossier["alliances"].order_by("start", "alliance__start", "alliance__name")
    alliances = group(
        memberships.values(
            *linked("alliance", "alliance__"),
            "role",
            "start",
            "end",
            "alliance__start",
            "alliance__end",
        ),
        kinds["alliance"].list_url(country=code),
        limit=TIMELINE_LIMIT,
        shape=membership_row,
        counted=dossier["alliances"],
        version=version,
    )
    alliances["timeline"] = timeline(alliances["rows"], today_year)
    return {
        "alliances": alliances,
        "treaties": group(
            dossier["treaties"].values(*linked("treaty"), "signed"),
            kinds["treaty"].list_url(country=code),
            limit=DOSSIER_LIMIT,
            shape=lambda row: {**link("treaty", row), "signed": row["signed"]},
            counted=dossier["treaties"],
            version=version,
        ),
        "exercises": group(
            dossier["exercises"]
            .order_by("exercise__start", "exercise__name", "exercise__slug")
            .values(*linked("exercise", "exercise__"), "role", "exercise__start"),
            kinds["exercise"].list_url(country=code),
            limit=DOSSIER_LIMIT,
            shape=participation_row,
            counted=dossier["exercises"],
            version=version,
        ),
        "missions_hosted": group(
            dossier["missions_hosted"].values(*linked("mission"), "start", "end"),
            kinds["mission"].list_url(host=code),
            limit=DOSSIER_LIMIT,
            shape=lambda row: {**link("mission", row), "start": row["start"], "end": row["end"]},
            counted=dossier["missions_hosted"],
            version=version,
        ),
        "mission_contributions": group(
            dossier["mission_contributions"]
            .order_by("-as_of", "mission__name", "mission__slug")
            .values(*linked("mission", "mission__"), "unit", "personnel", "as_of"),
            kinds["mission"].list_url(contributor=code),
            limit=DOSSIER_LIMIT,
            shape=contribution_row,
            counted=dossier["mission_contributions"],
            version=version,
        ),
        "challenges": group(
            dossier["challenges"].values(*linked("challenge"), "category"),
            kinds["challenge"].list_url(country=code),
            limit=DOSSIER_LIMIT,
            shape=lambda row: {
                **link("challenge", row),
                "category": display(Challenge, "category", row["category"]),
            },
            counted=dossier["challenges"],
            version=version,
        ),
    }


def alliance_context(alliance, user, today_year, version=None):
    members = Membership.objects.filter(
        visible_through(user, "country", Country), alliance=alliance
    )
    slug = alliance.slug
    memberships = members.order_by("start", "country__name", "pk").values(
        *linked("country", "country__"), "role", "start", "end"
    )
    return {
        "memberships": group(
            memberships,
            KINDS["country"].list_url(alliance=slug),
            limit=200,
            shape=lambda row: {
                "country": link("country", row, "country__"),
                "role": display(Membership, "role", row["role"]),
                "start": row["start"],
                "end": row["end"],
            },
            counted=members,
            version=version,
        ),
        "treaties": link_group(
            "treaty",
            visible_to(user, alliance.treaties.all()),
            KINDS["treaty"].list_url(alliance=slug),
            version=version,
        ),
        "exercises": link_group(
            "exercise",
            visible_to(user, alliance.exercises.all()),
            KINDS["exercise"].list_url(alliance=slug),
            version=version,
        ),
        "missions": link_group(
            "mission",
            visible_to(user, alliance.missions.all()),
            KINDS["mission"].list_url(organisation=slug),
            version=version,
        ),
        "challenges": link_group(
            "challenge",
            visible_to(user, alliance.challenges.all()),
            KINDS["challenge"].list_url(alliance=slug),
            version=version,
        ),
        "cow_alliance": _visible_one(user, alliance.cow_alliance),
        "atop_alliances": links(
            "alliance", visible_to(user, alliance.atop_alliances.all()), GROUP_LIMIT
        ),
    }


def treaty_context(treaty, user, today_year, version=None):
    return {
        "parties": links("country", visible_to(user, treaty.parties.all()).order_by("name")),
        "alliance": _visible_one(user, treaty.alliance),
        "challenges": link_group(
            "challenge",
            visible_to(user, treaty.challenges.all()),
            KINDS["challenge"].list_url(treaty=treaty.slug),
            version=version,
        ),
    }


def exercise_context(exercise, user, today_year, version=None):
    participants = (
        ExerciseParticipant.objects.filter(
            visible_through(user, "country", Country), exercise=exercise
        )
        .order_by("role", "country__name")
        .values(*linked("country", "country__"), "role")
    )
    return {
        "participants": [
            {
                "country": link("country", row, "country__"),
                "role": display(ExerciseParticipant, "role", row["role"]),
            }
            for row in participants
        ],
        "series": _visible_one(user, exercise.series),
        "iterations": link_group(
            "exercise",
            visible_to(user, exercise.iterations.all()),
            KINDS["exercise"].list_url(series=exercise.slug),
            version=version,
        ),
        "alliance": _visible_one(user, exercise.alliance),
        "domains": list(exercise.domains.all()),
        "purposes": list(exercise.purposes.all()),
        "challenges": links("challenge", visible_to(user, exercise.challenges.all()), GROUP_LIMIT),
    }


def mission_context(mission, user, today_year, version=None):
    contributors = MissionContribution.objects.filter(
        visible_through(user, "country", Country), mission=mission
    )
    contributions = contributors.order_by("-as_of", "country__name").values(
        *linked("country", "country__"), "unit", "personnel", "as_of"
    )
    return {
        "organisation": _visible_one(user, mission.organisation),
        "part_of": _visible_one(user, mission.part_of),
        "deployments": link_group(
            "mission",
            visible_to(user, mission.deployments.all()),
            KINDS["mission"].list_url(part_of=mission.slug),
            version=version,
        ),
        "hosts": links("country", visible_to(user, mission.hosts.all()).order_by("name")),
        "contributions": group(
            contributions,
            limit=200,
            shape=functools.partial(contribution_row, kind_name="country"),
            counted=contributors,
            version=version,
        ),
        "locations": list(mission.locations.all()[:GROUP_LIMIT]),
        "strength": mission.strengths.order_by("-month").first(),
        "challenges": links("challenge", visible_to(user, mission.challenges.all()), GROUP_LIMIT),
    }


def challenge_context(challenge, user, today_year, version=None):
    return {
        "countries": links("country", visible_to(user, challenge.countries.all())),
        "alliances": links("alliance", visible_to(user, challenge.alliances.all())),
        "treaties": links("treaty", visible_to(user, challenge.treaties.all())),
        "missions": links("mission", visible_to(user, challenge.missions.all())),
        "exercises": links("exercise", visible_to(user, challenge.exercises.all())),
    }


def source_context(source, user, today_year, version=None):
    """What cites the source: per resource, a count and a link to the list filtered by it;
    for an article, every citing record with its quote."""
    cited = []
    for kind in KINDS.values():
        if kind.model is Source:
            continue
        citing = kind.model.citations.rel.related_model.objects.filter(
            visible_through(user, "record", kind.model), source=source
        )
        found = group(
            citing.order_by("record__" + kind.lookup, "pk").values(
                *linked(kind.name, "record__"), "quote", "locator"
            ),
            kind.list_url(source=source.slug),
            limit=50,
            shape=functools.partial(cited_row, kind.name),
            counted=citing,
            version=version,
        )
        if found["total"]:
            found["kind"] = kind
            cited.append(found)
    return {"cited": cited}


def cited_row(kind_name, row):
    return {
        "record": link(kind_name, row, "record__"),
        "quote": row["quote"],
        "locator": row["locator"],
    }


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
    # Unordered: a code or slug names one record, and the model's ordering (first() would sort
    # by it) cost Django more to compile than the query took to run (an exercise: 5 -> 2 ms).
    queryset = kind.model.objects.filter(**lookup).order_by()
    if kind.name in DETAIL_RELATED:
        queryset = queryset.select_related(*DETAIL_RELATED[kind.name])
    record = next(iter(queryset[:1]), None)
    if record is None:
        return None
    if record.status == Status.DRAFT and not can_see_drafts(user, kind.model):
        return None
    return record
