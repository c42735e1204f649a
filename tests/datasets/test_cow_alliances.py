"""The cow-alliances import: COW Formal Alliances v4.1, member level.

Counted from seeds/datasets/alliance_v4.1_by_member.csv with a CSV parser: 1,221 member rows,
414 alliances (205 of Type I, 1 of Type II, 83 of Type IIa, 61 of Type IIb, 64 of Type III),
98 of them with no end; 359 rows are right-censored. Three are curated alliances of fixtures/
(COW 227 NATO, 233 US-Japan, 236 US-South Korea), whose 4 curated memberships of the United
States, Japan and South Korea take their rows, so the import creates 411 alliances and 1,217
memberships and enriches 3 and 4.
"""

import hashlib
from collections import Counter

import pytest
from django.contrib.auth.models import User

from alliances.models import Alliance, AllianceCitation, Membership
from milidip.records import Status
from milidip.sources.claims import resolve
from milidip.sources.models import Source
from milidip.sources.provenance import provenance_problems
from tests.datasets.conftest import DATASETS_DIR

pytestmark = pytest.mark.django_db

FILE = "alliance_v4.1_by_member.csv"
ROWS = 1221
ALLIANCES = 414
CURATED = {236: "rok-us-alliance", 227: "nato", 233: "us-japan-alliance"}
REASON = "import cow-alliances"
HEADER = 1
# Rows of the real file used for the small copies: COW 1 (2, 3), COW 122 (318, 319),
# COW 233 (705, 706) and COW 236 (715, 716).
SAMPLE = (2, 3, 318, 319, 705, 706, 715, 716)


@pytest.fixture
def cow_states(import_dataset):
    import_dataset("cow-states")


def dataset_citations():
    return AllianceCitation.objects.filter(source__kind=Source.Kind.DATASET)


def members(slug):
    """An alliance's memberships, by country code: (country, role, start, end, defence,
    neutrality, non-aggression, entente, left-censored, right-censored)."""
    memberships = Membership.objects.filter(alliance__slug=slug).select_related("country")
    return [
        (m.country.code, m.role, m.start, m.end, *obligations(m), m.left_censored, m.right_censored)
        for m in memberships.order_by("country__code", "start")
    ]


def locators(slug):
    citations = dataset_citations().filter(record__slug=slug)
    return sorted(citations.values_list("locator", flat=True))


def obligations(alliance):
    return (alliance.defence, alliance.neutrality, alliance.non_aggression, alliance.entente)


def real_lines():
    return (DATASETS_DIR / FILE).read_text().splitlines()


def small_copy(tmp_path, extra=(), rows=SAMPLE):
    """A copy of the file with the header, the given real rows and extra lines, in order."""
    lines = real_lines()
    path = tmp_path / FILE
    path.write_text("\n".join([lines[0], *(lines[n - 1] for n in rows), *extra]) + "\n")
    return path


