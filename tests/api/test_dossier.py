"""The dossier /api/v1/countries/<code>/dossier/: everything involving a country, compared with
what the database holds."""

import pytest

from alliances.models import Country, Membership, Treaty
from missions.models import Challenge, ExerciseParticipant, Mission, MissionContribution
from tests.api.helpers import API, assert_error, new_country
from tests.factories import CountryFactory, ExerciseFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

GROUPS = [
    "country",
    "alliances",
    "treaties",
    "exercises",
    "missions_hosted",
    "mission_contributions",
    "challenges",
    "un_personnel",
]


def dossier_url(code):
    return f"{API}countries/{code}/dossier/"


def expected_dossier(code):
    """The dossier's content for anonymous callers, straight from the ORM."""
    country = Country.objects.get(code=code)
    published = {"status": "published"}
    return {
        "alliances": sorted(
            (m.alliance.slug, m.role)
            for m in Membership.objects.filter(country=country, alliance__status="published")
        ),
        "treaties": sorted(
            Treaty.objects.filter(parties=country, **published).values_list("slug", flat=True)
        ),
        "exercises": sorted(
            (p.exercise.slug, p.role)
            for p in ExerciseParticipant.objects.filter(
                country=country, exercise__status="published"
            )
        ),
        "missions_hosted": sorted(
            Mission.objects.filter(hosts=country, **published).values_list("slug", flat=True)
        ),
        "mission_contributions": sorted(
            (c.mission.slug, c.unit, c.personnel)
            for c in MissionContribution.objects.filter(
                country=country, mission__status="published"
            )
        ),
        "challenges": sorted(
            Challenge.objects.filter(countries=country, **published).values_list("slug", flat=True)
        ),
    }


def actual_dossier(data):
    return {
        "alliances": sorted((m["alliance"]["slug"], m["role"]) for m in data["alliances"]),
        "treaties": sorted(t["slug"] for t in data["treaties"]),
        "exercises": sorted(
            ((p["exercise"] or {}).get("slug"), p["role"]) for p in data["exercises"]
        ),
        "missions_hosted": sorted(m["slug"] for m in data["missions_hosted"]),
        "mission_contributions": sorted(
            (c["mission"]["slug"], c["unit"], c["personnel"]) for c in data["mission_contributions"]
        ),
        "challenges": sorted(c["slug"] for c in data["challenges"]),
    }


def test_dossier_of_south_korea_has_every_group(api):
    response = api.get(dossier_url("KOR"))
    assert response.status_code == 200
    data = response.json()
    assert list(data) == [*GROUPS, "totals", "lists"]
    assert data["country"] == {"code": "KOR", "name": "South Korea"}


@pytest.mark.parametrize("code", ["KOR", "USA", "JPN", "PRK", "LBN", "PHL"])
def test_dossier_matches_the_database(api, code):
    data = api.get(dossier_url(code)).json()
    assert actual_dossier(data) == expected_dossier(code)


def test_dossier_of_south_korea_against_the_curated_records(api):
    data = actual_dossier(api.get(dossier_url("KOR")).json())
    assert ("nato", "partner") in data["alliances"]
    assert ("european-union", "partner") in data["alliances"]
    assert ("rok-us-alliance", "founding-member") in data["alliances"]
    assert ("us-japan-rok-trilateral", "member") in data["alliances"]
    assert data["treaties"] == ["rok-us-cost-sharing-agreements", "rok-us-mutual-defense-treaty"]
    assert data["exercises"] == [
        ("foal-eagle", "participant"),
        ("nato-multinational-exercises", "participant"),
        ("rok-eu-joint-military-exercises", "participant"),
        ("rok-humanitarian-assistance-drills", "participant"),
        ("rok-us-bilateral-exercises", "participant"),
    ]
    assert data["missions_hosted"] == [
        "us-military-aid-to-south-korea",
        "us-military-presence-south-korea",
        "us-military-support-korean-war",
    ]
    assert {slug for slug, _, _ in data["mission_contributions"]} == {
        "rok-contributions-nato-led-missions",
        "rok-un-peacekeeping",
        "rok-peacekeeping-lebanon",
        "rok-peacekeeping-south-sudan",
        "rok-army-mission-iraq",
        "rok-humanitarian-assistance-afghanistan",
        "rok-humanitarian-assistance-haiti",
        "rok-disaster-relief-southeast-asia",
        "rok-military-training-assistance-uae",
    }
    assert "dokdo-takeshima-dispute" in data["challenges"]
    assert "terrorism-and-transnational-threats" not in data["challenges"]


def test_dossier_of_the_united_states_shows_its_28500_troops_in_korea(api):
    data = api.get(dossier_url("USA")).json()
    contributions = [(c["mission"]["slug"], c["personnel"]) for c in data["mission_contributions"]]
    assert sorted(contributions) == [
        ("us-military-aid-to-south-korea", None),
        ("us-military-presence-south-korea", 28500),
        ("us-military-support-korean-war", None),
    ]
    assert data["missions_hosted"] == []


def test_dossier_orders_treaties_by_signing_and_challenges_by_name(api):
    data = api.get(dossier_url("KOR")).json()
    treaties = [(t["signed"] or "", t["name"]) for t in data["treaties"]]
    assert treaties == sorted(treaties)
    names = [c["name"] for c in data["challenges"]]
    assert names == sorted(names)


