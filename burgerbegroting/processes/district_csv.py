"""Reading a CSV file of districts (kernen, wijken) for a bulk import. Pure.

Columns: ``name, kind, budget, postcodes`` (a header row is required, in this order or
any order; Dutch headers ``naam, soort, budget, postcodes`` work too). ``;`` or ``,``
delimiter; UTF-8 with or without BOM, else Windows-1252 (Excel on Windows). Either the whole
file is good and every row comes back, or ``CsvError`` lists every problem with its line
number, so nothing is imported half.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from burgerbegroting.core.money import parse_euro
from burgerbegroting.processes.postcodes import PostcodeError, parse_ranges

KINDS = ("wijk", "dorp", "kern", "gemeente")
COLUMNS = ("name", "kind", "budget", "postcodes")
HEADER_ALIASES = {
    "name": "name", "naam": "name",
    "kind": "kind", "soort": "kind", "type": "kind",
    "budget": "budget", "bedrag": "budget",
    "postcodes": "postcodes", "postcode": "postcodes",
}
MAX_BYTES = 1_000_000
MAX_ROWS = 2000
MAX_NAME = 120
# Budgets above this are a typo (a district of a municipality, not a national budget).
MAX_BUDGET_CENTS = 100_000_000 * 100


@dataclass(frozen=True)
class DistrictRow:
    line: int
    name: str
    kind: str
    budget_cents: int
    postcodes: str


@dataclass(frozen=True)
class Problem:
    """One problem: ``line`` 0 is the file as a whole; ``code`` is stable, ``detail`` is
    the offending value or column."""

    line: int
    code: str
    detail: str = ""


class CsvError(ValueError):
    """The file cannot be imported; ``problems`` says why, row by row."""

    def __init__(self, problems: list[Problem], encoding: str = ""):
        super().__init__(problems)
        self.problems = problems
        self.encoding = encoding

    def __str__(self) -> str:
        return "; ".join(f"{p.line}: {p.code} {p.detail}".strip() for p in self.problems)


@dataclass(frozen=True)
class ParsedCsv:
    rows: list[DistrictRow]
    encoding: str
    delimiter: str


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) — UTF-8 (BOM or not), else cp1252; refuses binary files."""
    if b"\x00" in data:
        raise CsvError([Problem(0, "binary")])
    text, encoding = "", ""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise CsvError([Problem(0, "encoding")]) from exc
    else:
        for codec, name in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252")):
            try:
                text, encoding = data.decode(codec), name
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CsvError([Problem(0, "encoding")])
    # Control characters mean it was not a text file (cp1252 decodes nearly any byte).
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
        raise CsvError([Problem(0, "binary")])
    return text, encoding


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def parse_districts_csv(data: bytes, existing_names: set[str] | frozenset[str] = frozenset()) -> ParsedCsv:
    """Every row of the file, or ``CsvError`` with every problem found."""
    if not data or not data.strip():
        raise CsvError([Problem(0, "empty")])
    if len(data) > MAX_BYTES:
        raise CsvError([Problem(0, "too_big")])
    text, encoding = decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise CsvError([Problem(0, "empty")], encoding)
    delimiter = _delimiter(first)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise CsvError([Problem(0, "unreadable", str(exc)[:100])], encoding) from exc

    # Line numbers as a spreadsheet shows them (the header is line 1); blank lines skipped.
    numbered = [(i + 1, rec) for i, rec in enumerate(records) if any(cell.strip() for cell in rec)]
    header_line, header = numbered[0]
    names = [HEADER_ALIASES.get(cell.strip().lower().lstrip("\ufeff")) for cell in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [cell.strip() for cell, n in zip(header, names, strict=True) if n is None]
    if missing or unknown:
        raise CsvError([Problem(header_line, "missing_column", c) for c in missing]
                       + [Problem(header_line, "unknown_column", c[:40]) for c in unknown], encoding)
    if len(set(names)) != len(names):
        raise CsvError([Problem(header_line, "duplicate_column")], encoding)
    body = numbered[1:]
    if not body:
        raise CsvError([Problem(0, "no_rows")], encoding)
    if len(body) > MAX_ROWS:
        raise CsvError([Problem(0, "too_many_rows", str(MAX_ROWS))], encoding)

    index = {n: names.index(n) for n in COLUMNS}
    existing_lower = {n.casefold() for n in existing_names}
    seen: dict[str, int] = {}
    rows: list[DistrictRow] = []
    problems: list[Problem] = []
    for line, record in body:
        if len(record) != len(header):
            problems.append(Problem(line, "wrong_number_of_cells", str(len(record))))
            continue
        cell = {n: record[i].strip() for n, i in index.items()}
        row_problems: list[Problem] = []
        name = " ".join(cell["name"].split())
        if not name:
            row_problems.append(Problem(line, "missing_name"))
        elif len(name) > MAX_NAME:
            row_problems.append(Problem(line, "name_too_long", name[:40]))
        elif name.casefold() in seen:
            row_problems.append(Problem(line, "duplicate_in_file", f"{name} ({seen[name.casefold()]})"))
        elif name.casefold() in existing_lower:
            row_problems.append(Problem(line, "duplicate_existing", name))
        if name:
            seen.setdefault(name.casefold(), line)
        kind = cell["kind"].lower()
        if kind not in KINDS:
            row_problems.append(Problem(line, "unknown_kind", cell["kind"][:40]))
        budget = 0
        try:
            budget = parse_euro(cell["budget"])
        except ValueError:
            row_problems.append(Problem(line, "bad_budget", cell["budget"][:40]))
        else:
            if budget <= 0:
                row_problems.append(Problem(line, "budget_not_positive", cell["budget"][:40]))
            elif budget > MAX_BUDGET_CENTS:
                row_problems.append(Problem(line, "budget_too_large", cell["budget"][:40]))
        postcodes = ""
        try:
            postcodes = ", ".join(str(r) for r in parse_ranges(cell["postcodes"]))
        except PostcodeError as exc:
            row_problems.append(Problem(line, "bad_postcodes", (exc.part or cell["postcodes"])[:40]))
        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(DistrictRow(line, name, kind, budget, postcodes))
    if problems:
        raise CsvError(problems, encoding)
    return ParsedCsv(rows, encoding, delimiter)


EXAMPLE_CSV = (
    "name;kind;budget;postcodes\r\n"
    "Aldeburen;dorp;40.000;9901\r\n"
    "Bovenwijk;wijk;120.000,00;9902-9903\r\n"
    "Centrum;kern;€ 75.500;9904AA-9904ZZ, 9905\r\n"
)
