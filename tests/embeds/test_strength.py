"""A mission's monthly strength: the IPI figures as an SVG line and a table, months outside the
mission's dates left out and counted, a gap where a month is missing, a clear empty state."""

import re

import pytest

from milidip.embeds.strength import nice_ceiling
from milidip.records import Status
from milidip.sources.models import Source
from missions.models import Mission, MissionStrength
from tests.embeds.helpers import changed, page, text
from tests.factories import MissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ipi():
    return Source.objects.create(
        slug="ipi-test",
        title="IPI Peacekeeping Database (test)",
        kind=Source.Kind.DATASET,
        collection=Source.Collection.IPI,
        licence="CC BY 4.0",
        status=Status.PUBLISHED,
    )


def strength(mission, month, total, source, **fields):
    return MissionStrength.objects.create(
        mission=mission,
        month=month,
        total=total,
        source=source,
        locator=f"test.csv:{month}",
        **fields,
    )


@pytest.fixture
def mission(ipi):
    mission = MissionFactory(name="Test Force", start="2000-01")
    for month, total in [("2000-01", 100), ("2000-02", 250), ("2000-03", 300), ("2000-05", 280)]:
        strength(mission, month, total, ipi, troops=total - 10, police=10)
    strength(mission, "1999-12", 999, ipi, outside_mission_dates=True)
    return mission


def test_the_chart_draws_each_month_and_the_table_lists_them(client, mission):
    html = text(page(client, f"/embed/missions/{mission.slug}/strength/"))
    path = re.search(r'<path class="line" d="([^"]+)"', html).group(1)
    # April is missing: the line breaks there (a second M), it is not drawn through zero.
    assert path.count("M") == 2 and path.count("L") == 2
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert re.findall(r'<th scope="row">([\d-]+)</th>', body) == [
        "2000-01",
        "2000-02",
        "2000-03",
        "2000-05",
    ]
    assert "999" not in body and "1 month IPI reports outside the mission" in html
    assert "at most 300 (2000-03)" in html  # the summary, in <desc> and the caption
    assert 'role="img"' in html and "<desc" in html
    footer = html.split('<footer class="attribution">')[1]
    assert "IPI Peacekeeping Database (test)" in footer and "CC BY 4.0" in footer


def test_no_figures_is_a_clear_empty_state(client):
    mission = Mission.objects.published().first()
    html = text(page(client, f"/embed/missions/{mission.slug}/strength/"))
    assert "No monthly strength is recorded for this mission" in html
    assert "<svg" not in html and "<table" not in html


def test_a_draft_mission_is_a_404_and_figures_from_a_draft_source_are_not_drawn(
    client, mission, ipi
):
    Source.objects.filter(pk=ipi.pk).update(status=Status.DRAFT)
    changed()
    html = text(page(client, f"/embed/missions/{mission.slug}/strength/"))
    assert "No monthly strength" in html and "IPI Peacekeeping Database (test)" not in html
    Mission.objects.filter(pk=mission.pk).update(status=Status.DRAFT)
    changed()
    page(client, f"/embed/missions/{mission.slug}/strength/", status=404)


def test_the_y_axis_tops_at_a_round_number():
    assert [nice_ceiling(n) for n in (0, 7, 13, 101, 13_539, 40_000)] == [
        1,
        10,
        20,
        200,
        20_000,
        50_000,
    ]


def test_the_chart_costs_a_fixed_number_of_queries(
    client, mission, ipi, django_assert_max_num_queries
):
    for year in range(2001, 2011):
        for month in range(1, 13):
            strength(mission, f"{year}-{month:02d}", year, ipi)
    with django_assert_max_num_queries(5):
        html = text(page(client, f"/embed/missions/{mission.slug}/strength/"))
    assert html.count('<th scope="row">') == 124
