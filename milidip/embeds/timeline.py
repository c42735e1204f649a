"""A country's alliance memberships on a timeline: `/embed/countries/<code>/timeline/`.

Drawn on the server (HTML and one small SVG bar per membership), so it reads without
JavaScript. What the sources do not say is drawn as unknown, not guessed:
- a membership with no start of its own is dashed from the earliest it can have begun (its
  alliance's start, else the axis's start) and says "start unknown";
- a span still in force when its dataset's coverage ends (`end_kind` censored) is solid to
  `coverage_end` and pale after it, "in force at dataset end (2012)";
- an end not known (or known to have come, at no known date) is pale from the start on;
- a membership with neither start nor end has no bar: "dates unknown".
Each bar and name links the alliance's page.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import AllianceCitation
from milidip.dates import EndKind
from milidip.embeds.rendering import attribution, embed_response, public_sources, record_embed
from milidip.embeds.spans import end_text, start_text
from milidip.explore.dossier import country_dossier
from milidip.pages.records import year_of

ROWS_SHOWN = 60
# At most this many labelled steps on the axis, so that labels fit at 320 px.
AXIS_STEPS = 8
STEP_YEARS = (5, 10, 20, 25, 50, 100)


def last_year_of(value):
    """The last year a partial date can mean ("195", the 1950s: 1959), or None."""
    year = year_of(value)
    if year is None:
        return None
    return year + 9 if len(value.split("-")[0]) == 3 else year


def axis(first, last):
    """(start, stop, step, labels): an axis of round years holding `first`..`last`."""
    span = max(last - first, 1)
    step = next((s for s in STEP_YEARS if span / s <= AXIS_STEPS), STEP_YEARS[-1])
    start = first // step * step
    stop = -(-(last + 1) // step) * step
    return start, stop, step, list(range(start, stop, step))


def segments(membership, first_possible, last):
    """The parts of a membership's bar as (kind, from year, to year): "known" where the sources
    place it, "unknown-start" where it may or may not have begun yet, "open" where it may or
    may not have ended."""
    start = year_of(membership.start)
    end = last_year_of(membership.end)
    if start is None and end is None:
        return []
    if start is None:
        return [("unknown-start", first_possible, end + 1)]
    if end is not None:
        return [("known", start, end + 1)]
    if membership.end_kind == EndKind.CENSORED and membership.coverage_end:
        covered = last_year_of(membership.coverage_end)
        return [("known", start, covered + 1), ("open", covered + 1, last)]
    # Ended at no known date, or not known whether it ended: only its start is placed.
    return [("known", start, start + 1), ("open", start + 1, last)]


def timeline_rows(memberships, this_year):
    """The rows and axis of the timeline; bars as percentages of the axis (SVG attributes,
    since the CSP allows no inline style)."""
    years = [
        year
        for m in memberships
        for year in (
            year_of(m.start),
            year_of(m.alliance.start),
            last_year_of(m.end),
            last_year_of(m.coverage_end),
        )
        if year is not None
    ]
    if not years:
        return {"rows": [{"membership": m, "bars": []} for m in memberships], "axis": None}
    start, stop, step, labels = axis(min(years), max(max(years), this_year))
    width = stop - start

    def percent(year):
        return round(100 * (min(max(year, start), stop) - start) / width, 2)

    rows = []
    for membership in memberships:
        first_possible = year_of(membership.alliance.start) or start
        bars = [
            {"kind": kind, "x": percent(a), "width": round(max(percent(b) - percent(a), 0.6), 2)}
            for kind, a, b in segments(membership, first_possible, stop)
            if b > a
        ]
        rows.append(
            {
                "membership": membership,
                "bars": bars,
                "start": start_text(membership.start),
                "end": end_text(membership),
                "undated": not membership.start and not membership.end,
            }
        )
    grid = [round(100 * (year - start) / width, 2) for year in labels[1:]]
    return {"rows": rows, "axis": {"labels": labels, "grid": grid, "step": step, "stop": stop}}


@record_embed
def country_timeline(request, kind, country):
    memberships = (
        country_dossier(country, None)["alliances"]
        .annotate(
            undated=ExpressionWrapper(Q(start="", end=""), output_field=BooleanField()),
            no_start=ExpressionWrapper(Q(start=""), output_field=BooleanField()),
        )
        .order_by("undated", "no_start", "start", "end", "alliance__start", "alliance__name", "pk")
    )
    total = memberships.count()
    shown = list(memberships[:ROWS_SHOWN]) if total else []
    alliance_ids = {membership.alliance_id for membership in shown}
    sources = public_sources(
        AllianceCitation.objects.filter(record__in=alliance_ids).values("source")
    )
    context = attribution(request, country, kind, sources)
    context.update(
        {
            "country": country,
            "heading": _("%(country)s: alliance memberships") % {"country": country.name},
            "timeline": timeline_rows(shown, timezone.now().year),
            "total": total,
            "more": total - len(shown),
        }
    )
    return embed_response(request, "embeds/timeline.html", context)
