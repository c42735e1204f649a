"""The mme import: Multinational Military Exercises v7, wide and long files.

Counted from seeds/datasets/ with a CSV parser: mme_v7.csv has 3,707 rows (three MMEIDs
number two exercises each), 1,971 of them with a series (392 series once "Autumn Forge" and
"Autumn forge", "FRUKUS" and "Frukus", "Rajawali AusIndo" and "Rajawali Ausindo" are one; FE
is the curated Foal Eagle), 4,274 domain flags and 3,852 purpose flags. Its StateA .. StateAM
name 13,651 distinct (exercise, country) pairs of 184 countries (leaving out -9, the six
non-states and South Sudan); mme_v7_long.csv has 13,818 rows, of which 208 name no one (-9)
and 8 name non-states, so 13,602 rows are cited.

A full import costs seconds: the real files are imported in one test only (a first run and a
second); the other tests use small copies.
"""

import pytest
from django.contrib.auth.models import User

from alliances.models import Country
from milidip.records import Status
from milidip.sources.claims import resolve
from milidip.sources.models import Source
from milidip.sources.provenance import provenance_problems
from missions.models import Domain, Exercise, ExerciseCitation, ExerciseParticipant, Purpose
from tests.datasets.conftest import DATASETS_DIR

pytestmark = pytest.mark.django_db

REASON = "import mme"
EXERCISES = 3707
SERIES_CREATED = 391
ITERATIONS = 1971
PARTICIPANTS = 13651
CITED_LONG_ROWS = 13602
COUNTRIES = 184
# Those the long file names by a Gleditsch-Ward code (not only by name: the microstates, Yemen).
CODED_COUNTRIES = 172
CODED_PAIRS = 173  # (country, code): Serbia is 340 and 345

REAL_BAD_ROWS = [
    "mme_v7_long.csv:174: 'Hong Kong SAR China' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:7486: 'NATO' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:8273: 'NATO' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:8617: 'New Caledonia' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:10306: 'Baltic States' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:10387: 'Netherlands Antilles' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:11367: 'Hong Kong SAR China' has no Gleditsch-Ward code and is not a state",
    "mme_v7_long.csv:13096: 'Bermuda' has no Gleditsch-Ward code and is not a state",
    "mme_v7.csv:3658: participant 'South Sudan' (StateAF) is not a country mme_v7_long.csv "
    "names: that participant is skipped",
]
END_BEFORE_START = [
    (198, "mme281", "1982-11-10", "1982-11-11"),
    (322, "mme395", "1984-03-01", "1984-06-20"),
    (1887, "mme1872", "2000-01", "2000-04-24"),
    (2456, "mme2365", "2003-08-26", "2003-09-17"),
    (2903, "mme3681", "2005-11-07", "2005-11-20"),
    (3367, "mme3156", "2008-08-22", "2008-08-29"),
]


def codes(manager):
    return sorted(item.code for item in manager.all())


def participants(exercise):
    return sorted(exercise.exercise_participants.values_list("country__code", flat=True))


def locators(record):
    return sorted(record.citations.values_list("locator", flat=True), key=row_order)


def row_order(locator):
    name, _, number = locator.rpartition(":")
    return name, int(number)


def history_links(entry):
    return codes_of_rows(entry.domains.all(), "domain"), codes_of_rows(
        entry.purposes.all(), "purpose"
    )


def codes_of_rows(rows, name):
    return sorted(getattr(row, name).code for row in rows)