def test_the_real_file_imports_every_alliance_membership_and_row(import_dataset, cow_states):
    curated_memberships = Membership.objects.count()
    output = import_dataset("cow-alliances")
    assert output.err == ""
    assert Alliance.objects.filter(cow_id__isnull=False).count() == ALLIANCES
    assert Alliance.objects.filter(short_name__startswith="COW ").count() == ALLIANCES - 3
    assert Membership.objects.count() == curated_memberships + ROWS - 4
    cow = Membership.objects.filter(alliance__cow_id__isnull=False)
    assert cow.exclude(alliance__slug="nato", country__code="KOR").count() == ROWS
    assert cow.filter(right_censored=True).count() == 359
    assert dataset_citations().count() == ROWS
    assert dataset_citations().values("record").distinct().count() == ALLIANCES
    kinds = Counter(Alliance.objects.filter(slug__startswith="cow-").values_list("kind", flat=True))
    # Without the curated three: NATO and US-Japan (Type I), US-South Korea (Type III).
    assert kinds == {
        "defence-pact": 203,
        "neutrality-pact": 1,
        "non-aggression-pact": 144,
        "entente": 63,
    }
    assert Alliance.objects.filter(cow_id__isnull=False, end="").count() == 98
    assert "alliances.Alliance          411 created, 3 updated, 0 unchanged, 0 skipped" in (
        output.out
    )
    assert "alliances.Membership        1217 created, 4 updated, 0 unchanged, 0 skipped" in (
        output.out
    )
    assert "alliances.AllianceCitation  1221 created" in output.out
    assert list(provenance_problems()) == []

    source = Source.objects.get(slug="cow-formal-alliances-v4-1")
    assert (source.kind, source.collection, source.status) == ("dataset", "cow", "published")
    assert source.citation_text == (
        "Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. CQ Press."
    )
    assert source.licence == "free for use with citation (COW)"
    assert source.file == f"datasets/{FILE}"
    assert source.checksum == hashlib.sha256((DATASETS_DIR / FILE).read_bytes()).hexdigest()
    assert "ucdavis/ECS272-Winter2021 @ 41fe3e43" in source.description
    source.full_clean()

    # COW 236 is the curated US-South Korea alliance: enriched, not duplicated.
    assert not Alliance.objects.filter(slug="cow-236").exists()
    alliance = Alliance.objects.get(cow_id=236)
    assert alliance.slug == "rok-us-alliance"
    assert (alliance.name, alliance.short_name) == (
        "United States–South Korea alliance",
        "US-South Korea alliance",
    ), "the curated names are kept"
    assert (alliance.kind, alliance.start, alliance.end) == ("defence-pact", "1953-10-01", ""), (
        "COW says entente from 1953-10-01: the curated kind is kept, COW's day refines the "
        "article's year (claims agreeing at a finer precision)"
    )
    assert obligations(alliance) == (True, False, False, True), "COW's claims, where known"
    assert alliance.consultation is True
    assert members("rok-us-alliance") == [
        # The article's "committed both nations to mutual defense" comes before COW's 0.
        ("KOR", "founding-member", "1953-10-01", "", True, False, False, True, False, True),
        ("USA", "founding-member", "1953-10-01", "", True, False, False, True, False, True),
    ]
    assert alliance.disputed == ["members/KOR/defence"]
    assert locators("rok-us-alliance") == [f"{FILE}:715", f"{FILE}:716"]
    note = dataset_citations().get(locator=f"{FILE}:715").note
    assert note == "COW 236: United States of America (COW 2)"
    assert alliance.citations.filter(source__collection="articles").count() == 9
    entry = alliance.history.first()
    assert (entry.history_type, entry.history_change_reason) == ("~", REASON)

    # COW 227 is NATO: its 20 members are added, the curated partner South Korea is kept.
    nato = Alliance.objects.get(cow_id=227)
    assert (nato.slug, nato.name, nato.kind) == (
        "nato",
        "North Atlantic Treaty Organization",
        "collective-defence",
    )
    assert (nato.start, nato.end, obligations(nato)) == (
        "1949-04-04",
        "",
        (True, False, True, True),
    )
    nato_members = members("nato")
    assert len(nato_members) == 21
    assert ("KOR", "partner", "", "", None, None, None, None, None, None) in nato_members
    assert ("TUR", "member", "1951-10-22", "", True, False, False, True, False, True) in (
        nato_members
    )
    assert ("XGR", "member", "1954-10-23", "1990-10-02", True, False, True, True, False, False) in (
        nato_members
    )
    assert locators("nato") == [f"{FILE}:{row}" for row in range(655, 675)]

    # COW 233 is the US-Japan alliance: its blank start and membership fields are filled.
    japan = Alliance.objects.get(cow_id=233)
    assert (japan.slug, japan.short_name, japan.start, japan.kind) == (
        "us-japan-alliance",
        "",
        "1951-09-08",
        "defence-pact",
    )
    assert obligations(japan) == (True, False, False, False)
    assert members("us-japan-alliance") == [
        ("JPN", "member", "1951-09-08", "", False, False, False, False, False, True),
        ("USA", "member", "1951-09-08", "", True, False, False, False, False, True),
    ]
    assert Membership.objects.get(alliance=japan, country__code="JPN").note == (
        "Party to the US-Japan Security Treaty."
    )

    # Alliances COW alone gives.
    first = Alliance.objects.get(cow_id=1)
    assert (first.slug, first.name, first.short_name, first.kind) == (
        "cow-1",
        "United Kingdom–Portugal",
        "COW 1",
        "defence-pact",
    )
    assert (first.start, first.end, first.status) == ("1386-05-09", "", Status.PUBLISHED)
    assert obligations(first) == (True, False, True, False)
    assert members("cow-1") == [
        ("GBR", "member", "1816-01-01", "", True, False, True, False, True, True),
        ("PRT", "member", "1816-01-01", "", True, False, True, False, True, True),
    ]
    entry = first.history.get()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "+",
        REASON,
        None,
    )
    # The German Confederation: ten states, most in two spells (before and after 1848-50).
    confederation = Alliance.objects.get(cow_id=3)
    assert confederation.name == "Hanover–Bavaria–Germany and 7 others"
    assert (confederation.start, confederation.end) == ("1815-06-08", "1866-06-15")
    assert [m[2:4] for m in members("cow-3") if m[0] == "XHN"] == [
        ("1838-01-01", "1848-03-15"),
        ("1850-11-29", "1866-06-15"),
    ]
    assert len(locators("cow-3")) == 20
    # COW 122 codes no member's entente: unknown, not False.
    pact = Alliance.objects.get(cow_id=122)
    assert (pact.name, pact.kind) == ("Iran–Turkey", "non-aggression-pact")
    assert obligations(pact) == (False, True, True, None)
    assert Alliance.objects.get(cow_id=42).kind == "neutrality-pact"
    assert Alliance.objects.get(cow_id=304).memberships.filter(left_censored=None).count() == 2