def test_dossier_shows_the_role_a_country_plays_in_an_exercise(api):
    exercise = ExerciseFactory(slug="hosted-by-korea", start="2020")
    ParticipantFactory(exercise=exercise, country=CountryFactory(code="KOR"), role="host")
    data = api.get(dossier_url("KOR")).json()
    assert {
        "exercise": {
            "slug": "hosted-by-korea",
            "name": exercise.name,
            "kind": "exercise",
            "start": "2020",
            "start_earliest": "2020-01-01",
            "start_latest": "2020-12-31",
        },
        "role": "host",
    } in data["exercises"]


def test_dossier_hides_drafts_from_anonymous_callers_and_shows_them_to_curators(api, curator):
    draft = ExerciseFactory(slug="draft-drill", status="draft")
    ParticipantFactory(exercise=draft, country=CountryFactory(code="KOR"), role="participant")
    anonymous = actual_dossier(api.get(dossier_url("KOR")).json())
    assert "draft-drill" not in {slug for slug, _ in anonymous["exercises"]}
    assert anonymous == expected_dossier("KOR")
    curated = actual_dossier(curator.get(dossier_url("KOR")).json())
    assert ("draft-drill", "participant") in curated["exercises"]


def test_dossier_of_a_draft_country_is_a_404_for_anonymous_callers(api, curator):
    country = new_country(status="draft")
    assert_error(api.get(dossier_url(country.code)), 404)
    assert curator.get(dossier_url(country.code)).status_code == 200


def test_dossier_of_a_country_with_no_records_has_empty_groups(api):
    country = new_country()
    data = api.get(dossier_url(country.code)).json()
    assert data["country"]["code"] == country.code
    assert all(data[group] == [] for group in GROUPS[1:-1])
    personnel = data["un_personnel"]
    assert (personnel["months"], personnel["first_month"], personnel["troop_months"]) == (
        0,
        None,
        None,
    )
    assert personnel["url"].endswith(f"/countries/{country.code}/contributions/")


def test_dossier_of_an_unknown_country_is_a_404(api):
    assert_error(api.get(dossier_url("ZZZ")), 404)


def test_dossier_takes_no_filter_parameters(api):
    assert_error(api.get(dossier_url("KOR"), {"year_from": 2000}), 400, "year_from")


def test_dossier_as_csv_is_not_a_500(api):
    response = api.get(dossier_url("KOR"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_a_large_group_shows_its_first_records_its_total_and_its_list(api, monkeypatch):
    """At the United States' size a dossier cannot hold every exercise: each group shows at
    most SECTION_LIMIT (3 here), in its list's order, with the total and the list's link."""
    from milidip.explore import dossier

    monkeypatch.setattr(dossier, "SECTION_LIMIT", 3)
    country = new_country()
    for year in range(2001, 2006):
        ParticipantFactory(exercise=ExerciseFactory(start=str(year)), country=country)
    data = api.get(dossier_url(country.code)).json()
    assert data["totals"]["exercises"] == 5
    assert len(data["exercises"]) == 3
    whole = api.get(data["lists"]["exercises"]).json()
    assert whole["count"] == 5
    assert [p["exercise"]["slug"] for p in data["exercises"]] == [
        e["slug"] for e in whole["results"][:3]
    ]
    assert data["totals"]["treaties"] == 0 and data["treaties"] == []
    for group, url in data["lists"].items():
        listed = api.get(url)
        assert listed.status_code == 200, group
        assert listed.json()["count"] == data["totals"][group], group


def test_a_large_groups_total_is_kept_for_each_kind_of_reader_until_a_write(
    api, curator, shared_cache, committed, monkeypatch
):
    """A large group's total is kept under the data version for anonymous readers, apart for
    each country, and a write moves it; a curator's is counted afresh and counts a draft
    exercise the anonymous reader's leaves out. A group whose query changed (a new release)
    has totals of its own."""
    from milidip.explore import dossier

    monkeypatch.setattr(dossier, "SECTION_LIMIT", 3)
    with committed():
        country, other = new_country(), new_country()
        for year in range(2001, 2006):
            ParticipantFactory(exercise=ExerciseFactory(start=str(year)), country=country)
        for year in range(2001, 2005):
            ParticipantFactory(exercise=ExerciseFactory(start=str(year)), country=other)
        ParticipantFactory(exercise=ExerciseFactory(status="draft"), country=country)

    def total(client, code):
        # Asked afresh: the view reads the dossier (not the read cache's whole answer).
        response = client.get(dossier_url(code), HTTP_CACHE_CONTROL="no-cache")
        return response.json()["totals"]["exercises"]

    assert total(api, country.code) == 5
    assert total(curator, country.code) == 6
    assert total(api, country.code) == 5
    assert total(api, other.code) == 4
    with committed():
        ParticipantFactory(exercise=ExerciseFactory(start="2007"), country=country)
    assert total(api, country.code) == 6
    assert total(curator, country.code) == 7
    # A release whose group query differs (here: from 2003 on) reads no total the last one kept.
    original = dossier.country_dossier

    def from_2003(country, user):
        groups = original(country, user)
        groups["exercises"] = groups["exercises"].filter(exercise__start__gte="2003")
        return groups

    monkeypatch.setattr(dossier, "country_dossier", from_2003)
    monkeypatch.setattr(dossier, "GROUP_QUERIES", {})
    assert total(api, country.code) == 4


def test_the_dossier_has_every_groups_total_and_list(api):
    data = api.get(dossier_url("KOR")).json()
    # un_personnel is a summary, not a group of records.
    assert set(data["totals"]) == set(data["lists"]) == set(GROUPS[1:-1])
    for group in GROUPS[1:-1]:
        assert data["totals"][group] == len(data[group])
