"""Reading an uploaded register of eligible residents (CSV: name, street, postcode, city). Pure.

Every row is checked; if one row is wrong nothing is stored, and the problems say which line
and why, so the admin can fix the file and upload it again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from burgerbegroting.processes.district_csv import CsvError, Problem, decode
from burgerbegroting.processes.postcodes import PostcodeRange

COLUMNS = ("name", "street", "postcode", "city")
HEADER_ALIASES = {"naam": "name", "straat": "street", "adres": "street", "postcode": "postcode",
                  "plaats": "city", "woonplaats": "city"}
# The letters of one upload are made by one background job: the view passes the app's
# MAX_LETTERS_PER_JOB as ``max_rows``. A row is at most about 520 characters (the lengths
# below); 1,000 bytes a row leaves room for quotes and accented letters.
MAX_ROWS = 10_000
BYTES_PER_ROW = 1_000
MAX_LENGTHS = {"name": 200, "street": 200, "city": 100}
_PC6 = re.compile(r"^[1-9]\d{3}[A-Z]{2}$")


def max_bytes(max_rows: int = MAX_ROWS) -> int:
    """The largest file accepted for ``max_rows`` rows (plus the header)."""
    return (max_rows + 1) * BYTES_PER_ROW


MAX_BYTES = max_bytes()


@dataclass(frozen=True)
class RegisterRow:
    line: int
    name: str
    street: str
    postcode: str
    city: str


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def parse_register_csv(data: bytes, ranges: list[PostcodeRange] | None = None,
                       max_rows: int = MAX_ROWS) -> list[RegisterRow]:
    """The rows of the file, or ``CsvError`` with every problem found (line, code, detail).

    ``ranges``: the district's postcode ranges; a postcode outside them is a problem (an empty
    list or None means the district has no ranges and any postcode is accepted).
    ``max_rows``: the most people in one file; the file may have ``max_bytes(max_rows)`` bytes."""
    if len(data) > max_bytes(max_rows):
        limit = max_bytes(max_rows)
        raise CsvError([Problem(0, "too_big", f"{limit // 1_000_000} MB" if limit >= 1_000_000
                                else f"{limit // 1_000} kB")])
    text, _encoding = decode(data)
    if not text.strip():
        raise CsvError([Problem(0, "empty")])
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise CsvError([Problem(1, "unreadable", str(exc))]) from exc
    names = [HEADER_ALIASES.get(h.strip().lower().lstrip("\ufeff"), h.strip().lower()) for h in header]
    problems: list[Problem] = []
    for column in COLUMNS:
        if column not in names:
            problems.append(Problem(1, "missing_column", column))
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        problems.append(Problem(1, "unknown_column", unknown[0]))
    if len(set(names)) != len(names):
        problems.append(Problem(1, "duplicate_column"))
    if problems:
        raise CsvError(problems)
    rows: list[RegisterRow] = []
    people = 0  # non-empty rows, also the wrong ones: the limit is on the file
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            people += 1
            if people > max_rows:
                raise CsvError([Problem(line, "too_many_rows", str(max_rows))])
            if len(record) != len(names):
                problems.append(Problem(line, "wrong_number_of_cells", str(len(record))))
                continue
            values = {n: cell.strip() for n, cell in zip(names, record, strict=True)}
            row_ok = True
            for column, limit in MAX_LENGTHS.items():
                if not values[column]:
                    problems.append(Problem(line, f"missing_{column}"))
                    row_ok = False
                elif len(values[column]) > limit:
                    problems.append(Problem(line, "too_long", column))
                    row_ok = False
            postcode = re.sub(r"\s+", "", values["postcode"]).upper()
            if not _PC6.match(postcode):
                problems.append(Problem(line, "bad_postcode", values["postcode"][:20]))
                row_ok = False
            elif ranges and not any(r.contains(postcode) for r in ranges):
                problems.append(Problem(line, "postcode_outside", postcode))
                row_ok = False
            if row_ok:
                rows.append(RegisterRow(line, values["name"], values["street"], postcode, values["city"]))
    except csv.Error as exc:
        raise CsvError([*problems, Problem(reader.line_num, "unreadable", str(exc))]) from exc
    if problems:
        raise CsvError(problems)
    if not rows:
        raise CsvError([Problem(0, "no_rows")])
    return rows


EXAMPLE_CSV = "name;street;postcode;city\nJ. de Vries;Dorpsstraat 1;9901AB;Voorbeeldland\n"