def test_a_second_run_changes_nothing(import_dataset, cow_states, stored):
    import_dataset("cow-alliances")
    before = stored()
    output = import_dataset("cow-alliances")
    assert stored() == before, "no record and no history entry is written"
    assert output.err == ""
    assert "alliances.Alliance          0 created, 0 updated, 414 unchanged, 0 skipped" in (
        output.out
    )
    assert "alliances.Membership        0 created, 0 updated, 1221 unchanged, 0 skipped" in (
        output.out
    )
    assert "alliances.AllianceCitation  0 created, 0 updated, 1221 unchanged" in output.out
    assert "sources.Source              0 created, 0 updated, 1 unchanged" in output.out


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(import_dataset, cow_states, stored):
    before = stored()
    output = import_dataset("cow-alliances", dry_run=True)
    assert stored() == before
    assert "dry run: nothing was written" in output.out
    assert "alliances.Alliance          411 created, 3 updated" in output.out
    assert "would update alliances.Alliance NATO: cow_id None -> 227" in output.out
    derived = [
        line
        for line in output.out.splitlines()
        if line.startswith("would update alliances.Alliance NATO: ") and "cow_id" not in line
    ]
    assert len(derived) == 1 and "start '' -> '1949-04-04'" in derived[0], derived
    assert "shown values would be derived anew from the claims of: " in output.out
    assert Alliance.objects.get(slug="nato").cow_id is None


def test_a_curators_edit_is_kept_unless_overwrite(import_dataset, cow_states, tmp_path):
    path = small_copy(tmp_path)
    import_dataset("cow-alliances", file=[str(path)])
    curator = User.objects.create_user("curator")
    alliance = Alliance.objects.get(cow_id=1)
    alliance.name = "Anglo-Portuguese Alliance"
    alliance.slug = "anglo-portuguese-alliance"
    alliance._history_user = curator
    alliance.save()
    membership = Membership.objects.get(alliance=alliance, country__code="PRT")
    # A claimed field is the claims': a curator's choice of another value is a resolution.
    resolve(
        record=alliance,
        field="members/PRT/defence",
        value=False,
        reason="A test of a curator's choice.",
        user=curator,
    )

    output = import_dataset("cow-alliances", file=[str(path)])
    alliance.refresh_from_db()
    assert alliance.name == "Anglo-Portuguese Alliance"
    assert Membership.objects.get(pk=membership.pk).defence is False
    assert "skipped alliances.Alliance COW 1: name changed by curator on " in output.out
    assert "the dataset says name 'United Kingdom–Portugal' (--overwrite replaces it)" in (
        output.out
    )
    assert "alliances.Alliance          0 created, 0 updated, 3 unchanged, 1 skipped" in output.out

    output = import_dataset("cow-alliances", file=[str(path)], overwrite=True)
    alliance.refresh_from_db()
    assert alliance.name == "United Kingdom–Portugal"
    assert alliance.slug == "anglo-portuguese-alliance", "the slug is never the importer's"
    assert Membership.objects.get(pk=membership.pk).defence is False, "--overwrite is not a claim"
    entry = alliance.history.first()
    assert (entry.history_user, entry.history_change_reason) == (None, REASON)
    assert "overwrote alliances.Alliance COW 1: name 'Anglo-Portuguese Alliance' -> " in (
        output.out
    )
    assert not Alliance.objects.filter(slug="cow-1").exists()


