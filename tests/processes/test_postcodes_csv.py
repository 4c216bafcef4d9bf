"""Postcode ranges and the district CSV reader (pure)."""

import pytest

from burgerbegroting.processes.district_csv import CsvError, parse_districts_csv
from burgerbegroting.processes.postcodes import PostcodeError, PostcodeRange, normalise_ranges, parse_ranges


def test_ranges_are_read_and_normalised():
    assert parse_ranges("1234, 1234-1236 ,1234ab - 1234zz") == [
        PostcodeRange("1234", "1234"), PostcodeRange("1234", "1236"), PostcodeRange("1234AB", "1234ZZ")]
    assert normalise_ranges("9901;9902 - 9903") == "9901, 9902-9903"
    assert parse_ranges("  ") == []


def test_range_contains():
    assert PostcodeRange("1234", "1236").contains("1235 XY")
    assert not PostcodeRange("1234", "1236").contains("1237AA")
    assert PostcodeRange("1234AB", "1234ZZ").contains("1234ab")
    assert not PostcodeRange("1234AB", "1234ZZ").contains("1234AA")


@pytest.mark.parametrize(("text", "reason"), [
    ("0123", "bad_postcode"),
    ("123", "bad_postcode"),
    ("12345", "bad_postcode"),
    ("1234A", "bad_postcode"),
    ("1234-", "bad_postcode"),
    ("1234-1235-1236", "bad_postcode"),
    ("1234, ,1235", "empty_part"),
    ("1234-1234AB", "mixed_range"),
    ("1236-1234", "reversed_range"),
    ("1234ZZ-1234AA", "reversed_range"),
    ("<script>", "bad_postcode"),
    ("1234," * 2000, "too_long"),
])
def test_bad_ranges_are_refused(text, reason):
    with pytest.raises(PostcodeError) as info:
        parse_ranges(text)
    assert info.value.reason == reason


def codes(exc):
    return [(p.line, p.code) for p in exc.value.problems]


def test_semicolon_csv_with_bom_and_dutch_amounts():
    data = "\ufeffnaam;soort;budget;postcodes\nAldeburen;dorp;40.000;9901\nBovenwijk;Wijk;€ 1.234,50;9902-9903\n"
    parsed = parse_districts_csv(data.encode("utf-8"))
    assert parsed.encoding == "UTF-8 (BOM)"
    assert parsed.delimiter == ";"
    assert [(r.line, r.name, r.kind, r.budget_cents, r.postcodes) for r in parsed.rows] == [
        (2, "Aldeburen", "dorp", 4_000_000, "9901"), (3, "Bovenwijk", "wijk", 123_450, "9902-9903")]


def test_comma_csv_with_quotes_and_any_column_order():
    data = 'budget,name,postcodes,kind\n"1,234.50",Oost,"1234, 1236-1238",kern\n'
    parsed = parse_districts_csv(data.encode())
    assert parsed.encoding == "UTF-8"
    assert parsed.rows[0].budget_cents == 123_450
    assert parsed.rows[0].postcodes == "1234, 1236-1238"


def test_windows_1252_is_read_and_reported():
    data = "name;kind;budget;postcodes\nSûdwâld;dorp;5000;9901\n".encode("cp1252")
    parsed = parse_districts_csv(data)
    assert parsed.encoding == "Windows-1252"
    assert parsed.rows[0].name == "Sûdwâld"


def test_fifty_plus_rows():
    body = "".join(f"Kern {i};kern;{1000 + i};{9000 + i}\n" for i in range(60))
    parsed = parse_districts_csv(("name;kind;budget;postcodes\n" + body).encode())
    assert len(parsed.rows) == 60
    assert parsed.rows[-1].line == 61


def test_every_problem_is_reported_with_its_line():
    data = ("name;kind;budget;postcodes\n"
            "Noord;stad;1000;9901\n"          # unknown kind
            "Zuid;wijk;tien euro;9902\n"      # bad budget
            "Noord;wijk;1000;9903\n"          # duplicate in file
            "Oud;wijk;1000;9904\n"            # exists already
            "West;wijk;0;9905\n"              # not positive
            "\n"
            "Oost;wijk;200.000.000;0999\n"    # too large + bad postcode
            "Mid;wijk\n")                     # missing cells
    with pytest.raises(CsvError) as info:
        parse_districts_csv(data.encode(), {"oud"})
    assert codes(info) == [(2, "unknown_kind"), (3, "bad_budget"), (4, "duplicate_in_file"),
                           (5, "duplicate_existing"), (6, "budget_not_positive"), (8, "budget_too_large"),
                           (8, "bad_postcodes"), (9, "wrong_number_of_cells")]


@pytest.mark.parametrize(("data", "expected"), [
    (b"", [(0, "empty")]),
    (b"  \n\n", [(0, "empty")]),
    (b"name;kind;budget;postcodes\n", [(0, "no_rows")]),
    (b"name;kind;postcodes\nA;wijk;9901\n", [(1, "missing_column")]),
    (b"name;kind;budget;postcodes;extra\nA;wijk;1;9901;x\n", [(1, "unknown_column")]),
    (b"Aldeburen;dorp;40000;9901\n", [(1, "missing_column"), (1, "missing_column"), (1, "missing_column"),
                                      (1, "missing_column"), (1, "unknown_column"), (1, "unknown_column"),
                                      (1, "unknown_column"), (1, "unknown_column")]),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", [(0, "binary")]),
    (b"\x81\x8d\x8f\x90\x9d", [(0, "encoding")]),
    (b"\x01\x02\x03abc;def", [(0, "binary")]),
    (b"x" * 1_000_001, [(0, "too_big")]),
])
def test_bad_files(data, expected):
    with pytest.raises(CsvError) as info:
        parse_districts_csv(data)
    assert codes(info) == expected


def test_unterminated_quote_is_reported_not_crashing():
    with pytest.raises(CsvError) as info:
        parse_districts_csv(b'name;kind;budget;postcodes\n"Noord;wijk;1000;9901\n')
    assert codes(info)[0][1] in {"unreadable", "wrong_number_of_cells"}