def test_the_real_files_import_every_exercise_and_a_second_run_changes_nothing(
    import_dataset, stored
):
    import_dataset("cow-states")
    output = import_dataset("mme")

    shown = [line.replace("seeds/datasets/", "") for line in output.err.splitlines()]
    notes = [
        f"mme_v7.csv:{row}: the exercise ends ({end}) before it starts ({start}): imported "
        "without its end"
        for row, _, end, start in END_BEFORE_START
    ]
    assert shown == notes + REAL_BAD_ROWS
    assert "9 bad rows were skipped" in output.out
    assert "missions.Exercise             4098 created, 1 updated, 0 unchanged, 0 skipped" in (
        output.out
    )
    assert "missions.ExerciseParticipant  13651 created, 0 updated, 0 unchanged, 9 skipped" in (
        output.out
    )
    assert f"alliances.CountryCitation     {CODED_PAIRS} created" in output.out
    assert f"{CODED_COUNTRIES} alliances.Country" in output.out
    assert "missions.Exercise_domains     4274 created" in output.out
    assert "missions.Exercise_purposes    3852 created" in output.out

    imported = Exercise.objects.exclude(mme_id="")
    assert imported.count() == EXERCISES
    assert imported.filter(status=Status.PUBLISHED).count() == EXERCISES
    assert imported.filter(kind=Exercise.Kind.ITERATION).count() == ITERATIONS
    assert imported.filter(kind=Exercise.Kind.EXERCISE).count() == EXERCISES - ITERATIONS
    assert not imported.filter(kind=Exercise.Kind.SERIES).exists()
    series = Exercise.objects.filter(kind=Exercise.Kind.SERIES)
    assert series.count() == SERIES_CREATED + 5, "and the five curated series"
    assert series.exclude(mme_series="").count() == SERIES_CREATED + 1, "and Foal Eagle"
    assert Exercise.domains.through.objects.count() == 4274
    assert Exercise.purposes.through.objects.count() == 3852 + 6, "and the curated series' six"
    assert ExerciseParticipant.objects.filter(exercise__mme_id__gt="").count() == PARTICIPANTS
    assert Country.objects.filter(gw_code__isnull=False).count() == CODED_COUNTRIES
    cited = ExerciseCitation.objects.filter(source__collection=Source.Collection.MME)
    assert cited.filter(locator__startswith="mme_v7.csv:").count() == EXERCISES + ITERATIONS
    assert cited.filter(locator__startswith="mme_v7_long.csv:").count() == CITED_LONG_ROWS
    assert list(provenance_problems()) == []

    readex = Exercise.objects.get(mme_id="mme87")
    assert (readex.slug, readex.name, readex.kind) == ("mme87", "Readex 1-80", "iteration")
    assert (readex.start, readex.end) == ("1980-01-14", "1980-01-21")
    assert readex.location == "Vieques"
    assert (str(readex.latitude), str(readex.longitude)) == ("18.12629", "-65.44010")
    assert readex.description == "realistic war-at-sea scenario"
    assert codes(readex.domains) == ["amphibious", "sea"]
    assert codes(readex.purposes) == ["warfighting"]
    assert participants(readex) == ["GBR", "NLD", "USA"]
    assert locators(readex) == [
        "mme_v7.csv:2",
        "mme_v7_long.csv:13374",
        "mme_v7_long.csv:13375",
        "mme_v7_long.csv:13376",
    ]
    assert readex.series.slug == "readex"
    readexes = readex.series
    assert (readexes.name, readexes.mme_series, readexes.kind) == ("Readex", "Readex", "series")
    assert (readexes.start, readexes.end, readexes.status) == ("1980-01-14", "1986-03", "published")
    assert readexes.iterations.count() == 7
    assert locators(readexes)[0] == "mme_v7.csv:2"
    entry = readex.history.get()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "+",
        REASON,
        None,
    )
    assert history_links(entry) == (["amphibious", "sea"], ["warfighting"])

    # Foal Eagle: the curated series, not a new one; MME's 16 FE rows are its iterations.
    foal_eagle = Exercise.objects.get(slug="foal-eagle")
    assert (foal_eagle.name, foal_eagle.mme_series, foal_eagle.start) == ("Foal Eagle", "FE", "")
    assert foal_eagle.description.startswith("US–South Korean joint military exercises")
    assert foal_eagle.iterations.count() == 16
    assert not Exercise.objects.filter(slug="fe").exists()
    assert codes(foal_eagle.purposes) == ["readiness"]
    assert foal_eagle.citations.filter(source__kind=Source.Kind.ARTICLE).count() == 1
    assert foal_eagle.citations.filter(source__slug="mme-v7").count() == 16
    entry = foal_eagle.history.first()
    assert (entry.history_type, entry.history_change_reason) == ("~", REASON)
    assert history_links(entry) == ([], ["readiness"]), "its links are kept in its history"
    fe98 = Exercise.objects.get(mme_id="mme1704")
    assert (fe98.name, fe98.series, fe98.kind) == ("Foal Eagle 98", foal_eagle, "iteration")
    assert (fe98.start, fe98.end, fe98.location) == ("1998-10-27", "1998-11-06", "South Korea")
    assert (str(fe98.latitude), str(fe98.longitude)) == ("35.90776", "127.76692")
    assert codes(fe98.domains) == ["amphibious", "land", "sea"]
    assert codes(fe98.purposes) == ["warfighting"]
    assert participants(fe98) == ["KOR", "USA"]
    assert locators(fe98) == ["mme_v7.csv:1714", "mme_v7_long.csv:2635", "mme_v7_long.csv:2636"]
    key_resolve = Exercise.objects.get(mme_id="mme3091")
    assert key_resolve.series.mme_series == "Key Resolve", "MME's own series"
    for slug in (
        "rok-us-bilateral-exercises",
        "nato-multinational-exercises",
        "rok-humanitarian-assistance-drills",
        "rok-eu-joint-military-exercises",
    ):
        curated = Exercise.objects.get(slug=slug)
        assert (curated.mme_series, curated.iterations.count()) == ("", 0)

    # One MMEID, two exercises: each keeps its own row, year and participants.
    first, second = Exercise.objects.filter(mme_id__startswith="mme3460").order_by("start")
    assert (first.mme_id, first.slug, first.name) == (
        "mme3460-1995",
        "mme3460-1995",
        "Unnamed exercise (mme3460-1995)",
    )
    assert (first.start, first.location, participants(first)) == (
        "1995-07",
        "Ukraine",
        ["UKR", "USA"],
    )
    assert (second.mme_id, second.start, participants(second)) == (
        "mme3460-2005",
        "2005-07-07",
        ["CHN", "JPN", "KOR"],
    )
    assert locators(second) == [
        "mme_v7.csv:2817",
        "mme_v7_long.csv:10208",
        "mme_v7_long.csv:10209",
        "mme_v7_long.csv:10210",
    ]
    noble_award = Exercise.objects.get(mme_id="mme3457-2007")
    assert noble_award.name == "Noble Award"
    assert noble_award.description.endswith("\n\nParticipants: Forces from 17 NATO nations")
    assert participants(noble_award) == []

    for _, mme_id, _, start in END_BEFORE_START:
        exercise = Exercise.objects.get(mme_id=mme_id)
        assert (exercise.start, exercise.end) == (start, "")

    # Participants past the 24th come from the wide file; uncoded microstates by name.
    endeavor = Exercise.objects.get(mme_id="mme3380")
    assert len(participants(endeavor)) == 39
    assert {"SRB", "TUR", "UKR", "USA"} <= set(participants(endeavor)), "StateY .. StateAM"
    assert endeavor.citations.filter(source__slug="mme-v7-long").count() == 24
    africa = Exercise.objects.get(mme_id="mme3365")
    assert len(participants(africa)) == 36, "37 names, South Sudan skipped"
    tradewinds = Exercise.objects.get(mme_id="mme978")
    assert participants(tradewinds) == [
        "ATG",
        "BHS",
        "BRB",
        "DMA",
        "GBR",
        "GRD",
        "GUY",
        "JAM",
        "KNA",
        "LCA",
        "TTO",
        "USA",
        "VCT",
    ]
    assert tradewinds.citations.filter(source__slug="mme-v7-long").count() == 15

    gw = dict(Country.objects.filter(gw_code__isnull=False).values_list("code", "gw_code"))
    # Each country's code is the one MME's rows give it (a claim): Vietnam's rows say 817.
    assert (gw["DEU"], gw["XGR"], gw["DDR"], gw["SRB"], gw["VNM"]) == (260, 260, 265, 340, 817)
    assert (gw["KOR"], gw["USA"]) == (732, 2)
    assert not {"TON", "YEM", "KNA"} & set(gw), "MME names them by name only (NA)"
    assert "XRN" not in gw, "GW 817 in MME is Vietnam, not South Vietnam"
    assert list(Country.objects.exclude(disputed=[]).values_list("code", "disputed")) == [
        ("SRB", ["gw_code"])
    ], "MME gives Serbia 340 (2000) and Yugoslavia's 345"
    germany = Country.objects.get(code="DEU")
    assert germany.history.first().history_change_reason == REASON
    west_germany = Exercise.objects.get(mme_id="mme90")
    assert "XGR" in participants(west_germany) and "DEU" not in participants(west_germany)

    before = stored()
    again = import_dataset("mme")
    assert stored() == before, "no record and no history entry is written"
    assert "missions.Exercise             0 created, 0 updated, 4099 unchanged, 0 skipped" in (
        again.out
    )
    assert "missions.ExerciseCitation     0 created, 0 updated, 19280 unchanged" in again.out
    assert f"alliances.CountryCitation     0 created, 0 updated, {CODED_PAIRS} unchanged" in (
        again.out
    )
    assert "missions.Exercise_domains     0 created, 0 updated, 4274 unchanged" in again.out


