"""The cow-states import: COW country codes and State System Membership v2016.

Counted by hand from seeds/datasets/: both files have 243 data rows (one per spell, the same
rows in the same order) naming 217 distinct states; 195 spells run to the end of the data
(2016-12-31). The 16 curated countries of fixtures/ are all COW states, so the import enriches
16 countries and creates 201.
"""

import hashlib

import pytest
from django.contrib.auth.models import User
from django.core.management.base import CommandError

from alliances.models import Country, CountryCitation, StateSystemMembership
from milidip.records import Status
from milidip.sources.models import Source
from milidip.sources.provenance import provenance_problems
from tests.datasets.conftest import DATASETS_DIR

pytestmark = pytest.mark.django_db

ROWS = 243
STATES = 217
ONGOING_SPELLS = 195
CURATED = 16
REASON = "import cow-states"


def imported_citations():
    return CountryCitation.objects.filter(source__kind=Source.Kind.DATASET)


def spells(code):
    return list(
        StateSystemMembership.objects.filter(country__code=code).values_list("start", "end")
    )


def locators(code):
    return sorted(imported_citations().filter(record__code=code).values_list("locator", flat=True))


def test_the_real_files_import_every_state_spell_and_row(import_dataset):
    assert Country.objects.count() == CURATED
    output = import_dataset("cow-states")
    assert Country.objects.count() == STATES
    assert Country.objects.filter(cow_code__isnull=False).count() == STATES
    assert StateSystemMembership.objects.count() == ROWS
    assert StateSystemMembership.objects.filter(end="").count() == ONGOING_SPELLS
    assert imported_citations().count() == 2 * ROWS
    assert output.err == ""
    assert "alliances.Country                201 created, 16 updated, 0 unchanged, 0 skipped" in (
        output.out
    )
    assert "alliances.StateSystemMembership  243 created" in output.out
    assert "alliances.CountryCitation        486 created" in output.out
    assert list(provenance_problems()) == []


def test_the_sources_carry_the_citation_and_licence(import_dataset):
    import_dataset("cow-states")
    codes = Source.objects.get(slug="cow-country-codes")
    states = Source.objects.get(slug="cow-state-system-membership-v2016")
    for source, name in ((codes, "COW-country-codes.csv"), (states, "states2016.csv")):
        assert source.kind == Source.Kind.DATASET
        assert source.status == Status.PUBLISHED
        assert source.citation_text == (
            "Correlates of War Project. 2017. State System Membership List, v2016."
        )
        assert source.licence == "free with citation"
        assert source.file == f"datasets/{name}"
        assert source.checksum == hashlib.sha256((DATASETS_DIR / name).read_bytes()).hexdigest()
        source.full_clean()


def test_south_korea_the_united_states_and_north_korea_are_enriched_not_duplicated(
    import_dataset,
):
    import_dataset("cow-states")
    expected = {
        "KOR": ("South Korea", 732, "ROK", [("1949-06-29", "")], 209),
        "USA": ("United States", 2, "USA", [("1816-01-01", "")], 2),
        "PRK": ("North Korea", 731, "PRK", [("1948-09-09", "")], 208),
    }
    for code, (name, cow_code, abbreviation, dates, row) in expected.items():
        country = Country.objects.get(cow_code=cow_code)
        assert (country.code, country.name) == (code, name), "the curated name is kept"
        assert country.cow_abbreviation == abbreviation
        assert country.status == Status.PUBLISHED
        assert spells(code) == dates
        assert locators(code) == [f"COW-country-codes.csv:{row}", f"states2016.csv:{row}"]
        assert country.citations.filter(source__kind=Source.Kind.ARTICLE).exists()
        entry = country.history.first()
        assert (entry.history_type, entry.history_change_reason) == ("~", REASON)
        assert entry.history_user is None


def test_historical_states_get_their_documented_codes(import_dataset):
    import_dataset("cow-states")
    bavaria = Country.objects.get(code="XBV")
    assert (bavaria.name, bavaria.cow_code, bavaria.cow_abbreviation) == ("Bavaria", 245, "BAV")
    assert bavaria.status == Status.PUBLISHED
    assert spells("XBV") == [("1816-01-01", "1871-01-18")]
    assert locators("XBV") == ["COW-country-codes.csv:58", "states2016.csv:58"]
    entry = bavaria.history.get()
    assert (entry.history_type, entry.history_change_reason) == ("+", REASON)
    korea = Country.objects.get(cow_code=730)
    assert (korea.code, korea.name, korea.cow_abbreviation) == ("XKR", "Korea", "KOR")
    assert spells("XKR") == [("1887-01-01", "1905-11-17")]
    # Historical ISO codes where ISO had one; current ones for states that continue.
    assert Country.objects.get(cow_code=265).code == "DDR"
    assert Country.objects.get(cow_code=315).code == "CSK"
    assert Country.objects.get(cow_code=255).code == "DEU"
    assert Country.objects.get(cow_code=260).code == "XGR"
    assert Country.objects.get(cow_code=305).code == "AUT", "COW's AUS is Austria"
    assert Country.objects.get(cow_code=900).code == "AUS"