def test_curated_values_stay_even_with_overwrite(import_dataset, cow_states, tmp_path):
    path = small_copy(tmp_path)
    import_dataset("cow-alliances", file=[str(path)])
    resolve(
        record=Alliance.objects.get(slug="us-japan-alliance"),
        field="start",
        value="1960-01-19",
        reason="The alliance as it stands rests on the 1960 treaty.",
        user=None,
    )
    Alliance.objects.filter(slug="rok-us-alliance").update(status=Status.DRAFT)
    output = import_dataset("cow-alliances", file=[str(path)], overwrite=True)
    assert output.err == ""
    assert "alliances.Alliance          0 created, 0 updated, 4 unchanged" in output.out
    assert "alliances.Membership        0 created, 0 updated, 8 unchanged" in output.out
    japan = Alliance.objects.get(slug="us-japan-alliance")
    assert (japan.start, japan.cow_id) == ("1960-01-19", 233)
    korea = Alliance.objects.get(slug="rok-us-alliance")
    assert (korea.kind, korea.start, korea.status) == ("defence-pact", "1953-10-01", Status.DRAFT)
    assert [m[:3] for m in members("rok-us-alliance")] == [
        ("KOR", "founding-member", "1953-10-01"),
        ("USA", "founding-member", "1953-10-01"),
    ]


def test_a_curated_membership_takes_the_row_of_its_country_once(
    import_dataset, cow_states, tmp_path
):
    """A second curated membership of a country is left alone; the row's own key wins."""
    japan = Alliance.objects.get(slug="us-japan-alliance")
    usa = japan.memberships.get(country__code="USA")
    extra = Membership.objects.create(
        alliance=japan, country=usa.country, role="member", start="1951-09-08"
    )
    import_dataset("cow-alliances", file=[str(small_copy(tmp_path))])
    usa.refresh_from_db()
    extra.refresh_from_db()
    assert (extra.role, extra.start, extra.defence, extra.right_censored) == (
        "member",
        "1951-09-08",
        True,
        True,
    ), "the membership with the row's start takes it"
    assert (usa.start, usa.defence, usa.right_censored) == ("", None, None)
    assert japan.memberships.count() == 3


def test_a_curated_observer_or_partner_never_takes_a_member_row(
    import_dataset, cow_states, tmp_path
):
    japan = Alliance.objects.get(slug="us-japan-alliance")
    usa = japan.memberships.get(country__code="USA")
    observer = Membership.objects.create(
        alliance=japan, country=usa.country, role="observer", start="1951-09-08"
    )
    import_dataset("cow-alliances", file=[str(small_copy(tmp_path))])
    usa.refresh_from_db()
    observer.refresh_from_db()
    assert (observer.start, observer.defence, observer.right_censored) == (
        "1951-09-08",
        None,
        None,
    )
    assert (usa.defence, usa.right_censored) == (True, True), "the member takes the row"
    assert japan.memberships.count() == 3


