"""The ipi import: the IPI Peacekeeping Database's mission-month file and March 2014
contributions.

Counted from seeds/datasets/ with a CSV parser: 5,330 mission-month rows (November 1990 to March
2017, 78 acronyms, one row per mission and month, Total always Troops + Police + Observers) and
573 contributions rows (31 March 2014, 17 missions, every contributor an ISO code COW has). 17
acronyms are not in the UN list: ONUCI is UNOCI (IPI's name for it from May 2005 to June 2006),
16 are missions the import creates: 15 with a headquarters (UNMC has none), 5 still reported in
March 2017. Each cites its first and last row (32 citations) and each contributions row is
cited on its mission (573).
"""

import csv
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from alliances.models import Country
from milidip.records import Status
from milidip.sources.models import Source
from milidip.sources.provenance import provenance_problems
from missions.models import (
    Mission,
    MissionCitation,
    MissionContribution,
    MissionStrength,
)
from tests.datasets.conftest import DATASETS_DIR, imported_for_the_module, summary

pytestmark = pytest.mark.django_db

MONTHS = "ipi_pko_data_mission.csv"
CONTRIBUTIONS = "ipi_pko_contributions_2014-03.csv"
STRENGTHS = 5330
CONTRIBUTION_ROWS = 573
CREATED = {
    "LBB": ("peacekeeping", "1997-05", "ITA", ("Brindisi", "40.6333", "17.9333")),
    "UNTMIH": ("peacekeeping", "1998-03", "HTI", ("Port-au-Prince", "18.5333", "-72.3333")),
    "UNAMET": ("political", "1999-09", "TLS", ("Dili", "-8.5667", "125.567")),
    "BONUCA": ("political", "2000-08", "CAF", ("Bangui", "4.3667", "18.5833")),
    "UNOA": ("political", "2000-07", "AGO", ("Luanda", "-8.8383", "13.2344")),
    "UNMA": ("political", "2003-01", "AGO", ("Luanda", "-8.8383", "13.2344")),
    "UNAMA": ("political", "", "AFG", ("Kabul", "34.5333", "69.1667")),
    "UNOTIL": ("political", "2006-07", "TLS", ("Dili", "-8.5667", "125.567")),
    "UNAMI": ("political", "", "IRQ", ("Baghdad", "33.3333", "44.4333")),
    "UNIOSIL": ("political", "2008-09", "SLE", ("Freetown", "8.4844", "-13.2344")),
    "BINUB": ("political", "2010-12", "BDI", ("Bujumbura", "-3.3833", "29.3667")),
    "UNMIN": ("political", "2010-12", "NPL", ("Kathmandu", "27.7", "85.3333")),
    "BNUB": ("political", "2012-12", "BDI", ("Bujumbura", "-3.3833", "29.3667")),
    "UNSOM": ("political", "", "SOM", ("Mogadishu", "2.0333", "45.35")),
    "UNMC": ("political", "", "COL", None),
    "UNSOS": ("political", "", "SOM", ("Mogadishu", "2.0333", "45.35")),
}
REASON = "import ipi"


def first_months():
    """Each acronym's first month in the mission-month file; blank for those IPI reports from
    its first month (November 1990), which may have begun before."""
    with open(DATASETS_DIR / MONTHS, newline="") as data:
        months = {}
        for row in csv.DictReader(data):
            months.setdefault(row["Mission"], row["Date"][:7])
    return {acronym: "" if month == "1990-11" else month for acronym, month in months.items()}


FIRST = first_months()


@pytest.fixture(scope="module", autouse=True)
def un_missions(django_db_setup, django_db_blocker):
    """cow-states and un-pko, imported once for the module (rolled back at its end)."""
    yield from imported_for_the_module(django_db_blocker, "cow-states", "un-pko")


def strength(acronym, month):
    point = MissionStrength.objects.select_related("source").get(
        mission__un_acronym=acronym, month=month
    )
    return (point.troops, point.police, point.observers, point.total, point.locator)


def contribution(code, acronym):
    record = MissionContribution.objects.get(
        country__code=code, mission__un_acronym=acronym, as_of="2014-03"
    )
    return (record.personnel, record.troops, record.police, record.observers, record.unit)


def hosts(mission):
    return sorted(mission.hosts.values_list("code", flat=True))


