"""The atop import: ATOP v4.01, alliance level and member level.

Counted from seeds/datasets/ with a CSV parser: 745 alliances (one row each, 394 with a cow4id,
cow4id 300 twice) and 2,398 member-level rows. One row names member 8152, which is no COW state
(ATOP 1320, France's 1874 treaty with Annam): it is reported and skipped, so 2,397 rows import.
Seven pairs of rows give a member entering two phases of an alliance the same day (1993-01-01,
Czechoslovakia's split) and make one membership each: 2,390 memberships. Four ATOP alliances
are curated records (3240 rok-us-alliance, 3180 nato, 3375 us-japan-alliance, 4365
rok-russia-strategic-partnership): 741 are created.
"""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.management.base import CommandError

from alliances.models import Alliance, AllianceCitation, Membership
from milidip.datasets.importers import atop
from milidip.records import Status
from milidip.sources.claims import resolve
from milidip.sources.models import Source
from milidip.sources.provenance import provenance_problems
from tests.datasets.conftest import DATASETS_DIR, summary

pytestmark = pytest.mark.django_db

ALLIANCES = 745
CREATED = 741
ROWS = 2398
IMPORTED_ROWS = ROWS - 1
MEMBERSHIPS = IMPORTED_ROWS - 7
WITH_COW4ID = 394
ALLIANCE_FILE = "atop4_alliance_level.csv"
MEMBER_FILE = "atop4_01_member_level.csv"
REASON = "import atop"
OBLIGATIONS = ("defence", "offence", "neutrality", "non_aggression", "consultation")
PROVISIONS = ("military_aid", "bases", "organisation")


@pytest.fixture
def imported(import_dataset):
    """Import cow-states, then atop from `files` (the real ones by default); returns atop's
    Output."""

    def run(*args, **options):
        import_dataset("cow-states")
        return import_dataset("atop", *args, **options)

    return run


def obligations(record):
    return tuple(getattr(record, name) for name in OBLIGATIONS)


def provisions(record):
    return tuple(getattr(record, name) for name in PROVISIONS)


def locators(alliance):
    return sorted(
        alliance.citations.filter(source__collection="atop").values_list("locator", flat=True)
    )


def members(alliance):
    return sorted(
        (m.country.cow_code, m.role, m.start, m.end, m.phase, *obligations(m))
        for m in alliance.memberships.select_related("country")
    )


