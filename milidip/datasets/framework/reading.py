"""Reading a dataset's files and cells: the CSV reader and the parsers of single cells.

Files are read as bytes and split on any line ending (the COW country codes file ends its
lines with CR alone), decoded line by line, then parsed with `csv`. Rows are numbered as a
spreadsheet shows them, the header being row 1; a row's `locator` ("file:row") is what its
citations carry. A row that cannot be parsed (undecodable bytes, a wrong number of fields)
carries a `problem` and is reported by the run, not raised.

`ImportFailure` is the one error that stops a run (a missing file, an unreadable header); it is
raised before anything is written. `RowError` says why one row cannot be used.
"""

import csv
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from milidip.dates import EndKind, parse_partial_date

MISSING_VALUES = frozenset({"", "-9", "-99", "NA", "."})


class ImportFailure(Exception):
    """The import cannot run at all: a file is missing or its header cannot be read."""


class RowError(ValueError):
    """A row the importer cannot use; the message says why, for the person fixing the file."""


@dataclass(frozen=True)
class Input:
    """One CSV file a dataset reads: its name in seeds/datasets/ and the columns it needs.

    Column names are matched case-insensitively (the COW files disagree on case). Lines that
    are not valid in `encoding` are read in `fallback_encoding` when one is given, otherwise
    their row is reported as bad. `delimiter` is the field separator (a tab for TSV files).
    """

    file: str
    columns: tuple[str, ...]
    encoding: str = "utf-8"
    fallback_encoding: str | None = None
    delimiter: str = ","


@dataclass(frozen=True)
class Row:
    """One data row: its values by lower-case column name and where it is in its file."""

    file: str
    name: str
    number: int
    values: dict[str, str]
    problem: str = ""

    def __getitem__(self, column):
        return self.values[column].strip()

    @property
    def locator(self):
        """The file's base name and the row, as citations give them: states2016.csv:209."""
        return f"{self.name}:{self.number}"

    @property
    def where(self):
        """The file as the run was given it and the row, as reports give them."""
        return f"{self.file}:{self.number}"


def parse_int(value, *, what):
    """A whole number from a cell, or RowError naming `what`."""
    try:
        return int(value.strip())
    except ValueError:
        raise RowError(f"{what} {value.strip()!r} is not a whole number") from None


def partial_date(year, month="", day="", *, what, missing=MISSING_VALUES):
    """A partial date from year, month and day cells, at the precision the cells give.

    A missing year (blank or a missing-value code such as -9) gives "" (unknown); a missing
    month gives the year alone; a missing day gives the year and month. An impossible date
    (month 13, 30 February) is a RowError naming `what`.
    """
    year, month, day = (part.strip() for part in (year, month, day))
    if year in missing:
        return ""
    parts = [year]
    if month not in missing:
        parts.append(month)
        if day not in missing:
            parts.append(day)
    if not all(part.isdigit() for part in parts):
        raise RowError(f"{what} date {'-'.join(parts)!r} is not made of numbers")
    value = "-".join([f"{int(parts[0]):04d}", *(f"{int(part):02d}" for part in parts[1:])])
    try:
        parse_partial_date(value)
    except ValidationError as error:
        raise RowError(f"impossible {what} date: {error.messages[0]}") from None
    return value


def read_csv(path, spec, *, shown):
    """Read a whole CSV file: (rows, header). Rows that cannot be parsed carry a `problem`.

    Raises ImportFailure when the file is missing or unreadable, or its header lacks a
    required column.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"{shown}: no such file") from None
    except OSError as error:
        raise ImportFailure(f"{shown}: cannot read it ({error.strerror})") from None
    lines, undecodable = [], set()
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        text, ok = _decode(raw, spec)
        lines.append(text)
        if not ok:
            undecodable.add(number)
    if lines:
        lines[0] = lines[0].removeprefix("\ufeff")
    reader = csv.reader(lines, delimiter=spec.delimiter)
    header = next(reader, None)
    if not header or 1 in undecodable:
        raise ImportFailure(f"{shown}: no readable header row")
    header = [name.strip().lower() for name in header]
    missing = [column for column in spec.columns if column not in header]
    if missing:
        raise ImportFailure(
            f"{shown}: the header lacks {', '.join(missing)} (it has {', '.join(header)})"
        )
    rows, number, line = [], 1, reader.line_num
    for record in reader:
        number += 1
        first_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        problem = ""
        if undecodable.intersection(range(first_line, line + 1)):
            problem = f"bytes that are not {spec.encoding}"
        elif len(record) != len(header):
            problem = f"{len(record)} fields where the header has {len(header)}"
        values = dict(zip(header, record, strict=False))
        rows.append(Row(shown, path.name, number, values, problem))
    return rows, header


def _decode(raw, spec):
    for encoding in filter(None, (spec.encoding, spec.fallback_encoding)):
        try:
            return raw.decode(encoding), True
        except UnicodeDecodeError:
            continue
    return raw.decode(spec.encoding, errors="replace"), False


def end_values(end, coverage_end):
    """A dataset's end with what it means, for a codebook where a blank end is "still in force
    when the data ends": ended on the date, else censored at the data's `coverage_end`."""
    if end:
        return {"end": end, "end_kind": EndKind.ENDED, "coverage_end": ""}
    return {"end": "", "end_kind": EndKind.CENSORED, "coverage_end": coverage_end}