def month_locators(mission):
    """The mission-month rows a mission cites (its contributions cite the other file)."""
    return sorted(
        mission.citations.filter(source__slug="ipi-peacekeeping-mission-months").values_list(
            "locator", flat=True
        )
    )


def test_the_real_files_import_every_month_and_contribution_then_change_nothing(
    import_dataset, stored
):
    un_missions = Mission.objects.exclude(un_acronym="").count()
    output = import_dataset("ipi")
    assert output.err == ""
    assert summary(output, "missions.Mission") == "16 created, 0 updated, 0 unchanged, 0 skipped"
    # The 16 created missions' hosts, and 60 hosts of UN list missions that had none.
    assert summary(output, "missions.Mission_hosts") == (
        "76 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionLocation") == (
        "15 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionStrength") == (
        "5330 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionContribution") == (
        "573 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionCitation") == (
        "665 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert Mission.objects.exclude(un_acronym="").count() == un_missions + len(CREATED)
    assert MissionStrength.objects.count() == STRENGTHS
    assert MissionContribution.objects.filter(as_of="2014-03").count() == CONTRIBUTION_ROWS
    assert set(MissionStrength.objects.values_list("source__slug", flat=True)) == {
        "ipi-peacekeeping-mission-months"
    }
    assert MissionCitation.objects.filter(source__collection="ipi").count() == 665
    assert list(provenance_problems()) == []
    for slug, name in (
        ("ipi-peacekeeping-mission-months", MONTHS),
        ("ipi-peacekeeping-contributions-2014-03", CONTRIBUTIONS),
    ):
        source = Source.objects.get(slug=slug)
        assert (source.kind, source.collection, source.status) == (
            "dataset",
            "ipi",
            Status.PUBLISHED,
        )
        assert source.citation_text == "International Peace Institute, IPI Peacekeeping Database"
        assert source.licence == "cite IPI"
        assert source.file == f"datasets/{name}"

    before = stored()
    output = import_dataset("ipi")
    assert stored() == before, "no record and no history entry is written"
    assert summary(output, "missions.Mission") == "0 created, 0 updated, 16 unchanged, 0 skipped"
    assert summary(output, "missions.Mission_hosts") == (
        "0 created, 0 updated, 76 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionStrength") == (
        "0 created, 0 updated, 5330 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionContribution") == (
        "0 created, 0 updated, 573 unchanged, 0 skipped"
    )
    assert summary(output, "missions.MissionCitation") == (
        "0 created, 0 updated, 665 unchanged, 0 skipped"
    )

    # Known rows, field by field.
    assert strength("UNIFIL", "1990-11") == (5835, None, None, 5835, f"{MONTHS}:9")
    assert strength("UNIFIL", "2014-03") == (10224, None, None, 10224, f"{MONTHS}:4667")
    assert strength("UNMISS", "2014-03") == (7558, 1033, 156, 8747, f"{MONTHS}:4659")
    assert strength("UNOCI", "2005-05") == (5845, 218, 193, 6256, f"{MONTHS}:2672"), "ONUCI"
    assert MissionStrength.objects.filter(mission__un_acronym="UNOCI").count() == 156
    assert not Mission.objects.filter(un_acronym="ONUCI").exists()
    assert contribution("KOR", "UNIFIL") == (321, 321, None, None, "")
    assert contribution("KOR", "UNMISS") == (275, 273, None, 2, "")
    # Argentina in MINUSTAH: 12 individual police (Civilian_Police 12), 568 troops.
    assert contribution("ARG", "MINUSTAH") == (580, 568, 12, None, "")
    unifil = Mission.objects.get(un_acronym="UNIFIL")
    korea = unifil.citations.get(locator=f"{CONTRIBUTIONS}:413")
    assert korea.note == "Contribution of KOR as of 2014-03"
    assert korea.source.slug == "ipi-peacekeeping-contributions-2014-03"
    unmiss = Mission.objects.get(un_acronym="UNMISS")
    assert unmiss.citations.filter(locator=f"{CONTRIBUTIONS}:415").exists()
    # The UN missions themselves are only given hosts where they have none: IPI's country of
    # mission, cited at the first row naming it.
    assert hosts(unifil) == ["LBN"]
    assert unifil.citations.filter(note="Country of mission LBN", locator=f"{MONTHS}:9").exists()
    assert [entry.history_change_reason for entry in unifil.history.all()] == [
        "import ipi",
        "import un-pko",
    ]
    assert list(unifil.locations.values_list("name", flat=True)) == ["Naqoura"]
    assert Mission.objects.get(slug="rok-peacekeeping-lebanon").part_of == unifil

    for acronym, (kind, end, host, headquarters) in CREATED.items():
        mission = Mission.objects.select_related("organisation").get(un_acronym=acronym)
        assert (mission.slug, mission.name, mission.short_name) == (
            f"un-{acronym.lower()}",
            acronym,
            acronym,
        )
        assert (mission.kind, mission.start, mission.end) == (kind, FIRST[acronym], end), acronym
        assert mission.end_kind == ("ended" if end else "censored"), acronym
        assert (mission.organisation.slug, mission.status) == ("united-nations", "published")
        assert hosts(mission) == [host]
        places = list(mission.locations.values_list("name", "latitude", "longitude"))
        if headquarters is None:
            assert places == []
        else:
            name, latitude, longitude = headquarters
            assert places == [(name, Decimal(latitude), Decimal(longitude))], acronym
        entry = mission.history.get()
        assert (entry.history_type, entry.history_change_reason) == ("+", REASON)
        assert [row.country.code for row in entry.hosts.all()] == [host]
    unama = Mission.objects.get(un_acronym="UNAMA")
    assert month_locators(unama) == [f"{MONTHS}:2193", f"{MONTHS}:5328"]
    assert unama.strengths.count() == 173
    assert unama.contributions.count() == 12
    # UNFOR is in the UN list (ended, dates unknown): IPI only adds its months.
    unfor = Mission.objects.get(un_acronym="UNFOR")
    assert (unfor.end, unfor.ended, unfor.end_kind) == ("", True, "ended-unknown-date")
    assert hosts(unfor) == ["HRV"]
    assert month_locators(unfor) == [f"{MONTHS}:827"]
    assert list(unfor.strengths.values_list("month", "total", "locator")) == [
        ("1996-01", 1999, f"{MONTHS}:827"),
        ("1996-02", 240, f"{MONTHS}:844"),
    ]


def test_a_dry_run_writes_nothing(import_dataset, stored, tmp_path):
    files = [
        str(excerpt(tmp_path, MONTHS, [9, 2193, 2210])),
        str(excerpt(tmp_path, CONTRIBUTIONS, [12, 413])),
    ]
    before = stored()
    output = import_dataset("ipi", file=files, dry_run=True)
    assert stored() == before
    assert "dry run: nothing was written" in output.out
    for model, created in (
        ("missions.Mission", 1),
        ("missions.Mission_hosts", 2),
        ("missions.MissionLocation", 1),
        ("missions.MissionStrength", 3),
        ("missions.MissionContribution", 2),
        ("missions.MissionCitation", 5),
    ):
        assert summary(output, model) == f"{created} created, 0 updated, 0 unchanged, 0 skipped"
    assert not Mission.objects.filter(un_acronym="UNAMA").exists()


def excerpt(tmp_path, name, rows, changes=None):
    """A copy of a dataset file with its header and the given rows (numbered as in the real
    file), in that order; `changes` maps a row to (text in it, its replacement)."""
    lines = (DATASETS_DIR / name).read_bytes().splitlines(keepends=True)
    picked = [lines[0]]
    for number in rows:
        line = lines[number - 1].decode()
        if changes and number in changes:
            old, new = changes[number]
            assert old in line, (number, old, line)
            line = line.replace(old, new)
        picked.append(line.encode())
    path = tmp_path / name
    path.write_bytes(b"".join(picked))
    return path


def test_broken_rows_are_reported_and_skipped_and_the_rest_imports(import_dataset, tmp_path):
    months = excerpt(
        tmp_path,
        MONTHS,
        [9, 17, 25, 33, 40, 9, 2193, 2210, 1093, 1111, 81, 4667],
        {
            17: ("1990-12-31", "1990-02-30"),
            25: (",5835,NA,NA,5835", ",58x5,NA,NA,5835"),
            33: (",5835,NA,NA,5835", ",5835,NA,NA,5836"),
            40: (',"Lebanon","LBN","Naquora"', ""),
            2210: ('"AFG"', '"AFX"'),
            1093: ("40.6333", "140.6333"),
        },
    )
    contributions = excerpt(
        tmp_path,
        CONTRIBUTIONS,
        range(410, 418),
        {
            410: (",KOR,", ",KOX,"),
            411: (",MINUSTAH,", ",MINUSTAX,"),
            412: ("2014-03-31", "2014-02-30"),
            414: (",1,NA,NA,NA,1,1,2", ",3,NA,NA,NA,1,1,2"),
            416: (",7,NA,NA,NA,NA,7,7", ",7,2,NA,5,NA,7,12"),
        },
    )
    output = import_dataset("ipi", file=[str(months), str(contributions)])
    expected = [
        f"{months}:3: impossible reporting date: '1990-02-30' is not a real date",
        f"{months}:4: Troops '58x5' is not a whole number",
        f"{months}:5: Total 5836 is not the sum of the others (5835)",
        f"{months}:6: 19 fields where the header has 22",
        f"{months}:7: UNIFIL already has 1990-11 at row 2",
        f"{months}:10: Mission HQ Longitude (IPI's latitude) '140.6333' is not between -90 and 90",
        f"{months}:9: unknown country: Country of Mission ISO-3 'AFX' is not a stored country",
        f"{contributions}:2: unknown country: Contributor_ISO-3 'KOX' is not a stored country",
        f"{contributions}:3: unknown mission: no stored mission has the acronym 'MINUSTAX'",
        f"{contributions}:4: impossible reporting date: '2014-02-30' is not a real date",
        f"{contributions}:6: Observers 1 and Experts_on_Mission 3 differ",
        f"{contributions}:8: Civilian_Police 5 is not Formed_Police_Units + Inidividual_Police (2)",
    ]
    reported = output.err.splitlines()
    assert len(reported) == len(expected), reported
    for line, start in zip(reported, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert "12 bad rows were skipped" in output.out

    assert sorted(MissionStrength.objects.values_list("locator", flat=True)) == [
        f"{MONTHS}:11",
        f"{MONTHS}:12",
        f"{MONTHS}:13",
        f"{MONTHS}:2",
        f"{MONTHS}:8",
    ]
    assert strength("UNIFIL", "1990-11") == (5835, None, None, 5835, f"{MONTHS}:2")
    assert strength("MINURSO", "1991-09")[4] == f"{MONTHS}:12", "Western Sahara is no state"
    # LBB is made from its first good row, UNAMA from its only one.
    lbb = Mission.objects.get(un_acronym="LBB")
    assert list(lbb.locations.values_list("name", "latitude", "longitude")) == [
        ("Brindisi", Decimal("40.6333"), Decimal("17.9333"))
    ]
    assert month_locators(lbb) == [f"{MONTHS}:11"]
    assert (lbb.end, hosts(lbb)) == ("1997-05", ["ITA"])
    assert month_locators(Mission.objects.get(un_acronym="UNAMA")) == [f"{MONTHS}:8"]
    assert sorted(
        MissionContribution.objects.filter(as_of="2014-03").values_list(
            "mission__un_acronym", flat=True
        )
    ) == ["UNIFIL", "UNMISS", "UNOCI"]
    assert summary(output, "missions.MissionContribution") == (
        "3 created, 0 updated, 0 unchanged, 5 skipped"
    )
    assert list(provenance_problems()) == []


def test_a_curators_edits_are_kept_unless_overwrite(import_dataset, tmp_path):
    files = [
        str(excerpt(tmp_path, MONTHS, [9, 17, 2193, 2210])),
        str(excerpt(tmp_path, CONTRIBUTIONS, [413, 415])),
    ]
    import_dataset("ipi", file=files)
    curator = User.objects.create_user("curator")
    point = MissionStrength.objects.get(mission__un_acronym="UNIFIL", month="1990-11")
    point.total = 5900
    point._history_user = curator
    point.save()
    unama = Mission.objects.get(un_acronym="UNAMA")
    unama._history_user = curator
    unama.hosts.set([Country.objects.get(code="PAK")])

    output = import_dataset("ipi", file=files)
    point.refresh_from_db()
    assert point.total == 5900
    assert hosts(unama) == ["PAK"]
    assert "skipped missions.MissionStrength UNIFIL, 1990-11: 5900: total changed by curator" in (
        output.out
    )
    assert "skipped missions.Mission UNAMA: hosts changed by curator on " in output.out
    assert (
        " since the last import; the dataset says hosts ['AFG'] (--overwrite replaces it)"
        in output.out
    )
    assert summary(output, "missions.MissionStrength") == (
        "0 created, 0 updated, 3 unchanged, 1 skipped"
    )
    assert summary(output, "missions.Mission_hosts") == (
        "0 created, 0 updated, 1 unchanged, 1 skipped"
    )
    assert summary(output, "missions.Mission") == "0 created, 0 updated, 1 unchanged, 0 skipped"

    output = import_dataset("ipi", file=files, overwrite=True)
    point.refresh_from_db()
    assert point.total == 5835
    assert hosts(unama) == ["AFG"]
    assert (
        "overwrote missions.Mission UNAMA: hosts ['PAK'] -> ['AFG'] (hosts changed by curator on "
        in output.out
    )
    entry = unama.history.first()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "~",
        None,
        REASON,
    )
    assert [row.country.code for row in entry.hosts.all()] == ["AFG"]
    # The curator's host is overwritten; the other mission's host, as the first run left it.
    assert summary(output, "missions.Mission_hosts") == (
        "1 created, 0 updated, 1 unchanged, 0 skipped"
    )

    output = import_dataset("ipi", file=files)
    assert summary(output, "missions.Mission_hosts") == (
        "0 created, 0 updated, 2 unchanged, 0 skipped"
    )
    assert "skipped" not in output.out.replace(" 0 skipped", "")


def test_a_mission_whose_fields_and_hosts_both_change_gets_both(import_dataset, tmp_path):
    """The run's own new history entry (UNAMA's end) is not mistaken for the hosts the import
    last wrote: a later month in Pakistan adds a host instead of being taken for a curator's
    edit."""
    import_dataset("ipi", file=[str(excerpt(tmp_path, MONTHS, [2193, 2210]))])
    unama = Mission.objects.get(un_acronym="UNAMA")
    assert (unama.end, hosts(unama)) == ("", ["AFG"])

    later = {
        17: ("1990-12-31", "2003-01-31"),
        2224: ('Afghanistan","AFG"', 'Pakistan","PAK"'),
    }
    output = import_dataset(
        "ipi", file=[str(excerpt(tmp_path, MONTHS, [2193, 2210, 2224, 17], later))]
    )
    unama.refresh_from_db()
    assert "skipped missions.Mission UNAMA" not in output.out
    assert (unama.end, unama.ended, hosts(unama)) == ("2002-12", True, ["AFG", "PAK"])
    entry = unama.history.first()
    assert (entry.history_change_reason, entry.end) == (REASON, "2002-12")
    assert sorted(row.country.code for row in entry.hosts.all()) == ["AFG", "PAK"]


def test_a_mission_a_curator_edited_keeps_its_hosts_by_the_rule_its_fields_follow(
    import_dataset, tmp_path
):
    """One rule for fields and links: after a curator's edit of UNAMA (its name, which the
    import does not own), a new host in the data is left out, as a changed field would be,
    until --overwrite; the curator's name stays."""
    import_dataset("ipi", file=[str(excerpt(tmp_path, MONTHS, [2193, 2210]))])
    unama = Mission.objects.get(un_acronym="UNAMA")
    unama.name = "United Nations Assistance Mission in Afghanistan"
    unama._history_user = User.objects.create_user("curator")
    unama.save()
    later = {2224: ('Afghanistan","AFG"', 'Pakistan","PAK"')}
    files = [str(excerpt(tmp_path, MONTHS, [2193, 2210, 2224], later))]

    output = import_dataset("ipi", file=files)
    assert hosts(unama) == ["AFG"]
    assert "skipped missions.Mission UNAMA: changed by curator on " in output.out
    assert "the dataset says hosts ['AFG', 'PAK'] (--overwrite replaces it)" in output.out
    # The data's last month moved, so UNAMA's coverage_end would too: skipped like its hosts.
    assert summary(output, "missions.Mission") == "0 created, 0 updated, 0 unchanged, 1 skipped"
    assert summary(output, "missions.Mission_hosts") == (
        "0 created, 0 updated, 0 unchanged, 2 skipped"
    )

    import_dataset("ipi", file=files, overwrite=True)
    unama.refresh_from_db()
    assert hosts(unama) == ["AFG", "PAK"]
    assert unama.name == "United Nations Assistance Mission in Afghanistan"
