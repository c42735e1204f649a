"""The import framework's reading and parsing: line endings, encodings, bad rows, dates."""

from io import StringIO

import pytest
from django.core.management.base import OutputWrapper

from milidip.datasets.framework.reading import (
    ImportFailure,
    Input,
    RowError,
    parse_int,
    partial_date,
    read_csv,
)
from milidip.datasets.framework.reporting import Progress
from tests.datasets.conftest import DATASETS_DIR

SPEC = Input("sample.csv", columns=("code", "name"))


def read(tmp_path, data, spec=SPEC):
    path = tmp_path / "sample.csv"
    path.write_bytes(data)
    return read_csv(path, spec, shown=str(path))


def test_the_cow_codes_file_ends_its_lines_with_cr_alone_and_reads_as_243_rows():
    data = (DATASETS_DIR / "COW-country-codes.csv").read_bytes()
    assert b"\n" not in data and data.count(b"\r") >= 243
    spec = Input("COW-country-codes.csv", columns=("stateabb", "ccode", "statenme"))
    rows, header = read_csv(DATASETS_DIR / "COW-country-codes.csv", spec, shown="codes")
    assert header == ["stateabb", "ccode", "statenme"], "column names are matched in lower case"
    assert len(rows) == 243
    assert (rows[0].number, rows[0]["stateabb"], rows[0]["ccode"]) == (2, "USA", "2")
    assert rows[-1].locator == "COW-country-codes.csv:244"
    assert not any(row.problem for row in rows)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending_reads_the_same(tmp_path, newline):
    data = newline.join([b"\xef\xbb\xbfCode,Name", b"KOR,South Korea", b'USA,"United, States"'])
    rows, header = read(tmp_path, data + newline)
    assert header == ["code", "name"], "a byte-order mark is dropped"
    assert [(row.number, row["code"], row["name"]) for row in rows] == [
        (2, "KOR", "South Korea"),
        (3, "USA", "United, States"),
    ]


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    rows, _ = read(tmp_path, b'code,name\nA,"two\nlines"\n\nB,b\n')
    assert [(row.number, row["code"]) for row in rows] == [(2, "A"), (4, "B")]


def test_a_row_with_the_wrong_number_of_fields_or_bad_bytes_carries_its_problem(tmp_path):
    rows, _ = read(tmp_path, b"code,name\nA\nB,b,extra\nC,S\xe3o Tom\xe9\nD,d\n")
    assert [(row.number, row.problem) for row in rows] == [
        (2, "1 fields where the header has 2"),
        (3, "3 fields where the header has 2"),
        (4, "bytes that are not utf-8"),
        (5, ""),
    ]


def test_a_fallback_encoding_reads_what_utf8_cannot(tmp_path):
    spec = Input("sample.csv", columns=("code", "name"), fallback_encoding="cp1252")
    rows, _ = read(tmp_path, b"code,name\nSTP,S\xe3o Tom\xe9\nCIV,C\xc3\xb4te d'Ivoire\n", spec)
    assert [row["name"] for row in rows] == ["São Tomé", "Côte d'Ivoire"]
    assert not any(row.problem for row in rows)


def test_a_file_that_cannot_be_read_stops_the_import(tmp_path):
    with pytest.raises(ImportFailure, match="no such file"):
        read_csv(tmp_path / "missing.csv", SPEC, shown="missing.csv")
    with pytest.raises(ImportFailure, match="no readable header row"):
        read(tmp_path, b"")
    with pytest.raises(ImportFailure, match="the header lacks name"):
        read(tmp_path, b"code,title\nA,a\n")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("1953", "10", "1"), "1953-10-01"),
        (("1953", "10", ""), "1953-10"),
        (("1953", "-9", "-9"), "1953"),
        (("-9", "1", "1"), ""),
        (("", "", ""), ""),
        ((" 816", "1", "1"), "0816-01-01"),
    ],
)
def test_partial_dates_keep_the_precision_the_cells_give(parts, expected):
    assert partial_date(*parts, what="start") == expected


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("1990", "13", "1"), "impossible end date: '1990-13-01' is not a real date"),
        (("1990", "2", "30"), "impossible end date: '1990-02-30' is not a real date"),
        (("1990", "x", "1"), "end date '1990-x-1' is not made of numbers"),
    ],
)
def test_an_impossible_date_is_a_row_error(parts, message):
    with pytest.raises(RowError, match=message):
        partial_date(*parts, what="end")


def test_a_number_that_is_not_one_is_a_row_error():
    assert parse_int(" 732 ", what="COW code") == 732
    with pytest.raises(RowError, match="COW code '7a' is not a whole number"):
        parse_int("7a", what="COW code")


class Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_is_a_bar_on_a_terminal_and_a_plain_line_elsewhere():
    terminal, plain = Terminal(), StringIO()
    for stream in (terminal, plain):
        progress = Progress(OutputWrapper(stream), "reading", 4)
        for _ in range(4):
            progress.advance()
        progress.finish()
    assert "\r" in terminal.getvalue()
    assert terminal.getvalue().endswith("\rreading [" + "#" * Progress.WIDTH + "] 4/4\n")
    assert plain.getvalue() == "reading (4)\n"


def test_the_command_shows_a_progress_bar_on_a_terminal(db):
    from django.core.management import call_command

    terminal = Terminal()
    call_command("import_dataset", "cow-states", dry_run=True, stdout=terminal)
    assert "\rcow-states: reading seeds/datasets/states2016.csv [" in terminal.getvalue()