def test_a_state_with_several_spells_has_them_all_with_their_rows(import_dataset):
    import_dataset("cow-states")
    assert spells("CUB") == [("1902-05-20", "1906-09-25"), ("1909-01-23", "")]
    assert locators("CUB") == [
        "COW-country-codes.csv:5",
        "COW-country-codes.csv:6",
        "states2016.csv:5",
        "states2016.csv:6",
    ]


def test_a_second_run_changes_nothing(import_dataset, stored):
    import_dataset("cow-states")
    before = stored()
    output = import_dataset("cow-states")
    assert stored() == before, "no record and no history entry is written"
    assert "alliances.Country                0 created, 0 updated, 217 unchanged" in output.out
    assert "alliances.CountryCitation        0 created, 0 updated, 486 unchanged" in output.out
    assert "sources.Source                   0 created, 0 updated, 2 unchanged" in output.out


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(import_dataset, stored):
    before = stored()
    output = import_dataset("cow-states", dry_run=True)
    assert stored() == before
    assert "dry run: nothing was written" in output.out
    assert "alliances.Country                201 created, 16 updated" in output.out


def test_a_dry_run_lists_the_updates_it_would_make(import_dataset, stored):
    import_dataset("cow-states")
    Country.objects.filter(code="XBV").update(name="Kingdom of Bavaria")
    before = stored()
    output = import_dataset("cow-states", dry_run=True, overwrite=True)
    assert stored() == before
    assert (
        "would overwrite alliances.Country Bavaria (XBV): name 'Kingdom of Bavaria' -> "
        "'Bavaria' (name changed since the last import)" in output.out
    )
    assert Country.objects.get(code="XBV").name == "Kingdom of Bavaria"


def test_a_curators_edit_is_kept_unless_overwrite(import_dataset):
    import_dataset("cow-states")
    curator = User.objects.create_user("curator")
    korea = Country.objects.get(code="KOR")
    korea.cow_abbreviation = "RKO"
    korea._history_user = curator
    korea.save()

    output = import_dataset("cow-states")
    korea.refresh_from_db()
    assert korea.cow_abbreviation == "RKO"
    assert korea.history.first().history_user == curator
    assert "skipped alliances.Country South Korea (KOR): cow_abbreviation changed by curator" in (
        output.out
    )
    assert "cow_abbreviation 'ROK' (--overwrite replaces it)" in output.out
    assert "0 updated, 216 unchanged, 1 skipped" in output.out

    output = import_dataset("cow-states", overwrite=True)
    korea.refresh_from_db()
    assert korea.cow_abbreviation == "ROK"
    entry = korea.history.first()
    assert (entry.history_user, entry.history_change_reason) == (None, REASON)
    assert "1 updated, 216 unchanged, 0 skipped" in output.out
    assert "overwrote alliances.Country South Korea (KOR): cow_abbreviation 'RKO' -> 'ROK'" in (
        output.out
    )


def test_a_curators_save_after_the_import_protects_the_record(import_dataset):
    """Saved by a curator since the last import: the record is theirs even where the fields
    the importer owns still hold its values (here the dataset then changes one)."""
    import_dataset("cow-states")
    curator = User.objects.create_user("curator")
    bavaria = Country.objects.get(code="XBV")
    bavaria.region = "europe"
    bavaria._history_user = curator
    bavaria.save()
    # As if the dataset had since renamed the state: the importer's last value was "Bavaria".
    bavaria.history.filter(history_change_reason=REASON).update(name="Bayern")
    Country.objects.filter(pk=bavaria.pk).update(name="Bayern")

    output = import_dataset("cow-states")
    bavaria.refresh_from_db()
    assert (bavaria.name, bavaria.region) == ("Bayern", "europe")
    assert "skipped alliances.Country Bayern (XBV): changed by curator" in output.out


def test_an_edit_made_without_history_is_still_detected(import_dataset):
    import_dataset("cow-states")
    Country.objects.filter(code="XSX").update(name="Kingdom of Saxony")
    output = import_dataset("cow-states")
    assert Country.objects.get(code="XSX").name == "Kingdom of Saxony"
    assert "skipped alliances.Country Kingdom of Saxony (XSX): name changed since" in output.out


def test_a_curated_value_is_not_replaced_on_the_first_import_either(import_dataset):
    Country.objects.filter(code="USA").update(cow_abbreviation="US")
    output = import_dataset("cow-states")
    usa = Country.objects.get(code="USA")
    assert (usa.cow_abbreviation, usa.cow_code) == ("US", None)
    assert "skipped alliances.Country United States (USA): it already has cow_abbreviation" in (
        output.out
    )
    assert spells("USA") == [("1816-01-01", "")], "its spells and citations are still imported"
    import_dataset("cow-states", overwrite=True)
    usa.refresh_from_db()
    assert (usa.cow_abbreviation, usa.cow_code, usa.name) == ("USA", 2, "United States")