def test_broken_rows_are_reported_and_skipped_and_the_rest_imports(
    import_dataset, cow_states, tmp_path
):
    usa = '236,2,"United States of America",1,10,1953,,,,"Type III: Entente",1,10,1953,,,,'
    broken = [  # rows 10 to 20
        "x" + usa + "0,1,1,0,0,1,4.1",
        usa.replace('2,"United States of America"', '999,"Atlantis"') + "0,1,1,0,0,1,4.1",
        usa.replace("1,10,1953,,,,", "1,13,1953,,,,", 1) + "0,1,1,0,0,1,4.1",
        usa.replace("1,10,1953,,,,", "31,9,1953,,,,", 1) + "0,1,1,0,0,1,4.1",
        usa.replace("Type III: Entente", "Type IV: Friendship") + "0,1,1,0,0,1,4.1",
        usa + "0,1,2,0,0,1,4.1",
        usa.replace("1953,,,,", "1953,1,1,1950,", 1) + "0,1,1,0,0,1,4.1",
        usa.replace('Entente",1,10,1953,,,,', 'Entente",1,10,1953,1,1,1950,') + "0,1,1,0,0,1,4.1",
        usa + "0,1,1,0,0,1,4.1",
        "236,2,United States of America,1,10,1953",
        usa.replace("1,10,1953", "1,10,1954", 1) + "0,1,1,0,0,1,4.1",
    ]
    path = small_copy(tmp_path, broken)
    output = import_dataset("cow-alliances", file=[str(path)])
    expected = [
        f"{path}:10: alliance id 'x236' is not a whole number",
        f"{path}:11: unknown country: no stored country has COW code 999 (Atlantis); "
        "import cow-states first",
        f"{path}:12: impossible alliance start date: '1953-13-01' is not a real date",
        f"{path}:13: impossible alliance start date: '1953-09-31' is not a real date",
        f"{path}:14: unknown alliance type 'Type IV: Friendship' (ss_type)",
        f"{path}:15: defense '2' is not 0, 1 or blank",
        f"{path}:16: the alliance ends (1950-01-01) before it starts (1953-10-01)",
        f"{path}:17: the membership ends (1950-01-01) before it starts (1953-10-01)",
        f"{path}:18: COW 236 already has COW 2 from 1953-10-01 at row 8: the membership would "
        "be a duplicate",
        f"{path}:19: 6 fields where the header has 23",
        f"{path}:20: COW 236 is entente from 1953-10-01 to the end of the data at row 8, not "
        "entente from 1954-10-01 to the end of the data",
    ]
    reported = output.err.splitlines()
    assert len(reported) == len(expected)
    for line, beginning in zip(reported, expected, strict=True):
        assert line.startswith(beginning), (line, beginning)
    assert "11 bad rows were skipped" in output.out
    assert "alliances.Membership        4 created, 4 updated, 0 unchanged, 11 skipped" in (
        output.out
    )
    assert Alliance.objects.filter(cow_id__isnull=False).count() == 4
    assert dataset_citations().count() == len(SAMPLE)
    assert locators("rok-us-alliance") == [f"{FILE}:8", f"{FILE}:9"]
    assert [m[:4] for m in members("rok-us-alliance")] == [
        ("KOR", "founding-member", "1953-10-01", ""),
        ("USA", "founding-member", "1953-10-01", ""),
    ]
    assert list(provenance_problems()) == []


def test_without_cow_states_every_member_is_an_unknown_country(import_dataset, tmp_path, stored):
    before = stored()
    path = small_copy(tmp_path)
    output = import_dataset("cow-alliances", file=[str(path)])
    reported = output.err.splitlines()
    assert len(reported) == len(SAMPLE)
    assert reported[0] == (
        f"{path}:2: unknown country: no stored country has COW code 200 (United Kingdom); "
        "import cow-states first"
    )
    assert "alliances.Membership  0 created, 0 updated, 0 unchanged, 8 skipped" in output.out
    after = stored()
    assert after["alliances.Alliance"] == before["alliances.Alliance"]
    assert after["alliances.Membership"] == before["alliances.Membership"]
    assert Alliance.objects.get(slug="rok-us-alliance").cow_id is None


def test_an_alliance_whose_slug_is_taken_is_reported(import_dataset, cow_states, tmp_path):
    Alliance.objects.filter(slug="five-eyes").update(slug="cow-1")
    path = small_copy(tmp_path)
    output = import_dataset("cow-alliances", file=[str(path)])
    assert output.err.splitlines() == [
        f"{path}:2: COW 1: the slug cow-1 is another alliance's",
        f"{path}:2: COW 1 was not imported (see above)",
        f"{path}:3: COW 1 was not imported (see above)",
    ]
    assert Alliance.objects.get(slug="cow-1").cow_id is None
    assert Alliance.objects.filter(cow_id__isnull=False).count() == 3


def test_a_cow_end_is_a_claim_a_curator_resolves_and_a_reimport_keeps_resolved(
    import_dataset, cow_states, tmp_path
):
    """The articles' alliance has a start and no end (its quotes state none). A COW end (here
    a copy whose rows for COW 236 end in 2000) is COW's claim, shown as the only one; the
    curator who knows better resolves the field, and the next import keeps the resolution."""
    lines = real_lines()
    ended = [
        lines[number - 1]
        .replace(",1953,,,,", ",1953,1,1,2000,")
        .replace(",1953,,,,0,1,", ",1953,1,1,2000,0,0,")
        for number in (715, 716)
    ]
    assert all(",2000," in line for line in ended)
    path = small_copy(tmp_path, extra=ended, rows=())
    import_dataset("cow-alliances", file=[str(path)])
    korea = Alliance.objects.get(slug="rok-us-alliance")
    assert (korea.cow_id, korea.start, korea.end) == (236, "1953-10-01", "2000-01-01")
    resolve(record=korea, field="end", value="", reason="In force today.", user=None)
    import_dataset("cow-alliances", file=[str(path)])
    korea.refresh_from_db()
    assert korea.end == ""