def test_the_real_files_import_every_alliance_and_member_row_and_a_second_run_is_a_no_op(
    imported, import_dataset, stored
):
    output = imported()
    assert Alliance.objects.filter(atop_id__isnull=False).count() == ALLIANCES
    assert Alliance.objects.filter(slug__startswith="atop-").count() == CREATED
    assert Alliance.objects.filter(slug__startswith="atop-", status=Status.PUBLISHED).count() == (
        CREATED
    )
    atop_memberships = Membership.objects.filter(alliance__atop_id__isnull=False)
    assert atop_memberships.exclude(role=Membership.Role.PARTNER).count() == MEMBERSHIPS
    assert AllianceCitation.objects.filter(source__collection="atop").count() == (
        ALLIANCES + IMPORTED_ROWS
    )
    assert output.err == (
        f"seeds/datasets/{MEMBER_FILE}:203: unknown country: no country has COW code 8152\n"
    )
    assert summary(output, "alliances.Alliance") == "741 created, 4 updated, 0 unchanged, 0 skipped"
    assert summary(output, "alliances.Membership") == (
        "2384 created, 0 updated, 6 unchanged, 1 skipped"
    )
    assert summary(output, "alliances.AllianceCitation") == (
        "3142 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert f"atop: {WITH_COW4ID} alliances name a COW alliance (cow4id) that is not stored" in (
        output.out
    )
    assert not Alliance.objects.filter(cow_alliance__isnull=False).exists()
    assert list(provenance_problems()) == []

    # A new alliance, field by field: the Final Act of Helsinki (59 members, two phases).
    helsinki = Alliance.objects.get(atop_id=3740)
    assert (helsinki.slug, helsinki.short_name, helsinki.kind) == (
        "atop-3740",
        "ATOP 3740",
        Alliance.Kind.NON_AGGRESSION_PACT,
    )
    assert helsinki.name == (
        "Non-aggression pact of United States, Canada, United Kingdom, Ireland and 55 others (1975)"
    )
    assert (helsinki.start, helsinki.end, helsinki.cow_id, helsinki.cow_alliance) == (
        "1975-08-01",
        "",
        None,
        None,
    )
    assert obligations(helsinki) == (False, False, False, True, False)
    assert provisions(helsinki) == (False, False, True)
    assert helsinki.entente is None
    assert helsinki.memberships.filter(country__code="USA").count() == 2
    assert sorted(
        helsinki.memberships.filter(country__code="USA").values_list("start", "end", "phase")
    ) == [("1975-08-01", "1990-11-21", 1), ("1990-11-21", "", 2)]
    entry = helsinki.history.get()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "+",
        REASON,
        None,
    )
    # Blank milaid, base and organ1 are not known: None (ATOP 1140, row 30; 3538, row 331).
    assert provisions(Alliance.objects.get(atop_id=1140)) == (None, None, None)
    assert provisions(Alliance.objects.get(atop_id=3538)) == (False, None, True)
    # An unknown day: the date stops at the month (ATOP 1035 ends 1822-12, no day).
    assert Alliance.objects.get(atop_id=1035).end == "1822-12"
    # The member that is no COW state is named, not imported.
    annam = Alliance.objects.get(atop_id=1320)
    assert annam.name == "Defence pact of France and member 8152 (1874)"
    assert members(annam) == [
        (220, "member", "1874-03-15", "1883-08-25", None, True, False, False, False, False)
    ]
    assert locators(annam) == [f"{MEMBER_FILE}:202", f"{ALLIANCE_FILE}:68"]
    # Romania enters phases 2 and 3 of ATOP 3610 on 1993-01-01: one membership, both rows.
    treaty = Alliance.objects.get(atop_id=3610)
    assert (
        treaty.name == "Defence pact of Czechoslovakia, Romania, Czech Republic and Slovakia (1968)"
    )
    assert members(treaty) == [
        (315, "member", "1968-08-16", "1992-12-31", 1, True, False, False, False, False),
        (316, "member", "1993-01-01", "1994-06-22", 3, True, False, False, False, False),
        (317, "member", "1993-01-01", "1993-09-24", 2, True, False, False, False, False),
        (360, "member", "1968-08-16", "1992-12-31", 1, True, False, False, False, False),
        (360, "member", "1993-01-01", "1994-06-22", 2, True, False, False, False, False),
    ]
    romania = treaty.memberships.get(country__cow_code=360, start="1993-01-01")
    assert romania.note == (
        "ATOP codes phases 2 and 3 from this day (member-level rows 1137 and 1138)."
    )
    assert {f"{MEMBER_FILE}:1137", f"{MEMBER_FILE}:1138"} <= set(locators(treaty))

    before = stored()
    again = import_dataset("atop")
    assert stored() == before, "no record and no history entry is written"
    assert summary(again, "alliances.Alliance") == "0 created, 0 updated, 745 unchanged, 0 skipped"
    assert summary(again, "alliances.Membership") == (
        "0 created, 0 updated, 2390 unchanged, 1 skipped"
    )
    assert summary(again, "alliances.AllianceCitation") == (
        "0 created, 0 updated, 3142 unchanged, 0 skipped"
    )
    assert summary(again, "sources.Source") == "0 created, 0 updated, 2 unchanged, 0 skipped"


