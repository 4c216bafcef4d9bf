"""The register CSV reader: its row and size limits follow the letters-per-job limit."""

from __future__ import annotations

import pytest

from burgerbegroting.processes.district_csv import CsvError
from burgerbegroting.voters.register_csv import BYTES_PER_ROW, MAX_ROWS, max_bytes, parse_register_csv

HEADER = "name;street;postcode;city\n"


def rows(count: int, street: str = "Weg 1") -> str:
    return "".join(f"Persoon {i};{street};9999AB;Dorp\n" for i in range(count))


def problems(data: bytes, **kwargs) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(CsvError) as caught:
        parse_register_csv(data, **kwargs)
    return [(p.line, p.code, p.detail) for p in caught.value.problems]


def test_up_to_max_rows_is_accepted_one_more_is_not():
    assert len(parse_register_csv((HEADER + rows(5)).encode(), max_rows=5)) == 5
    assert problems((HEADER + rows(6)).encode(), max_rows=5) == [(7, "too_many_rows", "5")]


def test_wrong_rows_count_towards_the_limit():
    # A file of 6 people, one wrong: too many people, whatever the mistakes.
    assert problems((HEADER + rows(5) + rows(1, street="")).encode(), max_rows=5) == [(7, "too_many_rows", "5")]


def test_every_problem_is_reported_below_the_limit():
    found = problems((HEADER + rows(1, street="") + "A;B;12;C\n").encode(), max_rows=5)
    assert [(line, code) for line, code, _d in found] == [(2, "missing_street"), (3, "bad_postcode")]


def test_the_size_limit_fits_a_full_register_of_long_rows():
    assert MAX_ROWS == 10_000 and max_bytes() == 10_001_000
    longest = f"{'N' * 200};{'S' * 200};9999 AB;{'C' * 100}\n"
    assert len(longest.encode()) < BYTES_PER_ROW
    data = (HEADER + longest * MAX_ROWS).encode()
    assert len(parse_register_csv(data)) == MAX_ROWS
    assert problems(b"x" * (max_bytes(3) + 1), max_rows=3) == [(0, "too_big", "4 kB")]
    assert problems(b"x" * (max_bytes() + 1)) == [(0, "too_big", "10 MB")]
