"""The un-pko import: the UN peacekeeping missions list (UN Peace and Security Data Hub).

Counted from seeds/datasets/ with a CSV parser: 81 rows, one per mission, 81 acronyms, so 81
missions are created. UNOHCI (row 15) and UNFOR (row 38) say they are not active but have no
dates: they are stored as ended, dates unknown. 71 rows name a headquarters, 12 missions are
active. The two curated deployments in Lebanon and South Sudan get their part_of and cite the
UNIFIL and UNMISS rows, so 83 missions cite the list.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection

from milidip.records import Status
from milidip.sources.claims import resolve
from milidip.sources.models import Source
from milidip.sources.provenance import provenance_problems
from missions.models import Mission, MissionCitation, MissionLocation
from tests.datasets.conftest import imported_for_the_module, summary

pytestmark = pytest.mark.django_db

FILE = "un_pko_missions_DPPADPOSS-PKO.csv"
ROWS = 81
CREATED = 81
CITING = 83  # the 81 missions and the two curated deployments
ACTIVE = 12  # rows whose mission_isactive is Yes
LOCATIONS = 71
CURATED_MISSIONS = 12
REASON = "import un-pko"


@pytest.fixture(scope="module", autouse=True)
def countries(django_db_setup, django_db_blocker):
    """cow-states, imported once for the module (rolled back at its end)."""
    yield from imported_for_the_module(django_db_blocker, "cow-states")


def location(acronym):
    return list(
        MissionLocation.objects.filter(mission__un_acronym=acronym).values_list(
            "name", "latitude", "longitude"
        )
    )


def locators(mission):
    return sorted(
        mission.citations.filter(source__collection="un").values_list("locator", flat=True)
    )


def mission(acronym):
    return Mission.objects.select_related("organisation").get(un_acronym=acronym)


def test_the_real_file_imports_every_mission_with_its_headquarters(import_dataset):
    output = import_dataset("un-pko")
    assert output.err == ""
    assert summary(output, "missions.Mission") == "81 created, 2 updated, 0 unchanged, 0 skipped"
    assert (
        summary(output, "missions.MissionLocation")
        == "71 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert (
        summary(output, "missions.MissionCitation")
        == "83 created, 0 updated, 0 unchanged, 0 skipped"
    )
    assert "bad row" not in output.out

    imported = Mission.objects.exclude(un_acronym="")
    assert imported.count() == CREATED
    assert Mission.objects.count() == CURATED_MISSIONS + CREATED
    undated = imported.filter(un_acronym__in=["UNOHCI", "UNFOR"])
    assert sorted(undated.values_list("start", "end", "ended")) == [("", "", True)] * 2
    assert set(imported.values_list("kind", flat=True)) == {"peacekeeping"}
    assert set(imported.values_list("organisation__slug", flat=True)) == {"united-nations"}
    assert set(imported.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert MissionLocation.objects.filter(mission__in=imported).count() == LOCATIONS
    assert Mission.objects.filter(citations__source__collection="un").distinct().count() == CITING
    assert imported.filter(ended=False).count() == ACTIVE
    assert imported.filter(ended=False, end="").count() == ACTIVE
    assert imported.filter(ended=True).exclude(end="").count() == CREATED - ACTIVE - 2
    assert list(provenance_problems()) == []

    source = Source.objects.get(slug="un-peacekeeping-missions")
    assert (source.kind, source.collection, source.status) == ("dataset", "un", Status.PUBLISHED)
    assert source.citation_text == "United Nations, Peace and Security Data Hub"
    assert source.licence == "CC BY 3.0 IGO"
    assert source.file == f"datasets/{FILE}"


def test_known_missions_field_by_field(import_dataset):
    import_dataset("un-pko")
    unifil = mission("UNIFIL")
    assert (unifil.slug, unifil.name, unifil.short_name, unifil.kind) == (
        "un-unifil",
        "United Nations Interim Force in Lebanon",
        "UNIFIL",
        "peacekeeping",
    )
    assert (unifil.start, unifil.end, unifil.active) == ("1978-03-19", "", True)
    assert unifil.organisation.slug == "united-nations"
    assert location("UNIFIL") == [("Naqoura", Decimal("33.12"), Decimal("35.1342"))]
    assert locators(unifil) == [f"{FILE}:34"]
    assert list(unifil.hosts.all()) == []
    entry = unifil.history.get()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "+",
        REASON,
        None,
    )

    yemen = mission("UNYOM")
    assert (yemen.slug, yemen.start, yemen.end, yemen.active) == (
        "un-unyom",
        "1963-07-01",
        "1964-09-01",
        False,
    )
    assert location("UNYOM") == []
    # "NO" in capitals; the end date agrees.
    assert (mission("MINUSTAH").end, mission("MINUSTAH").active) == ("2017-10-01", False)
    # A place without coordinates.
    assert location("UNTSO") == [("Jerusalem", None, None)]
    # Read swapped back (SWAPPED_COORDINATES): the file has "2,0333","45,3500".
    assert mission("UNOSOM II").slug == "un-unosom-ii"
    assert location("UNOSOM II") == [("Mogadishu", Decimal("2.0333"), Decimal("45.35"))]
    assert location("UNOSOM") == [("Mogadishu", Decimal("2.0333"), Decimal("45.35"))]
    assert location("MINUSMA") == [("Bamako", Decimal("12.65"), Decimal("-8"))]
    assert location("UNEF II") == [("Gaza", Decimal("31.5"), Decimal("34.4667"))]
    assert location("UNMOGIP") == [
        ("Islamabad (Nov-Apr) and Srinagar (May-Oct)", Decimal("33.4593"), Decimal("76.3238"))
    ]
    balkans = mission("UNSCOB")
    assert (balkans.start, balkans.end) == ("", "1951-07-12")
    assert location("UNSCOB") == [("Athens", Decimal("37.9669"), Decimal("23.7668"))]
    assert mission("DOMREP").name == (
        "Mission of the Representative of the Secretary-General in the Dominican Republic"
    )


def test_the_articles_deployments_serve_in_unifil_and_unmiss_and_are_not_duplicated(
    import_dataset,
):
    import_dataset("un-pko")
    for slug, acronym, row, host in (
        ("rok-peacekeeping-lebanon", "UNIFIL", 34, "LBN"),
        ("rok-peacekeeping-south-sudan", "UNMISS", 80, "SSD"),
    ):
        deployment = Mission.objects.get(slug=slug)
        assert deployment.part_of == mission(acronym)
        assert deployment.un_acronym == ""
        assert deployment.name.startswith("South Korean UN peacekeeping deployment")
        assert (deployment.start, deployment.end) == ("", "")
        assert list(deployment.hosts.values_list("code", flat=True)) == [host]
        assert locators(deployment) == [f"{FILE}:{row}"]
        citation = deployment.citations.get(source__collection="un")
        assert citation.note == f"It serves in {acronym} (part of)"
        assert deployment.citations.filter(source__collection="articles").exists()
        entry = deployment.history.first()
        assert (entry.history_type, entry.history_change_reason) == ("~", REASON)
        assert entry.part_of_id == mission(acronym).pk
        assert [host.country.code for host in entry.hosts.all()] == [host], "hosts kept"
    assert Mission.objects.filter(name__icontains="Interim Force in Lebanon").count() == 1


def test_a_second_run_changes_nothing(import_dataset, stored):
    import_dataset("un-pko")
    before = stored()
    output = import_dataset("un-pko")
    assert stored() == before, "no record and no history entry is written"
    assert summary(output, "missions.Mission") == "0 created, 0 updated, 83 unchanged, 0 skipped"
    assert (
        summary(output, "missions.MissionLocation")
        == "0 created, 0 updated, 71 unchanged, 0 skipped"
    )
    assert (
        summary(output, "missions.MissionCitation")
        == "0 created, 0 updated, 83 unchanged, 0 skipped"
    )


def test_a_dry_run_writes_nothing(import_dataset, stored):
    before = stored()
    output = import_dataset("un-pko", dry_run=True)
    assert stored() == before
    assert "dry run: nothing was written" in output.out
    assert summary(output, "missions.Mission") == "81 created, 2 updated, 0 unchanged, 0 skipped"
    assert "would update missions.Mission South Korean UN peacekeeping deployment to Lebanon: " in (
        output.out
    )
    assert Mission.objects.get(slug="rok-peacekeeping-lebanon").part_of is None


def test_a_curators_edit_is_kept_unless_overwrite(import_dataset):
    import_dataset("un-pko")
    curator = User.objects.create_user("curator")
    unifil = mission("UNIFIL")
    # A claimed field is the claims': a curator's choice of another value is a resolution.
    resolve(
        record=unifil,
        field="name",
        value="UN Interim Force in Lebanon",
        reason="A test.",
        user=curator,
    )
    MissionLocation.objects.filter(mission=unifil).update(latitude=Decimal("33.1"))

    output = import_dataset("un-pko")
    unifil.refresh_from_db()
    assert unifil.name == "UN Interim Force in Lebanon"
    assert location("UNIFIL") == [("Naqoura", Decimal("33.1"), Decimal("35.1342"))]
    assert "skipped missions.MissionLocation Naqoura: latitude changed since the last import" in (
        output.out
    )
    assert summary(output, "missions.Mission") == "0 created, 0 updated, 83 unchanged, 0 skipped"

    output = import_dataset("un-pko", overwrite=True)
    unifil.refresh_from_db()
    assert unifil.name == "UN Interim Force in Lebanon", "--overwrite is not a claim"
    assert unifil.slug == "un-unifil"
    assert location("UNIFIL") == [("Naqoura", Decimal("33.12"), Decimal("35.1342"))]


def test_a_curated_part_of_is_never_replaced(import_dataset):
    lebanon = Mission.objects.get(slug="rok-peacekeeping-lebanon")
    other = Mission.objects.get(slug="rok-army-mission-iraq")
    Mission.objects.filter(pk=lebanon.pk).update(part_of=other)

    output = import_dataset("un-pko")
    lebanon.refresh_from_db()
    assert lebanon.part_of == other
    assert "skipped missions.Mission South Korean UN peacekeeping deployment to Lebanon: it " in (
        output.out
    )
    assert locators(lebanon) == [], "the UNIFIL row is not cited on it"
    south_sudan = Mission.objects.get(slug="rok-peacekeeping-south-sudan")
    assert south_sudan.part_of == mission("UNMISS")


def edit_rows(path, changes):
    """Change rows of a CSV copy: {row number: (text in the row, its replacement)}; a None
    replacement deletes the row."""
    lines = path.read_bytes().decode().split("\n")
    for number, (old, new) in sorted(changes.items(), reverse=True):
        assert old in lines[number - 1], (number, old, lines[number - 1])
        if new is None:
            del lines[number - 1]
        else:
            lines[number - 1] = lines[number - 1].replace(old, new)
    path.write_bytes("\n".join(lines).encode())


def test_broken_rows_are_reported_and_skipped_and_the_rest_imports(import_dataset, dataset_copy):
    copy = dataset_copy(FILE)
    edit_rows(
        copy,
        {
            2: ("1963-07-01", "1963-02-30"),
            3: ('"45,8167"', '"95,8167"'),
            4: ('"15,9833"', '"15;9833"'),
            5: (",No,", ",Maybe,"),
            6: (",No,", ",Yes,"),
            7: ("1993-03-01,1995-03-01", "1995-03-01,1993-03-01"),
            8: (',DPO,No,1992-04-01,1993-03-01,Mogadishu,"2,0333","45,3500",2024-02-19', ""),
            11: ("UNOMSIL", "UNOMUR"),
            12: ('"-10,8014"', '"-10,801412"'),
            13: ('"125,5670"', ""),
            14: ("Sukhumi", ""),
        },
    )
    output = import_dataset("un-pko", file=[str(copy)])
    expected = [
        f"{copy}:2: impossible start date: '1963-02-30' is not a real date",
        f"{copy}:3: mission_latitude '95,8167' is not between -90 and 90",
        f"{copy}:4: mission_longitude '15;9833' is not a number",
        f"{copy}:5: mission_isactive 'Maybe' is neither Yes nor No",
        f"{copy}:6: mission_isactive is Yes but it ended on 1996-02-01",
        f"{copy}:7: it ends (1993-03-01) before it starts (1995-03-01)",
        f"{copy}:8: 3 fields where the header has 11",
        f"{copy}:11: UNOMUR is already at row 10",
        f"{copy}:12: mission_longitude '-10,801412' has more than 5 decimals",
        f"{copy}:13: one coordinate without the other",
        f"{copy}:14: coordinates without a mission_location",
    ]
    reported = output.err.splitlines()
    assert len(reported) == len(expected), reported
    for line, start in zip(reported, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert "11 bad rows were skipped" in output.out
    assert Mission.objects.exclude(un_acronym="").count() == ROWS - len(expected)
    assert not Mission.objects.filter(
        un_acronym__in=["UNYOM", "UNPSG", "UNPROFOR", "UNPREDEP", "UNPF", "UNOSOM II", "UNOMSIL"]
    ).exists()
    assert mission("UNOMUR").name == "United Nations Observer Mission Uganda-Rwanda"
    assert location("UNOSOM") == [("Mogadishu", Decimal("2.0333"), Decimal("45.35"))]
    assert not MissionCitation.objects.filter(locator=f"{FILE}:2").exists()
    assert Mission.objects.get(slug="rok-peacekeeping-lebanon").part_of == mission("UNIFIL")
    assert list(provenance_problems()) == []


def planner_row_estimate(table):
    """How many rows the database's query planner believes `table` holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        else:
            # One row an index, each starting with the table's row count.
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        row = cursor.fetchone()
    return None if row is None else int(float(str(row[0]).split()[0]))


def test_an_import_leaves_the_planner_knowing_the_new_rows(import_dataset):
    import_dataset("un-pko")
    estimate = planner_row_estimate("missions_mission")
    assert estimate == Mission.objects.count() == CURATED_MISSIONS + CREATED


def test_a_curated_mission_given_its_end_by_the_list_is_written_as_ended(import_dataset):
    """A curator's mission named by its acronym takes the list's dates (its claims, the only
    ones); the end makes it ended, which is written with it (the database refuses an end on an
    unended mission). Its uncited name gives way to the list's, and the run counts it: a
    curator keeps a name by citing a source for it or resolving the field."""
    curated = Mission.objects.create(
        slug="yemen-observers", name="Observers in Yemen", kind="peacekeeping", un_acronym="UNYOM"
    )
    output = import_dataset("un-pko")
    curated.refresh_from_db()
    assert (curated.start, curated.end, curated.ended) == ("1963-07-01", "1964-09-01", True)
    assert curated.end_kind == "ended"
    assert curated.name == "United Nations Yemen Observation Mission"
    assert "derived anew from the claims of: 1 missions.Mission" in output.out
    assert output.err == ""
    entry = curated.history.first()
    assert (entry.history_change_reason, entry.ended) == (REASON, True)