def subset(tmp_path, name, keep, edits=None):
    """A copy of a file of seeds/datasets/ with its header and the rows of the exercises in
    `keep`, in the file's order; `edits` then rewrites rows of the copy ({row: function of the
    row's bytes})."""
    lines = (DATASETS_DIR / name).read_bytes().splitlines(keepends=True)
    ending = b"\r\n" if lines[0].endswith(b"\r\n") else b"\n"
    kept = [lines[0]] + [line for line in lines[1:] if line.split(b",")[0].decode() in keep]
    kept = [line.rstrip(b"\r\n") + ending for line in kept]
    for number, edit in (edits or {}).items():
        kept[number - 1] = edit(kept[number - 1].rstrip(b"\r\n")) + ending
    target = tmp_path / name
    target.write_bytes(b"".join(kept))
    return target


def replace(old, new):
    return lambda line: line.replace(old, new, 1)


def truncate(fields):
    return lambda line: b",".join(line.split(b",")[:fields])


SMALL = {"mme87", "mme88", "mme86", "mme832", "mme959", "mme978", "mme3460"}


def small_copies(tmp_path, wide_edits=None, long_edits=None):
    """mme87 Readex 1-80, mme88, mme86 Magex-80, mme832 and mme959 (Foal Eagle), mme978
    Tradewinds 92 and both mme3460: wide rows 2 .. 9, long rows 2 .. 32."""
    wide = subset(tmp_path, "mme_v7.csv", SMALL, wide_edits)
    long = subset(tmp_path, "mme_v7_long.csv", SMALL, long_edits)
    return [f"exercises={wide}", f"participants={long}"], wide, long