def test_the_curated_alliances_are_enriched_not_duplicated(imported):
    curated = {
        slug: (
            Alliance.objects.get(slug=slug),
            members(Alliance.objects.get(slug=slug)),
        )
        for slug in atop.CURATED.values()
    }
    imported()
    assert not Alliance.objects.filter(
        slug__in=[f"atop-{atop_id}" for atop_id in atop.CURATED]
    ).exists()

    korea = Alliance.objects.get(atop_id=3240)
    before, _ = curated["rok-us-alliance"]
    assert korea.slug == "rok-us-alliance"
    for name in ("name", "short_name", "kind", "description", "end", "status"):
        assert getattr(korea, name) == getattr(before, name), name
    assert korea.start == "1953-10-01", "ATOP's day refines the article's year"
    assert obligations(korea) == (True, False, False, True, True)
    assert provisions(korea) == (False, True, False)
    assert korea.cow_alliance is None
    assert members(korea) == [
        (2, "founding-member", "1953-10-01", "", None, True, False, False, True, True),
        (732, "founding-member", "1953-10-01", "", None, True, False, False, True, True),
    ]
    assert set(korea.memberships.values_list("note", flat=True)) == {
        "Signed the Mutual Defense Treaty in 1953."
    }
    assert locators(korea) == [f"{MEMBER_FILE}:921", f"{MEMBER_FILE}:922", f"{ALLIANCE_FILE}:267"]
    assert korea.citations.filter(source__kind=Source.Kind.ARTICLE).exists()
    entry = korea.history.first()
    assert (entry.history_type, entry.history_change_reason) == ("~", REASON)

    japan = Alliance.objects.get(atop_id=3375)
    assert japan.slug == "us-japan-alliance"
    assert (japan.name, japan.short_name, japan.kind) == (
        "United States–Japan alliance",
        "",
        Alliance.Kind.DEFENCE_PACT,
    )
    assert (japan.start, japan.end) == ("1960-01-19", ""), "blank dates are filled"
    assert obligations(japan) == (True, False, False, True, True)
    assert provisions(japan) == (False, True, True)
    assert members(japan) == [
        (2, "member", "1960-01-19", "", None, True, False, False, True, True),
        (740, "member", "1960-01-19", "", None, False, False, False, True, True),
    ]
    assert locators(japan) == [f"{MEMBER_FILE}:997", f"{MEMBER_FILE}:998", f"{ALLIANCE_FILE}:295"]
    assert Alliance.objects.get(atop_id=3220).slug == "atop-3220", "the 1951 treaty is apart"

    nato = Alliance.objects.get(atop_id=3180)
    assert (nato.slug, nato.name, nato.kind) == (
        "nato",
        "North Atlantic Treaty Organization",
        Alliance.Kind.COLLECTIVE_DEFENCE,
    )
    assert (nato.start, nato.end) == ("1949-04-04", "")
    assert obligations(nato) == (True, False, False, True, True)
    assert provisions(nato) == (False, True, True)
    assert nato.memberships.filter(role=Membership.Role.MEMBER).count() == 42
    assert nato.memberships.filter(country__code="USA").count() == 2
    partner = nato.memberships.get(country__code="KOR")
    assert (partner.role, obligations(partner)) == (Membership.Role.PARTNER, (None,) * 5)
    assert len(locators(nato)) == 1 + 42

    # The 1992 treaty between Russia and South Korea founds the curated partnership: ATOP 4365
    # fills its blank dates and obligations and dates its two curated memberships, never its
    # name or kind.
    russia = Alliance.objects.get(atop_id=4365)
    assert (russia.slug, russia.name, russia.kind) == (
        "rok-russia-strategic-partnership",
        "South Korea–Russia strategic partnership",
        Alliance.Kind.STRATEGIC_PARTNERSHIP,
    )
    assert (russia.start, russia.end) == ("1992-11-19", "")
    assert obligations(russia) == (False, False, False, True, False)
    assert provisions(russia) == (False, False, False)
    assert members(russia) == [
        (365, "member", "1992-11-19", "", None, False, False, False, True, False),
        (732, "member", "1992-11-19", "", None, False, False, False, True, False),
    ]
    assert locators(russia) == [
        f"{MEMBER_FILE}:1796",
        f"{MEMBER_FILE}:1797",
        f"{ALLIANCE_FILE}:550",
    ]
    assert russia.citations.filter(source__kind=Source.Kind.ARTICLE).count() == 5


def test_a_curators_resolution_is_never_replaced_even_with_overwrite(imported, tmp_path):
    japan = Alliance.objects.get(slug="us-japan-alliance")
    for field, value in (("members/JPN/start", "1952"), ("members/JPN/consultation", False)):
        resolve(record=japan, field=field, value=value, reason="A curator's choice.", user=None)
    alliances = excerpt(tmp_path, ALLIANCE_FILE, [295])
    members_file = excerpt(tmp_path, MEMBER_FILE, [997, 998])
    imported(file=[str(alliances), str(members_file)], overwrite=True)
    japan = Alliance.objects.get(slug="us-japan-alliance")
    assert members(japan) == [
        (2, "member", "1960-01-19", "", None, True, False, False, True, True),
        (740, "member", "1952", "", None, False, False, False, True, False),
    ]