def test_a_retracted_record_stays_retracted(import_dataset):
    import_dataset("cow-states")
    Country.objects.filter(code="XPA").update(status=Status.RETRACTED, retraction_reason="test")
    import_dataset("cow-states", overwrite=True)
    assert Country.objects.get(code="XPA").status == Status.RETRACTED


def write_rows(path, changes, *, newline):
    """Rewrite rows of a CSV copy: {row number: new line, or None to delete it}."""
    lines = path.read_bytes().decode().split(newline)
    for number, line in sorted(changes.items(), reverse=True):
        if line is None:
            del lines[number - 1]
        else:
            lines[number - 1] = line
    path.write_bytes(newline.join(lines).encode())


def test_broken_rows_are_reported_and_skipped_and_the_rest_imports(import_dataset, dataset_copy):
    codes = dataset_copy("COW-country-codes.csv")
    states = dataset_copy("states2016.csv")
    write_rows(codes, {58: "BAV,bav,Bavaria"}, newline="\r")
    write_rows(
        states,
        {
            3: "CAN,20,Canada,1920,13,10,2016,12,31,2016",
            4: "BHM,999,Bahamas,1973,7,10,2016,12,31,2016",
            10: "DOM,42,Dominican Republic,1924,2,30,2016,12,31,2016",
            11: "JAM,51,Jamaica,1962,8,6,1950,12,31,2016",
            12: "TRI,52,Trinidad and Tobago,1962,8",
            13: "BAR,53,Barbados,19x6,11,30,2016,12,31,2016",
        },
        newline="\n",
    )
    output = import_dataset("cow-states", file=[str(codes), f"states={states}"])

    expected = [
        f"{codes}:58: COW code 'bav' is not a whole number",
        f"{states}:3: impossible start date: '1920-13-10' is not a real date",
        f"{states}:4: unknown country: COW 999 is not among the states read from "
        "COW-country-codes.csv",
        f"{states}:10: impossible start date: '1924-02-30' is not a real date",
        f"{states}:11: the spell ends (1950-12-31) before it starts (1962-08-06)",
        f"{states}:12: 5 fields where the header has 10",
        f"{states}:13: start date '19x6-11-30' is not made of numbers",
        f"{states}:58: unknown country: COW 245 is not among the states read from "
        "COW-country-codes.csv",
    ]
    reported = output.err.splitlines()
    assert len(reported) == len(expected)
    for line, start in zip(reported, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert "8 bad rows were skipped" in output.out

    assert Country.objects.count() == STATES - 1
    assert not Country.objects.filter(cow_code=245).exists()
    assert StateSystemMembership.objects.count() == ROWS - 7
    assert spells("CAN") == [] and spells("TTO") == [] and spells("BHS") == []
    assert Country.objects.filter(code="BHS", cow_code=31).exists(), "from the codes file"
    assert spells("USA") == [("1816-01-01", "")]
    assert imported_citations().filter(source__slug="cow-country-codes").count() == ROWS - 1
    assert imported_citations().filter(locator="states2016.csv:3").count() == 0
    assert "alliances.StateSystemMembership  236 created, 0 updated, 0 unchanged, 7 skipped" in (
        output.out
    )


def test_a_bare_path_replaces_the_input_of_the_same_name(import_dataset, dataset_copy):
    states = dataset_copy("states2016.csv")
    write_rows(states, {2: "USA,2,United States of America,1816,1,1,1900,1,1,2016"}, newline="\n")
    import_dataset("cow-states", file=[str(states)])
    assert spells("USA") == [("1816-01-01", "1900-01-01")]


def test_a_missing_file_or_header_stops_the_run_before_anything_is_written(
    import_dataset, stored, tmp_path
):
    before = stored()
    with pytest.raises(CommandError, match="no such file"):
        import_dataset("cow-states", file=[f"states={tmp_path / 'missing.csv'}"])
    headless = tmp_path / "states2016.csv"
    headless.write_text("year,month\n1816,1\n")
    with pytest.raises(CommandError, match="the header lacks stateabb, ccode"):
        import_dataset("cow-states", file=[str(headless)])
    headless.write_text("")
    with pytest.raises(CommandError, match="no readable header row"):
        import_dataset("cow-states", file=[str(headless)])
    with pytest.raises(CommandError, match="which input does it replace"):
        import_dataset("cow-states", file=[str(tmp_path / "other.csv")])
    assert stored() == before


def test_the_benchmark_times_the_import_and_keeps_nothing(import_dataset, stored):
    before = stored()
    output = import_dataset("all", benchmark=True)
    assert stored() == before
    assert "cow-states: first import" in output.out
    assert "(0 written)" in output.out, "the second run writes nothing"