def test_broken_rows_are_reported_and_skipped_and_the_rest_imports(import_dataset, tmp_path):
    import_dataset("cow-states")
    files, wide, long = small_copies(
        tmp_path,
        wide_edits={
            2: replace(b"realistic war-at-sea scenario", b"realistic war-at-sea sc\xe9nario"),
            3: replace(b",1980,1,xx,1980-01-xx", b",1980,13,xx,1980-01-xx"),
            4: replace(b"35.907757", b"95.907757"),
            6: replace(b",11/8/91,1991,11,8,0,", b",11/8/91,1991,11,8,2,"),
            9: truncate(5),
        },
        long_edits={
            7: truncate(5),
            11: replace(b",210,Netherlands,", b",999,Netherlands,"),
            12: replace(b",200,United Kingdom,", b",2OO,United Kingdom,"),
            18: replace(b"Antigua & Barbuda", b"Atlantis"),
        },
    )
    output = import_dataset("mme", file=files)

    absent = "is not among the exercises read from mme_v7.csv"
    expected = [
        f"{wide}:3: impossible start date: '1980-13' is not a real date",
        f"{wide}:4: latitude '95.907757' is not between -90 and 90",
        f"{wide}:6: cpx '2' is not 0 or 1",
        f"{wide}:9: 4 fields where the header has 64",
        f"{long}:2: exercise mme3460-2005 {absent}",
        f"{long}:3: exercise mme3460-2005 {absent}",
        f"{long}:4: exercise mme3460-2005 {absent}",
        f"{long}:7: 5 fields where the header has 29",
        f"{long}:9: exercise mme86 {absent}",
        f"{long}:10: exercise mme86 {absent}",
        f"{long}:11: unknown country: Gleditsch-Ward 999 (COW 999) is not a stored country",
        f"{long}:12: Gleditsch-Ward code '2OO' is not a whole number",
        f"{long}:14: exercise mme88 {absent}",
        f"{long}:15: exercise mme88 {absent}",
        f"{long}:16: exercise mme959 {absent}",
        f"{long}:17: exercise mme959 {absent}",
        f"{long}:18: 'Atlantis' has no Gleditsch-Ward code and is not a state",
    ]
    reported = output.err.splitlines()
    assert len(reported) == len(expected), reported
    for line, start in zip(reported, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert "17 bad rows were skipped" in output.out
    assert "missions.Exercise             6 created, 1 updated, 0 unchanged, 4 skipped" in (
        output.out
    )
    assert "missions.ExerciseParticipant  17 created, 0 updated, 0 unchanged, 13 skipped" in (
        output.out
    )

    imported = Exercise.objects.exclude(mme_id="")
    assert sorted(imported.values_list("mme_id", flat=True)) == [
        "mme3460-1995",
        "mme832",
        "mme87",
        "mme978",
    ]
    readex = Exercise.objects.get(mme_id="mme87")
    assert readex.description == "realistic war-at-sea scénario", "a Windows-1252 line"
    assert participants(readex) == ["USA"]
    assert locators(readex) == ["mme_v7.csv:2", "mme_v7_long.csv:13"]
    foal_eagle_89 = Exercise.objects.get(mme_id="mme832")
    assert (foal_eagle_89.series.slug, participants(foal_eagle_89)) == ("foal-eagle", ["USA"])
    assert Exercise.objects.get(slug="foal-eagle").iterations.count() == 1
    tradewinds = Exercise.objects.get(mme_id="mme978")
    assert len(participants(tradewinds)) == 13, "Antigua & Barbuda from its second row"
    assert tradewinds.citations.count() == 15
    unnamed = Exercise.objects.get(mme_id="mme3460-1995")
    assert participants(unnamed) == ["UKR", "USA"]
    assert locators(unnamed) == ["mme_v7.csv:8", "mme_v7_long.csv:5", "mme_v7_long.csv:6"]
    assert ExerciseParticipant.objects.filter(exercise__mme_id__gt="").count() == 17
    assert ExerciseCitation.objects.filter(source__collection="mme").count() == 25
    assert list(provenance_problems()) == []


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(import_dataset, stored, tmp_path):
    import_dataset("cow-states")
    files, _, _ = small_copies(tmp_path)
    before = stored()
    output = import_dataset("mme", file=files, dry_run=True)
    assert stored() == before
    assert "dry run: nothing was written" in output.out
    assert "missions.Exercise             10 created, 1 updated, 0 unchanged, 0 skipped" in (
        output.out
    )
    assert "missions.ExerciseParticipant  29 created" in output.out
    assert "missions.ExerciseCitation     43 created" in output.out
    assert Exercise.objects.get(slug="foal-eagle").mme_series == ""


def test_a_curators_edit_is_kept_unless_overwrite(import_dataset, tmp_path):
    import_dataset("cow-states")
    files, _, _ = small_copies(tmp_path)
    import_dataset("mme", file=files)
    assert Country.objects.get(code="USA").gw_code == 2
    assert participants(Exercise.objects.get(mme_id="mme87")) == ["GBR", "NLD", "USA"]

    curator = User.objects.create_user("curator")
    # A Gleditsch-Ward code is a claim: a curator's choice of another is a resolution.
    usa = Country.objects.get(code="USA")
    resolve(record=usa, field="gw_code", value=3, reason="A test.", user=curator)
    readex = Exercise.objects.get(mme_id="mme87")
    readex.location = "Off Puerto Rico"
    readex._history_user = curator
    readex.save()
    # A claimed field is the claims': a curator's choice of another value is a resolution.
    resolve(record=readex, field="name", value="Readex 1980", reason="A test.", user=curator)
    magex = Exercise.objects.get(mme_id="mme86")
    assert codes(magex.domains) == ["air", "amphibious", "land"]
    magex._history_user = curator
    magex.domains.remove(Domain.objects.get(code="amphibious"))
    assert magex.history.first().history_user == curator

    output = import_dataset("mme", file=files)
    readex.refresh_from_db()
    assert (readex.name, readex.location) == ("Readex 1980", "Off Puerto Rico")
    assert Country.objects.get(code="USA").gw_code == 3
    assert codes(magex.domains) == ["air", "land"]
    assert "skipped missions.Exercise Readex 1980: location changed by curator on " in output.out
    assert "skipped missions.Exercise Magex-80: domains changed by curator on " in output.out
    assert "the dataset says domains ['air', 'amphibious', 'land'] (--overwrite" in output.out
    assert "missions.Exercise_domains     0 created" in output.out

    output = import_dataset("mme", file=files, overwrite=True)
    readex.refresh_from_db()
    assert readex.name == "Readex 1980", "--overwrite is not a claim: the resolution stands"
    assert readex.location != "Off Puerto Rico"
    assert codes(magex.domains) == ["air", "amphibious", "land"]
    assert "overwrote missions.Exercise Magex-80: domains ['air', 'land'] -> ['air', " in (
        output.out
    )
    assert Country.objects.get(code="USA").gw_code == 3, "the resolution stands"
    entry = magex.history.first()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "~",
        None,
        REASON,
    )
    assert history_links(entry) == (["air", "amphibious", "land"], ["warfighting"])
    assert history_links(magex.history.last()) == (["air", "amphibious", "land"], ["warfighting"])
    entry = readex.history.first()
    assert (entry.history_user, entry.name) == (None, "Readex 1980")
    assert history_links(entry) == (["amphibious", "sea"], ["warfighting"])

    output = import_dataset("mme", file=files)
    assert "skipped alliances" not in output.out and "skipped missions" not in output.out
    assert "missions.Exercise             0 created, 0 updated, 11 unchanged" in output.out