def test_a_curators_edit_is_kept_unless_overwrite(imported, import_dataset):
    imported()
    curator = User.objects.create_user("curator")
    treaty = Alliance.objects.get(atop_id=1005)
    treaty.name = "Secret treaty of Vienna"
    treaty._history_user = curator
    treaty.save()
    membership = Membership.objects.get(alliance=treaty, country__code="GBR")
    # A claimed field is the claims': a curator's choice of another value is a resolution.
    resolve(record=treaty, field="members/GBR/end", value="1815-03", reason="A test.", user=curator)

    output = import_dataset("atop")
    treaty.refresh_from_db()
    membership.refresh_from_db()
    assert (treaty.name, membership.end) == ("Secret treaty of Vienna", "1815-03")
    assert "skipped alliances.Alliance ATOP 1005: name changed by curator on " in output.out
    assert "the dataset says name 'Defence pact of United Kingdom, France, Austria-Hungary, " in (
        output.out
    )
    assert summary(output, "alliances.Alliance") == "0 created, 0 updated, 744 unchanged, 1 skipped"
    assert summary(output, "alliances.Membership") == (
        "0 created, 0 updated, 2390 unchanged, 1 skipped"
    )

    output = import_dataset("atop", overwrite=True)
    treaty.refresh_from_db()
    membership.refresh_from_db()
    assert treaty.name == (
        "Defence pact of United Kingdom, France, Austria-Hungary, Bavaria and 2 others (1815)"
    )
    assert membership.end == "1815-03", "--overwrite is not a claim: the resolution stands"
    entry = treaty.history.first()
    assert (entry.history_user, entry.history_change_reason) == (None, REASON)
    assert "overwrote alliances.Alliance ATOP 1005: name 'Secret treaty of Vienna' -> " in (
        output.out
    )
    assert summary(output, "alliances.Alliance") == "0 created, 1 updated, 744 unchanged, 0 skipped"


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(imported, stored, import_dataset):
    import_dataset("cow-states")
    before = stored()
    output = import_dataset("atop", dry_run=True)
    assert stored() == before
    assert "atop: done in" in output.out and "(dry run: nothing was written)" in output.out
    assert summary(output, "alliances.Alliance") == "741 created, 4 updated, 0 unchanged, 0 skipped"
    assert "would update alliances.Alliance US-South Korea alliance: atop_id None -> 3240" in (
        output.out
    )
    assert (
        "would update alliances.Alliance US-South Korea alliance: bases None -> True, "
        "military_aid None -> False, neutrality None -> False, non_aggression None -> True, "
        "offence None -> False, organisation None -> False, start '1953' -> '1953-10-01'"
        in output.out
    )
    assert not Alliance.objects.filter(atop_id__isnull=False).exists()


def test_without_cow_states_the_run_stops_before_writing(import_dataset, stored):
    before = stored()
    with pytest.raises(CommandError, match="no stored country has a COW code"):
        import_dataset("atop")
    assert stored() == before


def test_an_atop_alliance_links_to_the_cow_alliance_it_names(import_dataset):
    import_dataset("cow-states")
    import_dataset("cow-alliances")
    output = import_dataset("atop")
    assert "not stored" not in output.out
    with open(DATASETS_DIR / ALLIANCE_FILE, newline="") as data:
        cow4ids = {
            int(row["atopid"]): int(row["cow4id"])
            for row in csv.DictReader(data)
            if row["cow4id"].strip()
        }
    assert len(cow4ids) == WITH_COW4ID
    # One record per alliance: an ATOP alliance naming a COW alliance is that record, unless
    # another ATOP alliance is (then it is linked to it).
    merged = Alliance.objects.filter(atop_id__in=cow4ids, cow_id__isnull=False)
    linked = Alliance.objects.filter(atop_id__isnull=False, cow_alliance__isnull=False)
    assert {alliance.atop_id: alliance.cow_id for alliance in merged} | {
        alliance.atop_id: alliance.cow_alliance.cow_id
        for alliance in linked.select_related("cow_alliance")
    } == cow4ids
    assert merged.count() == WITH_COW4ID - 2
    assert sorted(linked.values_list("atop_id", flat=True)) == [3220, 3810]
    # The curated records are the COW alliance and the ATOP alliance at once.
    for atop_id, slug, cow_id in ((3240, "rok-us-alliance", 236), (3180, "nato", 227)):
        alliance = Alliance.objects.get(atop_id=atop_id)
        assert (alliance.slug, alliance.cow_id, alliance.cow_alliance) == (slug, cow_id, None)
    # ATOP 3220, the 1951 Security Treaty, is COW 233, which COW carries on to today and the
    # cow-alliances import reconciles with the curated US-Japan alliance (ATOP 3375).
    first = Alliance.objects.get(atop_id=3220)
    assert (first.slug, first.cow_alliance.slug) == ("atop-3220", "us-japan-alliance")
    assert Alliance.objects.get(slug="us-japan-alliance").atop_id == 3375
    # Two ATOP alliances name COW 300: the first by start (3785, 1977) is its record.
    assert Alliance.objects.get(cow_id=300).atop_id == 3785
    assert Alliance.objects.get(atop_id=3810).cow_alliance.cow_id == 300
    assert summary(output, "alliances.Alliance") == (
        f"{CREATED - (WITH_COW4ID - 4)} created, {4 + WITH_COW4ID - 4} updated, 0 unchanged, "
        "0 skipped"
    )
    assert "atop: 390 alliances are codings of the COW alliance they name (cow4id)" in output.out


