"""A mission's uniformed personnel month by month: `/embed/missions/<slug>/strength/`.

The IPI Peacekeeping Database's monthly strengths (missions.MissionStrength), drawn on the
server as one SVG line with its figures in a table beside it (for screen readers, and for
anyone who wants the numbers), so it reads without JavaScript. Months IPI reports outside the
mission's dates (`outside_mission_dates`) are not drawn as the mission's, as on the API's
default reading; the chart says how many were left out. A month with no total breaks the line
rather than being drawn as zero.
"""

from django.utils.translation import gettext as _

from milidip.embeds.rendering import attribution, embed_response, public_sources, record_embed

# The chart's frame, in SVG user units (it scales to the iframe's width).
WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 62, 12, 10, 28
# A mission's series is at most a few hundred months (IPI: 1990 to 2014); a bound all the same.
MONTHS_SHOWN = 1200
YEAR_LABELS = 6


def month_number(month):
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def nice_ceiling(value):
    """A round number at or above `value` for the top of the y axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return int(factor * magnitude)
    return 10 * magnitude


def chart(points):
    """The SVG's geometry: the line as path data (broken at months without a total), the
    y axis's ticks and the x axis's years, in user units."""
    dated = [(month_number(point.month), point.total) for point in points]
    first, last = dated[0][0], dated[-1][0]
    top = nice_ceiling(max((total or 0) for _, total in dated))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(number):
        return round(LEFT + plot_width * (number - first) / max(last - first, 1), 1)

    def y(value):
        return round(TOP + plot_height * (1 - value / top), 1)

    path, previous = [], None
    for number, total in dated:
        if total is None:
            previous = None
            continue
        command = "L" if previous is not None and number - previous == 1 else "M"
        path.append(f"{command}{x(number)} {y(total)}")
        previous = number
    first_year, last_year = first // 12, last // 12
    step = max(1, -(-(last_year - first_year + 1) // YEAR_LABELS))
    years = [
        {"label": year, "x": x(max(year * 12, first))}
        for year in range(first_year, last_year + 1, step)
    ]
    ticks = [{"label": f"{value:,}", "y": y(value)} for value in (0, top // 2, top)]
    return {
        "path": " ".join(path),
        "single": len(path) == 1,
        "dot": path[0][1:].split() if len(path) == 1 else None,
        "years": years,
        "ticks": ticks,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "width": WIDTH,
        "height": HEIGHT,
    }


def summary(mission, points):
    """One sentence saying what the chart shows, for its <desc> and for the page."""
    totals = [point for point in points if point.total is not None]
    if not totals:
        return _("No month of %(mission)s has a total.") % {"mission": mission}
    peak = max(totals, key=lambda point: point.total)
    return _(
        "Uniformed personnel of %(mission)s at the end of each month from %(first)s to "
        "%(last)s: at most %(peak)s (%(peak_month)s); %(latest)s in %(last)s."
    ) % {
        "mission": mission,
        "first": points[0].month,
        "last": totals[-1].month,
        "peak": f"{peak.total:,}",
        "peak_month": peak.month,
        "latest": f"{totals[-1].total:,}",
    }


@record_embed
def mission_strength(request, kind, mission):
    strengths = mission.strengths.filter(source__status="published")
    points = list(strengths.filter(outside_mission_dates=False).order_by("month")[:MONTHS_SHOWN])
    context = attribution(
        request, mission, kind, public_sources({point.source_id for point in points})
    )
    context.update(
        {
            "mission": mission,
            "heading": _("%(mission)s: uniformed personnel by month") % {"mission": mission},
            "points": points,
            "chart": chart(points) if points else None,
            "summary": summary(mission, points) if points else "",
            "left_out": strengths.filter(outside_mission_dates=True).count(),
        }
    )
    return embed_response(request, "embeds/strength.html", context)