def test_an_exercise_a_curator_gave_an_mme_id_is_filled_not_duplicated(import_dataset, tmp_path):
    """A curated exercise with MME's id: only its blank fields and empty links are filled;
    its participants are added to. Its name and dates are claims: MME's, the only ones, are
    shown (a curator keeps another name by citing a source for it or resolving the field)."""
    import_dataset("cow-states")
    curated = Exercise.objects.create(
        slug="readex-1980",
        name="Readex (1980)",
        mme_id="mme87",
        start="1980-01-14",
        status=Status.PUBLISHED,
    )
    curated.purposes.add(Purpose.objects.get(code="readiness"))
    files, _, _ = small_copies(tmp_path)
    import_dataset("mme", file=files)
    curated.refresh_from_db()
    assert (curated.slug, curated.name, curated.kind, curated.series) == (
        "readex-1980",
        "Readex 1-80",
        "exercise",
        None,
    )
    assert (curated.end, curated.location, str(curated.latitude)) == (
        "1980-01-21",
        "Vieques",
        "18.12629",
    )
    assert codes(curated.domains) == ["amphibious", "sea"]
    assert codes(curated.purposes) == ["readiness"]
    assert participants(curated) == ["GBR", "NLD", "USA"]
    assert not Exercise.objects.filter(slug="mme87").exists()
    assert Exercise.objects.get(slug="readex").iterations.count() == 0