def test_the_link_to_cow_is_made_by_a_later_run_when_cow_alliances_came_after(
    imported, import_dataset, tmp_path
):
    alliances = excerpt(tmp_path, ALLIANCE_FILE, [262, 395, 401])
    members_file = excerpt(tmp_path, MEMBER_FILE, [907, 908, *range(1366, 1373)])
    files = [str(alliances), str(members_file)]
    output = imported(file=files)
    assert "atop: 3 alliances name a COW alliance (cow4id) that is not stored" in output.out
    assert not Alliance.objects.filter(cow_alliance__isnull=False).exists()
    import_dataset("cow-alliances")
    output = import_dataset("atop", file=files)
    assert "not stored" not in output.out
    assert summary(output, "alliances.Alliance") == "0 created, 3 updated, 0 unchanged, 0 skipped"
    # Made before cow-alliances came, they stay records of their own, linked.
    assert sorted(
        Alliance.objects.filter(atop_id__isnull=False).values_list(
            "atop_id", "cow_alliance__cow_id"
        )
    ) == [(3220, 233), (3785, 300), (3810, 300)]


def excerpt(tmp_path, name, rows, extra=()):
    """A copy of a dataset file with its header, the given rows and extra lines, in order."""
    lines = (DATASETS_DIR / name).read_text().splitlines()
    path = tmp_path / name
    path.write_text("\n".join([lines[0], *(lines[number - 1] for number in rows), *extra]) + "\n")
    return path


def altered(name, row, **changes):
    """A row of a dataset file with some cells changed, as a CSV line."""
    lines = (DATASETS_DIR / name).read_text().splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[row - 1]]))
    for column, value in changes.items():
        cells[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def test_broken_rows_are_reported_and_skipped_and_the_rest_imports(imported, tmp_path):
    # Alliance-level rows 2-4: ATOP 1005, 1010 and 3240 as they are; then broken ones.
    alliances = excerpt(
        tmp_path,
        ALLIANCE_FILE,
        [2, 3, 267],
        [
            altered(ALLIANCE_FILE, 4, begmo="13"),  # 5: ATOP 1015
            altered(ALLIANCE_FILE, 5, cow4id="x"),  # 6: ATOP 1020
            altered(ALLIANCE_FILE, 6, defense="2"),  # 7: ATOP 1025
            "1030,,,1818",  # 8
            altered(ALLIANCE_FILE, 8, endyr="1700"),  # 9: ATOP 1035
            altered(ALLIANCE_FILE, 9, defense="0", offense="0"),  # 10: ATOP 1040
            altered(ALLIANCE_FILE, 3, begyr="1816"),  # 11: ATOP 1010 again
            altered(ALLIANCE_FILE, 10, milaid="-1", base="", organ1="2"),  # 12: ATOP 1045
        ],
    )
    member_rows = excerpt(
        tmp_path,
        MEMBER_FILE,
        [2, 3, 4, 5, 6, 7, 8, 9, 921, 922],  # rows 2-11: ATOP 1005, 1010, 3240
        [
            altered(MEMBER_FILE, 10, atopid="1015"),  # 12: its alliance row is bad
            altered(MEMBER_FILE, 10, atopid="9999"),  # 13
            altered(MEMBER_FILE, 10, atopid="1045", member="999"),  # 14
            altered(MEMBER_FILE, 10, atopid="1045", dayexit="31", moexit="2"),  # 15
            altered(MEMBER_FILE, 10, atopid="1045", phase="-1"),  # 16
            altered(MEMBER_FILE, 10, atopid="1045", defense="yes"),  # 17
            "1045,,,2",  # 18
            altered(MEMBER_FILE, 10, atopid="1045"),  # 19: fine
        ],
    )
    output = imported(file=[str(alliances), str(member_rows)])

    expected = [
        f"{alliances}:5: impossible start date: '1815-13-29' is not a real date",
        f"{alliances}:6: cow4id 'x' is not a whole number",
        f"{alliances}:7: defense '2' is not 0 or 1",
        f"{alliances}:8: 4 fields where the header has 141",
        f"{alliances}:9: it ends (1700-12) before it starts (1815-11-20)",
        f"{alliances}:10: no obligation: defense, offense, neutral, nonagg and consul are all 0",
        f"{alliances}:11: ATOP 1010 is already at row 3",
        f"{member_rows}:12: ATOP 1015's row in {ALLIANCE_FILE} is bad (see above)",
        f"{member_rows}:13: unknown alliance: ATOP 9999 is not in {ALLIANCE_FILE}",
        f"{member_rows}:14: unknown country: no country has COW code 999",
        f"{member_rows}:15: impossible end date: '1815-02-31' is not a real date",
        f"{member_rows}:16: phase -1 is not 0 or more",
        f"{member_rows}:17: defense 'yes' is not 0 or 1",
        f"{member_rows}:18: 4 fields where the header has 105",
    ]
    reported = output.err.splitlines()
    for line, start in zip(reported, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert f"{len(expected)} bad rows were skipped" in output.out

    assert sorted(
        Alliance.objects.filter(atop_id__isnull=False).values_list("atop_id", flat=True)
    ) == [
        1005,
        1010,
        1045,
        3240,
    ]
    assert provisions(Alliance.objects.get(atop_id=1045)) == (None, None, True)
    assert Membership.objects.filter(alliance__atop_id__in=[1005, 1010]).count() == 8
    assert members(Alliance.objects.get(atop_id=1045)) == [
        (300, "member", "1815-04-29", "1815-06-12", None, True, True, False, False, False)
    ]
    assert summary(output, "alliances.Alliance") == "3 created, 1 updated, 0 unchanged, 7 skipped"
    assert summary(output, "alliances.Membership") == (
        "9 created, 0 updated, 2 unchanged, 7 skipped"
    )
    assert not AllianceCitation.objects.filter(
        locator__in=[f"{ALLIANCE_FILE}:{row}" for row in range(5, 12)]
    ).exists()
    assert list(provenance_problems()) == []


def test_atop_3240_as_a_record_of_its_own_field_by_field(imported, tmp_path, monkeypatch):
    """Without the curated pairing ATOP 3240 is a new record; this shows all it says."""
    monkeypatch.setattr(atop, "CURATED", {})
    alliances = excerpt(tmp_path, ALLIANCE_FILE, [267])
    members_file = excerpt(tmp_path, MEMBER_FILE, [921, 922])
    output = imported(file=[str(alliances), str(members_file)])
    assert output.err == ""
    alliance = Alliance.objects.get(atop_id=3240)
    assert (alliance.slug, alliance.name, alliance.short_name, alliance.kind) == (
        "atop-3240",
        "Defence pact of United States and South Korea (1953)",
        "ATOP 3240",
        Alliance.Kind.DEFENCE_PACT,
    )
    assert (alliance.start, alliance.end, alliance.status) == ("1953-10-01", "", Status.PUBLISHED)
    assert obligations(alliance) == (True, False, False, True, True)
    assert provisions(alliance) == (False, True, False)
    assert (alliance.cow_id, alliance.cow_alliance, alliance.description) == (None, None, "")
    assert members(alliance) == [
        (2, "member", "1953-10-01", "", None, True, False, False, True, True),
        (732, "member", "1953-10-01", "", None, True, False, False, True, True),
    ]
    assert list(alliance.citations.order_by("locator").values_list("locator", "note")) == [
        (f"{MEMBER_FILE}:2", "Membership of United States"),
        (f"{MEMBER_FILE}:3", "Membership of South Korea"),
        (f"{ALLIANCE_FILE}:2", "Dates, obligations, provisions"),
    ]
    source = Source.objects.get(slug="atop-v4-01-alliance-level")
    assert (source.kind, source.collection, source.status, source.file) == (
        Source.Kind.DATASET,
        Source.Collection.ATOP,
        Status.PUBLISHED,
        f"datasets/{ALLIANCE_FILE}",
    )
    assert source.citation_text == (
        "Leeds, Ritter, Mitchell, Long. 2002. Alliance Treaty Obligations and Provisions, "
        "1815-1944. International Interactions 28:237-260."
    )
    assert source.licence == "free for use with citation (ATOP)"
